import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type LoadedDataConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { readDtsStatusNews } from '../core/messages';
import { SyncPhaseKey } from '../core/search-attributes';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One thing that happened to a setup, as its history shows it. */
export interface SetupEvent {
  at: string;
  kind: 'started' | 'phase' | 'dts-status' | 'action' | 'error' | 'ended';
  /** `phase`: the phase entered. */
  phase?: string;
  /** `dts-status`: the direction and the status DTS reported (from the status watcher). */
  direction?: string;
  status?: string;
  delaySeconds?: number;
  /** `action`: retry, abort, release or cancel; `by` the caller's name (token name or JWT subject). `started`: who started it. */
  action?: string;
  by?: string;
  releaseInstance?: boolean;
  /** `error`: a failed activity attempt, with DTS's code and RequestId when DTS answered. */
  activity?: string;
  type?: string;
  message?: string;
  code?: string;
  requestId?: string;
  /** `ended`: how the run ended (completed, failed, cancelled, terminated, timed-out). */
  outcome?: string;
}

const ACTIONS = new Set(['retry', 'abort', 'release']);
/** The reason the API gives a cancel request: `cancelled by <caller>`. */
export const CANCEL_REASON = /^cancelled by (.+)$/;

/** Runs read back through continue-as-new: bounded, so a setup with a very long life answers in time. */
const MAX_RUNS = 50;

/**
 * What happened to a setup, read from its runs' histories, oldest first: the latest run and the runs it
 * continued from (up to MAX_RUNS). Payloads are decoded with the client's own data converter; only named,
 * known-safe fields are copied out, so a request (and its passwords) never reaches the answer.
 */
export async function setupEvents(client: Client, id: string): Promise<SetupEvent[]> {
  const [latest, description] = await Promise.all([
    client.workflow.getHandle(id).fetchHistory(),
    client.workflow.getHandle(id).describe(),
  ]);
  const runs = [latest];
  for (let before = continuedFrom(latest); before && runs.length < MAX_RUNS; before = continuedFrom(runs[0]!))
    runs.unshift(await client.workflow.getHandle(id, before).fetchHistory());
  const converter = client.options.loadedDataConverter;
  const startedBy = description.memo?.startedBy;
  const out: SetupEvent[] = [];
  let lastPhase: string | undefined;
  for (const [n, history] of runs.entries()) {
    // Event ids start again in each run.
    const activityTypes = new Map<string, string>();
    for (const event of history.events ?? []) {
      const at = timeOf(event);
      if (event.activityTaskScheduledEventAttributes) {
        const a = event.activityTaskScheduledEventAttributes;
        activityTypes.set(String(event.eventId), a.activityType?.name ?? '');
      }
      const e = await readEvent(converter, event, at, activityTypes, startedBy);
      // A run that continued an earlier one is the same setup going on: no second start, no end in between.
      if (e?.kind === 'started' && (n > 0 || continuedFrom(history))) continue;
      if (e?.kind === 'ended' && e.outcome === 'continued-as-new') continue;
      // The workflow upserts again when only the DTS job id changes: the same phase is not a phase change.
      if (e?.kind === 'phase' && e.phase === lastPhase) continue;
      if (e?.kind === 'phase') lastPhase = e.phase;
      if (e) out.push(e);
    }
  }
  return out;
}

/** The run this history's run continued as new from, if any. */
function continuedFrom(history: { events?: HistoryEvent[] | null }): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
}

async function readEvent(
  converter: LoadedDataConverter,
  event: HistoryEvent,
  at: string,
  activityTypes: Map<string, string>,
  startedBy: unknown,
): Promise<SetupEvent | undefined> {
  if (event.workflowExecutionStartedEventAttributes) {
    return { at, kind: 'started', ...(typeof startedBy === 'string' ? { by: startedBy } : {}) };
  }
  const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
  if (upsert) {
    // Search attributes are never encrypted (the server indexes them): the plain payload converter reads them.
    const payload = upsert.searchAttributes?.indexedFields?.[SyncPhaseKey.name];
    if (!payload) return undefined;
    const phase = defaultPayloadConverter.fromPayload<unknown>(payload);
    return typeof phase === 'string' ? { at, kind: 'phase', phase } : undefined;
  }
  const signal = event.workflowExecutionSignaledEventAttributes;
  if (signal) {
    if (signal.signalName === 'dtsStatusChanged') {
      const [arg] = await decodeArgs(converter, signal.input?.payloads);
      const news = readDtsStatusNews(arg);
      return news ? { at, kind: 'dts-status', ...news } : undefined;
    }
    if (ACTIONS.has(signal.signalName ?? '')) return { at, kind: 'action', action: signal.signalName ?? '' };
    return undefined;
  }
  const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
  if (update) {
    if (!ACTIONS.has(update.name ?? '')) return undefined;
    const [arg] = await decodeArgs(converter, update.args?.payloads);
    const { by, releaseInstance } = (arg ?? {}) as { by?: unknown; releaseInstance?: unknown };
    return {
      at,
      kind: 'action',
      action: update.name ?? '',
      ...(typeof by === 'string' ? { by } : {}),
      ...(releaseInstance === true ? { releaseInstance } : {}),
    };
  }
  const failed = event.activityTaskFailedEventAttributes;
  if (failed) {
    const error = failed.failure ? await decodeError(converter, failed.failure) : undefined;
    const app = error as { type?: unknown; details?: unknown[]; cause?: unknown } | undefined;
    const details = (Array.isArray(app?.details) ? app.details[0] : undefined) as
      { code?: unknown; requestId?: unknown } | undefined;
    return {
      at,
      kind: 'error',
      activity: activityTypes.get(String(failed.scheduledEventId)) ?? '',
      ...(typeof app?.type === 'string' ? { type: app.type } : {}),
      message: error?.message ?? 'activity failed',
      ...(typeof details?.code === 'string' ? { code: details.code } : {}),
      ...(typeof details?.requestId === 'string' ? { requestId: details.requestId } : {}),
    };
  }
  const cancel = event.workflowExecutionCancelRequestedEventAttributes;
  if (cancel) {
    // The API puts the caller in the cancel request's reason (api/setups.ts).
    const by = CANCEL_REASON.exec(cancel.cause ?? '')?.[1];
    return { at, kind: 'action', action: 'cancel', ...(by ? { by } : {}) };
  }
  const outcome = endOf(event);
  return outcome ? { at, kind: 'ended', outcome } : undefined;
}

function endOf(event: HistoryEvent): string | undefined {
  if (event.workflowExecutionCompletedEventAttributes) return 'completed';
  if (event.workflowExecutionFailedEventAttributes) return 'failed';
  if (event.workflowExecutionCanceledEventAttributes) return 'cancelled';
  if (event.workflowExecutionTerminatedEventAttributes) return 'terminated';
  if (event.workflowExecutionTimedOutEventAttributes) return 'timed-out';
  if (event.workflowExecutionContinuedAsNewEventAttributes) return 'continued-as-new';
  return undefined;
}

function timeOf(event: HistoryEvent): string {
  const t = event.eventTime;
  const ms = Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

/** Arguments as the client reads them: codecs in reverse (the AES-GCM codec decrypts), then the payload converter. */
async function decodeArgs(converter: LoadedDataConverter, payloads?: Payload[] | null): Promise<unknown[]> {
  let decoded = payloads ?? [];
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded.map((p) => converter.payloadConverter.fromPayload<unknown>(p));
}

/** An activity's failure as an error: its message and details are encrypted like any payload. */
async function decodeError(converter: LoadedDataConverter, failure: temporal.api.failure.v1.IFailure): Promise<Error> {
  const decode = async (payloads: Payload[]) => {
    let decoded = payloads;
    for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return decoded;
  };
  const [attributes] = failure.encodedAttributes ? await decode([failure.encodedAttributes]) : [];
  const info = failure.applicationFailureInfo;
  const details = info?.details?.payloads ? await decode(info.details.payloads) : undefined;
  return converter.failureConverter.failureToError(
    {
      ...failure,
      cause: undefined,
      encodedAttributes: attributes,
      ...(info ? { applicationFailureInfo: { ...info, details: details ? { payloads: details } : info.details } } : {}),
    },
    converter.payloadConverter,
  );
}
