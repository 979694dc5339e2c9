// POST /v1/syncs/preflight, and the preflight POST /v1/syncs runs before starting anything. The API holds no
// cloud credentials: the reads run in the `preflight` workflow on the worker.
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { httpErrors } from '@fastify/sensible';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { preflight } from '../../workflows/preflight';
import type { AcceptedRisk, PreflightInput, PreflightReport } from '../../core/preflight-checks';
import { summarizeEndpoint, type SetupRequest } from '../../core/types';
import { badFields, refusal } from '../errors';
import { PreflightReportReply } from '../preflight-schemas';
import { CreateSetupBody, errorReplies } from '../schemas';
import { toSetupRequest } from '../setup-request';
import type { TemporalDeps } from '../temporal';
import { preflightQueueFor } from '../preflight-queue';

// A few reads; without a worker polling, the caller hears 503 after this rather than waiting on.
const PREFLIGHT_TIMEOUT = '15s';

/**
 * What POST /v1/syncs does first: the warnings the started setup keeps, or a refusal thrown (422 with the report,
 * 503 without an answer).
 */
export async function checkBeforeStart(
  temporal: TemporalDeps,
  request: SetupRequest,
  acceptRisks: AcceptedRisk[] = [],
  api = temporal.dtsApi,
) {
  const report = await runPreflight(temporal, request, acceptRisks, api);
  if (!report.ok) throw refusalOf(report);
  return { preflightWarnings: warningsOf(report) };
}

/** Runs the preflight workflow and waits for its report (a few cloud reads); 503 when no worker answers in time. */
export async function runPreflight(
  temporal: TemporalDeps,
  request: SetupRequest,
  acceptRisks: AcceptedRisk[] = [],
  /** The family the setup would speak: its region rule applies. */
  api = temporal.dtsApi,
): Promise<PreflightReport> {
  const input: PreflightInput = {
    ...(api ? { api } : {}),
    topology: request.topology,
    region: request.region,
    source: summarizeEndpoint(request.source),
    destination: summarizeEndpoint(request.destination),
    acceptRisks,
  };
  try {
    return await temporal.client.workflow.execute(preflight, {
      workflowId: `preflight.${randomUUID()}`,
      taskQueue:
        temporal.preflightTaskQueue ??
        (await preflightQueueFor(temporal.client, temporal.namespace, temporal.taskQueue)),
      args: [input],
      workflowExecutionTimeout: PREFLIGHT_TIMEOUT,
      staticSummary: `Preflight ${idOf(input.source)} → ${idOf(input.destination)}`,
    });
  } catch (err) {
    if (err instanceof WorkflowFailedError)
      throw httpErrors.serviceUnavailable('the preflight got no answer from a worker in time; try again later');
    throw err;
  }
}

const idOf = (e: PreflightInput['source']) => e.instanceId ?? `${e.ip}:${e.port}`;

/** 422 with the report, and one line naming every failed check. */
function refusalOf(report: PreflightReport) {
  const failed = report.items.filter((i) => i.outcome === 'fail');
  const describe = (i: PreflightReport['items'][number]) => `${i.check}: ${i.message}`;
  const message = `preflight failed, nothing was started or bought: ${failed.map(describe).join('; ')}`;
  return refusal(422, message, { preflight: report });
}

/** The warnings a started setup keeps (reply and memo). */
export function warningsOf(report: PreflightReport) {
  return report.items.filter((i) => i.outcome === 'warn');
}

export const preflightRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps }> = async (app, { temporal }) => {
  app.post(
    '/v1/syncs/preflight',
    {
      // It buys nothing, but runs cloud reads with the worker's credentials.
      config: { role: 'operator' },
      schema: {
        summary: 'Check a sync request against the seed’s rules without buying anything',
        body: CreateSetupBody,
        response: { 200: PreflightReportReply, ...errorReplies(400, 401, 403, 413, 503) },
      },
    },
    async (req) => {
      const { request, problems } = toSetupRequest(req.body);
      if (!request) throw badFields(problems);
      return runPreflight(temporal, request, req.body.acceptRisks ?? []);
    },
  );
};
