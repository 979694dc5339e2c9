// HTTP front door: routes admin calls, runs the gateway checks, applies faults, dispatches operations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_PREFIX, handleAdmin, type AdminDeps } from './admin';
import { handleRedisAdmin } from './redis/admin';
import { formatCallLine, redactParams, type CallRecord } from './calls';
import {
  ApiError,
  errorBody,
  errorEnvelopeBody,
  faultErrors,
  gatewayErrors,
  newRequestId,
  operationErrors,
} from './errors';
import { REQUEST_FAULT_KINDS, type Fault } from './faults';
import { verifyRequest } from './gateway';
import { parseFormInto, readBody, resetConnection, sendBadGatewayPage, sendJson } from './http-io';
import type { Direction } from './model';
import { operations, MUTATING_ACTIONS } from './operations';
import { ParamReader, rejectClientBugLiterals, type Params } from './params';
import { actionSpec, checkParams } from './reference/validate';
import { authorize, resourceName } from './ram';
import { answerRkvstore, RKVSTORE_VERSION } from './rkvstore';
import { text } from '../common/text';

export interface ServerDeps extends AdminDeps {
  /** Resolves after `ms`, or early when the emulator closes. */
  sleep(ms: number): Promise<void>;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const knownActions = new Set(Object.keys(operations));

/** The instance a call names, in either family's words (a DtsJobId names the instance holding that task). */
function instanceOf(deps: ServerDeps, params: Params): { jobId?: string; direction?: Direction } {
  const jobId = params.SynchronizationJobId || params.DtsInstanceId || params.DtsInstanceID || undefined;
  if (jobId || !params.DtsJobId) return { jobId };
  for (const job of deps.state.allJobs()) {
    for (const name of ['Forward', 'Reverse'] as const) {
      if (job.directions[name]?.dtsJobId === params.DtsJobId) return { jobId: job.jobId, direction: name };
    }
  }
  // TransferInstanceClass names a legacy job by its SynchronizationJobId in DtsJobId (docs/dts-api.md §1.9).
  if (deps.state.allJobs().some((job) => job.jobId === params.DtsJobId)) return { jobId: params.DtsJobId };
  return {};
}

function faultTarget(deps: ServerDeps, action: string, params: Params) {
  const named = instanceOf(deps, params);
  const jobId = named.jobId;
  const direction = (params.SynchronizationDirection || named.direction || 'Forward') as Direction;
  const instanceIds = [params['SourceEndpoint.InstanceId'], params['DestinationEndpoint.InstanceId']].filter(
    (id): id is string => !!id,
  );
  const job = jobId ? deps.state.allJobs().find((j) => j.jobId === jobId) : undefined;
  const configuredSource = job?.directions.Forward.config?.source.instanceId;
  if (configuredSource) instanceIds.push(configuredSource);
  return { action, jobId, direction, instanceIds };
}

/** Gateway checks, faults that answer before any change, then the operation itself. */
async function answer(
  deps: ServerDeps,
  method: string,
  params: Params,
  call: Partial<CallRecord>,
): Promise<{ answer: Answer; fault?: Fault }> {
  const requestId = newRequestId();
  const now = Date.now();
  let fault: Fault | undefined;
  // Errors of the service itself (not of the gateway or RAM) may come in the body (dialect errorEnvelope).
  let inService = false;
  try {
    // R-KVStore shares the host and the instance registry; its Version picks it (emulator/rkvstore/).
    if (params.Version === RKVSTORE_VERSION) return { answer: answerRkvstore(deps, method, params, requestId, now) };
    const { action, accessKeyId } = verifyRequest(method, params, {
      accessKeys: deps.options.accessKeys,
      allowLegacyVersion: deps.options.allowLegacyVersion,
      knownActions,
      nonces: deps.nonces,
      now,
    });
    // RAM decides after authentication and before the service sees the call.
    authorize(
      deps.options.ram,
      `dts:${action}`,
      resourceName('dts', params.RegionId, params.SynchronizationJobId || params.DtsInstanceId || params.DtsJobId),
    );
    fault = deps.faults.take(REQUEST_FAULT_KINDS, faultTarget(deps, action, params));
    if (fault?.kind === 'throttling') throw faultErrors.throttling();
    if (fault?.kind === 'unavailable') throw faultErrors.unavailable();
    if (fault?.kind === 'internal-error') throw faultErrors.internalError();
    if (fault?.kind === 'error')
      throw faultErrors.custom(fault.code ?? 'InternalError', fault.httpStatus, fault.message);
    if (fault?.kind === 'bad-gateway-html' || fault?.kind === 'reset-connection')
      return { answer: { status: 0, body: {} }, fault };
    if (fault?.kind === 'delay-before') await deps.sleep(fault.delayMs ?? 0);

    rejectClientBugLiterals(params);
    const operation = operations[action];
    const spec = actionSpec(action);
    if (!operation || !spec) throw gatewayErrors.actionNotFound();
    // The reference's table first, as DTS's gateway validates declared parameters before the service runs.
    const problem = checkParams(spec, params);
    if (problem?.code === 'InvalidParameter') throw operationErrors.invalidParameter(problem.name, problem.why);
    if (problem) throw gatewayErrors.missingParameter(problem.name);
    const opNow = Date.now();
    const ctx = {
      action,
      params,
      reader: new ParamReader(params),
      accessKeyId,
      now: opNow,
      state: deps.state,
      faults: deps.faults,
      options: deps.options,
      call: {} as { jobId?: string; direction?: Direction },
    };
    inService = true;
    const fields = operation(ctx);
    Object.assign(call, ctx.call);
    // A change is answered only once saved (a restart keeps what DTS said it did); the statuses' own history,
    // which the next call derives again, is saved without waiting.
    const advanced = deps.state.advance(opNow);
    if (MUTATING_ACTIONS.has(action)) await deps.state.saveSoon();
    else if (advanced) deps.state.saveSoon().catch(() => undefined);
    return { answer: { status: 200, body: { RequestId: requestId, ...fields } }, fault };
  } catch (error) {
    const apiError = error instanceof ApiError ? error : faultErrors.internalError();
    if (!(error instanceof ApiError))
      deps.options.log(`[dts-emulator] internal error: ${String((error as Error)?.stack ?? error)}`);
    if (inService && deps.options.dialect.errorEnvelope === 'body')
      return { answer: { status: 200, body: errorEnvelopeBody(apiError, requestId) }, fault };
    return { answer: { status: apiError.httpStatus, body: errorBody(apiError, requestId) }, fault };
  }
}

async function handleApi(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  query: string,
  started: number,
): Promise<void> {
  const method = req.method ?? 'GET';
  const params: Record<string, string> = {};
  const call: Partial<CallRecord> = {};
  let result: { answer: Answer; fault?: Fault };
  try {
    if (method !== 'GET' && method !== 'POST') throw gatewayErrors.unsupportedMethod();
    parseFormInto(params, query);
    const body = await readBody(req);
    if (method === 'POST' && (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      parseFormInto(params, body);
    }
    call.action = params.Action;
    call.jobId = instanceOf(deps, params).jobId;
    call.direction = params.SynchronizationDirection || undefined;
    call.clientToken = params.ClientToken || undefined;
    result = await answer(deps, method, params, call);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : gatewayErrors.malformedRequest('unreadable request');
    result = { answer: { status: apiError.httpStatus, body: errorBody(apiError, newRequestId()) } };
  }

  const { fault } = result;
  const { Code, ErrCode } = result.answer.body;
  let outcome = typeof Code === 'string' ? Code : typeof ErrCode === 'string' ? ErrCode : 'OK';
  let httpStatus = result.answer.status;
  if (fault?.kind === 'delay-after') await deps.sleep(fault.delayMs ?? 0);
  if (fault?.kind === 'drop-after') await deps.sleep(fault.delayMs ?? 0);
  if (fault?.kind === 'reset-connection' || fault?.kind === 'drop-after') {
    outcome = fault.kind === 'reset-connection' ? 'reset' : 'dropped';
    httpStatus = 0;
    resetConnection(res);
  } else if (fault?.kind === 'bad-gateway-html') {
    outcome = 'bad-gateway';
    httpStatus = 502;
    sendBadGatewayPage(res);
  } else if (!res.destroyed) {
    sendJson(res, httpStatus, result.answer.body, text(result.answer.body.RequestId));
  }

  const record = deps.calls.add({
    time: new Date(started).toISOString(),
    method,
    action: call.action,
    jobId: call.jobId,
    direction: call.direction,
    clientToken: call.clientToken,
    outcome,
    httpStatus,
    durationMs: Date.now() - started,
    fault: fault?.kind,
    params: redactParams(params),
  });
  deps.options.log(formatCallLine(record));
}

export function createRequestHandler(deps: ServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
    try {
      if (path.startsWith(ADMIN_PREFIX) && deps.options.admin) {
        const method = req.method ?? 'GET';
        const route = `${method} ${path.slice(ADMIN_PREFIX.length).replace(/\/$/, '')}`;
        const body = await readBody(req);
        const reply = (await handleRedisAdmin(deps.state, route)) ?? handleAdmin(deps, method, path, body);
        // New or changed instances get their server before the caller goes on.
        if (method === 'POST' && reply.status === 200) await deps.state.redis?.sync(deps.state.registry.list());
        sendJson(res, reply.status, reply.body);
        return;
      }
      if (path !== '/') {
        sendJson(res, 404, errorBody(gatewayErrors.actionNotFound(), newRequestId()));
        return;
      }
      await handleApi(deps, req, res, query, started);
    } catch (error) {
      deps.options.log(`[dts-emulator] internal error: ${String((error as Error)?.stack ?? error)}`);
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, errorBody(faultErrors.internalError(), newRequestId()));
    }
  };
}
