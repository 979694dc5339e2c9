import { Type } from '@fastify/type-provider-typebox';
import { ACCEPTABLE_RISKS, PREFLIGHT_OUTCOMES } from '../core/preflight-checks';
import { oneOf } from './literals';

// The preflight report (core/preflight-checks.ts) as the API shows it.
export const PreflightReportReply = Type.Object({
  ok: Type.Boolean({ description: 'false when any item failed: nothing may be started' }),
  items: Type.Array(
    Type.Object({
      check: Type.String(),
      outcome: oneOf(PREFLIGHT_OUTCOMES),
      message: Type.String(),
      advice: Type.String(),
    }),
  ),
});

export const PreflightRefusal = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  preflight: PreflightReportReply,
});

export const AcceptRisks = Type.Array(oneOf(ACCEPTABLE_RISKS), {
  uniqueItems: true,
  maxItems: 8,
  description:
    'Risks accepted: "eviction-policy" turns a destination maxmemory-policy other than noeviction into a warning',
});
