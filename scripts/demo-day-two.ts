import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_REQUEST, demoSetupId } from './demo';
import type { Duration } from '@temporalio/common';
import { durationMs } from '../core/tuning';

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
  dtsJobId?: string;
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

/** The self-resuming pause: short by default; `npm run demo:day-two -- --pause 10m` shows a real one. */
const pauseAt = process.argv.indexOf('--pause');
const DEMO_PAUSE = (pauseAt >= 0 ? process.argv[pauseAt + 1] : '20s') as Duration;
/** How long each change may take to settle: room for the pause too. */
const CHANGE_TIMEOUT_MS = 10 * 60_000 + durationMs(DEMO_PAUSE);

type Reply = { status: number; body: Status & { message?: string } };

/** The running demo setup as the API and the emulator show it, and one change at a time sent to it. */
class Session {
  ok = true;
  jobId = '';
  private readonly headers: Record<string, string>;
  constructor(
    private readonly url: string,
    private readonly auth: Record<string, string>,
    private readonly emulatorUrl: string,
  ) {
    this.headers = { ...auth, 'content-type': 'application/json' };
  }

  async call(method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      ...(body ? { headers: this.headers, body: JSON.stringify(body) } : { headers: this.auth }),
    });
    return { status: res.status, body: (await res.json()) as Reply['body'] };
  }

  readonly get = async (): Promise<Status> => (await this.call('GET', '')).body;

  async emulator<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.emulatorUrl}/__emulator/${path}`, {
      ...(body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`emulator ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  async dtsJob(): Promise<EmulatorJob | undefined> {
    return (await this.emulator<{ jobs: EmulatorJob[] }>('jobs')).jobs.find((j) => j.jobId === this.jobId);
  }

  /** Sends one change, follows it until it has ended and the setup synchronizes again, and says how it ended. */
  async change(what: string, send: () => Promise<Reply>): Promise<Status | undefined> {
    const before = (await this.get()).changes?.at(-1)?.id ?? 0;
    const started = Date.now();
    const answer = await send();
    if (answer.status !== 202) {
      this.ok = false;
      console.log(`${what}: ${answer.status} ${answer.body.message ?? ''}`);
      return undefined;
    }
    const ended = (s: Status) => s.changes?.some((c) => c.id > before && c.outcome !== 'applying') === true;
    const done = await until(this.get, (s) => s.phase === 'synchronizing' && ended(s), what);
    const last = done.changes?.filter((c) => c.id > before).at(-1);
    if (last?.outcome !== 'applied') this.ok = false;
    const seconds = Math.round((Date.now() - started) / 1000);
    const error = last?.error ? ` (${last.error.code ?? ''} ${last.error.message})` : '';
    console.log(`${what}: ${last?.outcome ?? '?'} in ${seconds}s, back to ${done.phase}${error}`);
    return done;
  }
}

export async function runDayTwo(api: string, token: string | undefined, emulatorUrl: string): Promise<boolean> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const id = demoSetupId();
  const session = new Session(`${api}/v1/syncs/${encodeURIComponent(id)}`, headers, emulatorUrl);
  const found = await session.get();
  if (!found.phase) throw new Error(`no demo setup ${id}: start the stack with npm start first`);
  // Left paused by an interrupted run: resumed first.
  if (found.phase === 'paused')
    await session.change('POST /resume (left paused)', () => session.call('POST', '/resume'));
  const shown = await until(session.get, (s) => s.phase === 'synchronizing', 'synchronizing');
  // Until a change names them, the status shows the request's defaults by omission.
  const status = { ...shown, databases: shown.databases ?? [{ from: 0, to: 0 }], jobClass: shown.jobClass ?? 'small' };
  session.jobId = status.dtsJobId ?? '';
  console.log(`demo setup ${id} (DTS ${session.jobId}, ${status.dtsApi ?? 'synchronizationjob'} family) synchronizes`);
  await changeDatabases(session, status);
  await upgradeClass(session, status);
  await pauseResumingByItself(session);
  await pauseThenResume(session);
  await newDestinationPassword(session);
  await addTag(session, status);
  const topology = await session.call('PATCH', '', { topology: 'oneway' });
  if (topology.status !== 409) session.ok = false;
  console.log(`PATCH topology: ${topology.status} ${topology.body.message ?? ''}`);
  return session.ok;
}

const mappings = (list?: { from: number; to: number }[]) => (list ?? []).map((d) => `${d.from}→${d.to}`).join(', ');

/** [0→0] to [0→0, 3→3] (or back, when a run before left it wider). */
async function changeDatabases(session: Session, status: Status): Promise<void> {
  const databases =
    mappings(status.databases) === '0→0'
      ? [
          { from: 0, to: 0 },
          { from: 3, to: 3 },
        ]
      : [{ from: 0, to: 0 }];
  const done = await session.change(`PATCH databases [${mappings(status.databases)}] → [${mappings(databases)}]`, () =>
    session.call('PATCH', '', { databases }),
  );
  if (!done) return;
  const objects = Object.entries((await session.dtsJob())?.directions ?? {})
    .map(([dir, d]) => `${dir} ${d?.synchronizationObjects.map((o) => o.DBName).join(',') ?? '-'}`)
    .join(', ');
  console.log(`  API databases [${mappings(done.databases)}]; DTS objects ${objects}`);
}

/** One class up (DTS cannot downgrade). */
async function upgradeClass(session: Session, status: Status): Promise<void> {
  const classes = ['micro', 'small', 'medium', 'large'];
  const next = classes[classes.indexOf(status.jobClass ?? 'small') + 1];
  if (!next) return console.log(`PATCH jobClass: already ${status.jobClass}, the largest class`);
  const done = await session.change(`PATCH jobClass ${status.jobClass} → ${next}`, () =>
    session.call('PATCH', '', { jobClass: next }),
  );
  if (done) console.log(`  API jobClass ${done.jobClass}; DTS class ${(await session.dtsJob())?.jobClass}`);
}

/** A pause that resumes by itself (the demo's is short; a real one may last up to 5h45m). */
async function pauseResumingByItself(session: Session): Promise<void> {
  const done = await session.change(`POST /pause for ${DEMO_PAUSE}, resuming by itself`, async () => {
    const answer = await session.call('POST', '/pause', { for: DEMO_PAUSE });
    if (answer.status !== 202) return answer;
    const paused = await until(session.get, (s) => s.phase === 'paused', 'paused');
    const directions = Object.entries((await session.dtsJob())?.directions ?? {})
      .map(([dir, d]) => `${dir} ${d?.status}`)
      .join(', ');
    console.log(`  paused until ${paused.paused?.resumeAt}; DTS ${directions}`);
    return answer;
  });
  if (done) console.log(`  resumed by ${done.changes?.at(-1)?.by}`);
}

async function pauseThenResume(session: Session): Promise<void> {
  const paused = await session.call('POST', '/pause', {});
  if (paused.status !== 202) {
    session.ok = false;
    return console.log(`POST /pause: ${paused.status} ${paused.body.message ?? ''}`);
  }
  await until(session.get, (s) => s.phase === 'paused', 'paused');
  console.log('POST /pause: paused');
  await session.change('POST /resume', () => session.call('POST', '/resume'));
}

/**
 * A new destination password: changed on the Redis instance first (as its owner would), then given to DTS; then
 * back to the demo's own, so `npm run demo` keeps working. The passwords are never printed.
 */
async function newDestinationPassword(session: Session): Promise<void> {
  const fresh = `demo-target-${Date.now().toString(36)}-Pa55`;
  for (const [label, password] of [
    ['a new destination password', fresh],
    ["the demo's own destination password again", DEMO_REQUEST.destination.password],
  ] as const) {
    await setRegistryPassword(session, DEMO_REQUEST.destination.instanceId, password);
    const done = await session.change(`PATCH ${label}`, () => session.call('PATCH', '', { destination: { password } }));
    if (!done) continue;
    const job = await session.dtsJob();
    const reverse = job?.directions.Reverse ? `, Reverse src ${job.directions.Reverse.source?.passwordChangedAt}` : '';
    console.log(
      `  DTS password changed at: Forward dest ${job?.directions.Forward?.destination?.passwordChangedAt ?? '-'}` +
        `${reverse}; the change shows ${JSON.stringify(done.changes?.at(-1)?.applied)}`,
    );
  }
}

async function addTag(session: Session, status: Status): Promise<void> {
  const tags = [...(status.tags ?? []), `day-two=${Date.now().toString(36)}`];
  const done = await session.change(`PATCH tags [${(status.tags ?? []).join(', ')}] → [${tags.join(', ')}]`, () =>
    session.call('PATCH', '', { tags }),
  );
  if (done) console.log(`  API tags [${(done.tags ?? []).join(', ')}]`);
}

async function setRegistryPassword(session: Session, instanceId: string, password: string): Promise<void> {
  type Listed = { instances: ({ instanceId: string } & Record<string, unknown>)[] };
  const { instances } = await session.emulator<Listed>('instances');
  const instance = instances.find((i) => i.instanceId === instanceId);
  if (instance) await session.emulator('instances', [{ ...instance, password }]);
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
