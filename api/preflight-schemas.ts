import { Type } from '@fastify/type-provider-typebox';

// The preflight report (workflows/preflight-checks.ts) as the API shows it.
export const PreflightReportReply = Type.Object({
  ok: Type.Boolean({ description: 'false when any item failed: nothing may be started' }),
  items: Type.Array(
    Type.Object({
      check: Type.String(),
      outcome: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail')]),
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

export const AcceptRisks = Type.Array(Type.Union([Type.Literal('eviction-policy')]), {
  uniqueItems: true,
  maxItems: 8,
  description:
    'Risks accepted: "eviction-policy" turns a destination maxmemory-policy other than noeviction into a warning',
});
