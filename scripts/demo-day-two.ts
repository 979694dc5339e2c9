import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupWorkflowId } from '../core/ids';
import { DEMO_REQUEST } from './demo';

// `npm run demo:day-two`: on the demo setup of the running local stack (`npm start`), each day-two change the API
// offers, one after another, each followed until the setup is synchronizing again; prints what the API and the
// emulator then show. Run it again and it changes the setup again (the databases back, the class up if it can).

interface Change {
  id: number;
  kind: string;
  by?: string;
  outcome: string;
  applied: string[];
  error?: { code?: string; message: string };
}
interface Status {
  id: string;
  phase: string;
  dtsApi?: string;
  databases?: { from: number; to: number }[];
  jobClass?: string;
  tags?: string[];
  changes?: Change[];
  paused?: { resumeAt: string };
}
interface EmulatorJob {
  jobId: string;
  jobClass: string;
  directions: Record<
    string,
    | {
        status: string;
        synchronizationObjects: { DBName: string; NewDBName?: string }[];
        source?: { passwordChangedAt?: string };
        destination?: { passwordChangedAt?: string };
      }
    | undefined
  >;
}

const CHANGE_TIMEOUT_MS = 10 * 60_000;
const DEMO_PAUSE = '20s';

export async function runDayTwo(api: string, token: string | undefined, emulatorUrl: string): Promise<boolean> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const id = setupWorkflowId({
    source: { kind: 'enterprise', ...DEMO_REQUEST.source },
    destination: { kind: 'enterprise', ...DEMO_REQUEST.destination },
  });
  const url = `${api}/v1/syncs/${encodeURIComponent(id)}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Status & { message?: string; fields?: unknown[] } };
  };
  const get = async () => (await call('GET', '')).body;
  const emulator = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${emulatorUrl}/__emulator/${path}`, {
      ...(body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`emulator ${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const dtsJob = async (jobId: string) =>
    (await emulator<{ jobs: EmulatorJob[] }>('jobs')).jobs.find((j) => j.jobId === jobId);

  let status = await get();
  if (!status.phase) throw new Error(`no demo setup ${id}: start the stack with npm start first`);
  status = await until(get, (s) => s.phase === 'synchronizing', 'synchronizing');
  const jobId = (status as Status & { dtsJobId?: string }).dtsJobId ?? '';
  console.log(`demo setup ${id} (DTS ${jobId}, ${status.dtsApi ?? 'synchronizationjob'} family) is synchronizing`);
  let ok = true;

  /** Sends one change, follows it until it has ended and the setup synchronizes again, and says how it ended. */
  const change = async (what: string, send: () => Promise<{ status: number; body: Status & { message?: string } }>) => {
    const before = (await get()).changes?.at(-1)?.id ?? 0;
    const started = Date.now();
    const answer = await send();
    if (answer.status !== 202) {
      ok = false;
      console.log(`${what}: ${answer.status} ${answer.body.message ?? ''}`);
      return undefined;
    }
    const done = await until(
      get,
      (s) => s.phase === 'synchronizing' && s.changes?.some((c) => c.id > before && c.outcome !== 'applying') === true,
      what,
    );
    const last = done.changes?.filter((c) => c.id > before).at(-1);
    if (last?.outcome !== 'applied') ok = false;
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(
      `${what}: ${last?.outcome ?? '?'} in ${seconds}s, back to ${done.phase}` +
        (last?.error ? ` (${last.error.code ?? ''} ${last.error.message})` : ''),
    );
    return done;
  };
  const mappings = (list?: { from: number; to: number }[]) => (list ?? []).map((d) => `${d.from}→${d.to}`).join(', ');
  const objects = (job: EmulatorJob | undefined) =>
    Object.entries(job?.directions ?? {})
      .map(([dir, d]) => `${dir} ${d?.synchronizationObjects.map((o) => o.DBName).join(',') ?? '-'}`)
      .join(', ');

  // Databases: [0→0] ⇄ [0→0, 3→3].
  const wider = mappings(status.databases) === '0→0';
  const databases = wider
    ? [
        { from: 0, to: 0 },
        { from: 3, to: 3 },
      ]
    : [{ from: 0, to: 0 }];
  let done = await change(`PATCH databases [${mappings(status.databases)}] → [${mappings(databases)}]`, () =>
    call('PATCH', '', { databases }),
  );
  if (done) console.log(`  API databases [${mappings(done.databases)}]; DTS objects ${objects(await dtsJob(jobId))}`);

  // Instance class: one step up (DTS cannot downgrade).
  const classes = ['micro', 'small', 'medium', 'large'];
  const next = classes[classes.indexOf(status.jobClass ?? 'small') + 1];
  if (next) {
    done = await change(`PATCH jobClass ${status.jobClass} → ${next}`, () => call('PATCH', '', { jobClass: next }));
    if (done) console.log(`  API jobClass ${done.jobClass}; DTS class ${(await dtsJob(jobId))?.jobClass}`);
  } else console.log(`PATCH jobClass: already ${status.jobClass}, the largest class`);

  // A pause that resumes by itself (the demo's is short; a real one may last up to 5h45m).
  done = await change(`POST /pause for ${DEMO_PAUSE}, resuming by itself`, async () => {
    const answer = await call('POST', '/pause', { for: DEMO_PAUSE });
    if (answer.status === 202) {
      const paused = await until(get, (s) => s.phase === 'paused', 'paused');
      const job = await dtsJob(jobId);
      console.log(
        `  paused until ${paused.paused?.resumeAt}; DTS ${Object.entries(job?.directions ?? {})
          .map(([dir, d]) => `${dir} ${d?.status}`)
          .join(', ')}`,
      );
    }
    return answer;
  });
  if (done) console.log(`  resumed by ${done.changes?.at(-1)?.by}`);

  // A pause ended by POST /resume.
  const paused = await call('POST', '/pause', {});
  if (paused.status === 202) {
    await until(get, (s) => s.phase === 'paused', 'paused');
    console.log('POST /pause: paused');
    await change('POST /resume', () => call('POST', '/resume'));
  } else {
    ok = false;
    console.log(`POST /pause: ${paused.status} ${paused.body.message ?? ''}`);
  }

  // A new destination password: changed on the Redis instance first (as an owner would), then given to DTS; then
  // back to the demo's own, so `npm run demo` keeps working.
  const fresh = `demo-target-${Date.now().toString(36)}-Pa55`;
  for (const [label, password] of [
    ['a new destination password', fresh],
    ["the demo's own destination password again", DEMO_REQUEST.destination.password],
  ] as const) {
    await setRegistryPassword(emulator, DEMO_REQUEST.destination.instanceId, password);
    done = await change(`PATCH ${label}`, () => call('PATCH', '', { destination: { password } }));
    if (!done) continue;
    const job = await dtsJob(jobId);
    console.log(
      `  DTS password changed at: Forward dest ${job?.directions.Forward?.destination?.passwordChangedAt ?? '-'}` +
        (job?.directions.Reverse ? `, Reverse src ${job.directions.Reverse.source?.passwordChangedAt ?? '-'}` : '') +
        `; the status shows ${JSON.stringify(done.changes?.at(-1)?.applied)}`,
    );
  }

  // Tags added.
  const tags = [...(status.tags ?? []), `day-two=${Date.now().toString(36)}`];
  done = await change(`PATCH tags [${(status.tags ?? []).join(', ')}] → [${tags.join(', ')}]`, () =>
    call('PATCH', '', { tags }),
  );
  if (done) console.log(`  API tags [${(done.tags ?? []).join(', ')}]`);

  // A field that cannot change.
  const topology = await call('PATCH', '', { topology: 'oneway' });
  if (topology.status !== 409) ok = false;
  console.log(`PATCH topology: ${topology.status} ${topology.body.message ?? ''}`);
  return ok;
}

async function setRegistryPassword(
  emulator: <T>(path: string, body?: unknown) => Promise<T>,
  instanceId: string,
  password: string,
): Promise<void> {
  const { instances } = await emulator<{ instances: ({ instanceId: string } & Record<string, unknown>)[] }>(
    'instances',
  );
  const instance = instances.find((i) => i.instanceId === instanceId);
  if (instance) await emulator('instances', [{ ...instance, password }]);
}

async function until(get: () => Promise<Status>, check: (s: Status) => boolean, what: string): Promise<Status> {
  const deadline = Date.now() + CHANGE_TIMEOUT_MS;
  for (;;) {
    const status = await get();
    if (check(status)) return status;
    if (['failed', 'released', 'cancelled', 'needs-attention'].includes(status.phase))
      throw new Error(`waiting for ${what}, the setup is ${status.phase}`);
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${status.phase} after ${CHANGE_TIMEOUT_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

if (require.main === module) {
  const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? '3000'}`;
  const tokenFile = join(__dirname, '..', '.data', 'api-token');
  const token = process.env.API_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  runDayTwo(api, token, process.env.DTS_ENDPOINT ?? 'http://127.0.0.1:8780')
    .then((ok) => process.exit(ok ? 0 : 1))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
