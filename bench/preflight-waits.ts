// `npx tsx bench/preflight-waits.ts --temporal HOST:PORT [--minutes 5]`: where the recent preflights' time went,
// from their histories: the workflow tasks' wait for a worker (schedule-to-start) and run, and per activity its
// wait for a worker and its run (which holds the DTS limiter's wait). p50/p95/p99 in ms over the preflights
// started in the last --minutes. Reads timestamps only: payloads stay encrypted.
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { percentile } from './stats';

type Event = temporal.api.history.v1.IHistoryEvent;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const ms = (e: Event | undefined) =>
  e?.eventTime ? Number(e.eventTime.seconds ?? 0) * 1000 + Math.round((e.eventTime.nanos ?? 0) / 1e6) : NaN;

async function main(): Promise<void> {
  const address = option('--temporal', '127.0.0.1:7233');
  const minutes = Number(option('--minutes', '5'));
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: option('--namespace', 'default') });
  const since = new Date(Date.now() - minutes * 60_000).toISOString();
  const query = `WorkflowType = 'preflight' AND StartTime > '${since}' AND ExecutionStatus != 'Running'`;
  const times: Record<string, number[]> = {};
  const add = (key: string, value: number) => {
    if (Number.isFinite(value)) (times[key] ??= []).push(value);
  };
  let count = 0;
  for await (const execution of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events ?? [];
    const byId = new Map(events.map((e) => [Number(e.eventId), e]));
    add('total', ms(events.at(-1)) - ms(events[0]));
    add(`queue ${execution.taskQueue}`, 0);
    for (const e of events) {
      const started = e.workflowTaskStartedEventAttributes;
      if (started) add('workflow task: wait', ms(e) - ms(byId.get(Number(started.scheduledEventId))));
      const completed = e.workflowTaskCompletedEventAttributes;
      if (completed) add('workflow task: run', ms(e) - ms(byId.get(Number(completed.startedEventId))));
      const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
      if (done) {
        const scheduled = byId.get(Number(done.scheduledEventId));
        const start = byId.get(Number(done.startedEventId));
        const type = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        // A started event is written at completion (retries): its time is the last attempt's start.
        add(`${type}: wait`, ms(start) - ms(scheduled));
        add(`${type}: run`, ms(e) - ms(start));
      }
    }
    count += 1;
  }
  console.log(`${count} preflights closed in the last ${minutes} min (${address})`);
  for (const [key, values] of Object.entries(times).sort()) {
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(values, p));
    console.log(`${key.padEnd(40)} n=${String(values.length).padStart(4)}  p50 ${p50}  p95 ${p95}  p99 ${p99}`);
  }
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
