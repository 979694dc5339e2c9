// Where the reaction time goes: for each setup and direction, from its workflow history, the time from the
// DTS change to the watcher's signal, to the read the signal woke, to that read's slot and answer, to the
// workflow recording Synchronizing. The figures of docs/performance.md's reaction breakdown.
import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { normalizeDtsStatus } from '../core/normalize-dts';
import type { Direction, SetupStatus } from '../core/types';
import type { SeenCall } from './calls';
import { inBatches } from './fleet-ops';
import { firstSynchronizingMs, pcts, type Percentiles } from './summary';
import type { EmulatorJob } from './report';

/** The stages of one reaction, ms; a reaction that no signal woke (the setup's own poll saw it) has only `total`. */
interface Stages {
  /** DTS change → the watcher's signal reached the server. */
  watcher: number;
  /** Signal → the read it woke was scheduled (a workflow task: dispatch, replay if evicted, run). */
  wake: number;
  /** Scheduled → an activity slot took it (the .dts task queue and its server-side rate limit). */
  queue: number;
  /** Taken → the emulator saw the call (the worker's rate limiter). */
  limiter: number;
  /** The emulator saw it → the activity completed (DTS answer and the completion). */
  answer: number;
  /** Completed → the workflow recorded Synchronizing (one more workflow task). */
  record: number;
  total: number;
}

export interface ReactionBreakdown {
  /** Reactions woken by the watcher's signal, and those the setup's own poll saw first. */
  bySignal: number;
  byOwnPoll: number;
  stagesMs: Record<keyof Stages, Percentiles>;
  /** Of the slowest 1 % (at least one) of the signalled reactions: the average of each stage, ms. */
  slowestMeanMs: Record<keyof Stages, number>;
}

type Event = temporal.api.history.v1.IHistoryEvent;

const eventMs = (e: Event) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

export async function reactionBreakdown(
  client: Client,
  statuses: SetupStatus[],
  jobs: EmulatorJob[],
  calls: SeenCall[],
): Promise<ReactionBreakdown> {
  const jobsById = new Map(jobs.map((j) => [j.jobId, j]));
  const describesByJob = new Map<string, number[]>();
  for (const c of calls)
    if (c.action === 'DescribeSynchronizationJobStatus' && c.jobId)
      describesByJob.set(c.jobId, [...(describesByJob.get(c.jobId) ?? []), c.atMs]);
  const { payloadConverter, payloadCodecs } = client.workflow.options.loadedDataConverter;
  const decode = async <T>(payloads: temporal.api.common.v1.IPayload[] | null | undefined): Promise<T | undefined> => {
    let decoded = payloads ?? [];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return decoded.length ? fromPayloadsAtIndex<T>(payloadConverter, 0, decoded) : undefined;
  };
  const all = await inBatches(statuses, 20, async (status) => {
    const found: Stages[] = [];
    const history = await client.workflow.getHandle(status.id).fetchHistory();
    const events = history.events ?? [];
    const byId = new Map(events.map((e) => [Number(e.eventId), e]));
    for (const dir of ['Forward', 'Reverse'] as Direction[]) {
      const state = dir === 'Forward' ? status.forward : status.reverse;
      const changeMs = firstSynchronizingMs(jobsById.get(status.dtsJobId ?? ''), dir);
      if (!state?.synchronizingAt || changeMs === undefined) continue;
      const recordedMs = Date.parse(state.synchronizingAt);
      // The read that saw Synchronizing: the last read of this direction completed before it was recorded.
      let read: { scheduled: Event; started?: Event; completed: Event } | undefined;
      for (const e of events) {
        const attrs = e.activityTaskCompletedEventAttributes;
        if (!attrs || eventMs(e) > recordedMs) continue;
        const scheduled = byId.get(Number(attrs.scheduledEventId));
        const s = scheduled?.activityTaskScheduledEventAttributes;
        if (s?.activityType?.name !== 'describeDirection') continue;
        const input = await decode<{ direction?: Direction }>(s.input?.payloads);
        if (input?.direction !== dir) continue;
        read = { scheduled: scheduled!, started: byId.get(Number(attrs.startedEventId)), completed: e };
      }
      let signal: Event | undefined;
      for (const e of events) {
        const attrs = e.workflowExecutionSignaledEventAttributes;
        if (attrs?.signalName !== 'dtsStatusChanged' || eventMs(e) < changeMs) continue;
        const news = await decode<{ direction?: Direction; status?: string }>(attrs.input?.payloads);
        if (news?.direction === dir && normalizeDtsStatus(news.status ?? '') === 'synchronizing') {
          signal = e;
          break;
        }
      }
      const total = recordedMs - changeMs;
      if (!read || !signal || eventMs(signal) > eventMs(read.scheduled)) {
        found.push({ total } as Stages);
        continue;
      }
      const startedMs = read.started ? eventMs(read.started) : eventMs(read.scheduled);
      const completedMs = eventMs(read.completed);
      const seenMs =
        (describesByJob.get(status.dtsJobId ?? '') ?? [])
          .filter((t) => t >= startedMs - 50 && t <= completedMs)
          .at(-1) ?? startedMs;
      found.push({
        watcher: eventMs(signal) - changeMs,
        wake: eventMs(read.scheduled) - eventMs(signal),
        queue: startedMs - eventMs(read.scheduled),
        limiter: seenMs - startedMs,
        answer: completedMs - seenMs,
        record: recordedMs - completedMs,
        total,
      });
    }
    return found;
  });
  const reactions = all.flat();
  const signalled = reactions.filter((r) => r.watcher !== undefined);
  const keys: (keyof Stages)[] = ['watcher', 'wake', 'queue', 'limiter', 'answer', 'record', 'total'];
  const slowest = [...signalled]
    .sort((a, b) => b.total - a.total)
    .slice(0, Math.max(1, Math.ceil(signalled.length / 100)));
  const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length));
  return {
    bySignal: signalled.length,
    byOwnPoll: reactions.length - signalled.length,
    stagesMs: Object.fromEntries(keys.map((k) => [k, pcts(signalled.map((r) => r[k]))])) as Record<
      keyof Stages,
      Percentiles
    >,
    slowestMeanMs: Object.fromEntries(keys.map((k) => [k, mean(slowest.map((r) => r[k]))])) as Record<
      keyof Stages,
      number
    >,
  };
}
