import {
  ApplicationFailure,
  log,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CHANGE_KINDS,
  changeRefusal,
  changeWhat,
  type EndpointSide,
  sameDatabases,
  DTS_SUSPENSION_LIMIT_MS,
  MAX_PAUSE_MS,
  PAUSE_WARNING_MS,
  type ChangeRecord,
  type ChangeRequest,
} from '../../core/changes';
import { changeUpdate } from '../../core/messages';
import { SyncTagsKey } from '../../core/search-attributes';
import { FAILED_DTS_STATUSES } from '../../core/normalize-dts';
import {
  summarizeEndpoint,
  type DatabaseMapping,
  type Direction,
  type DtsDirectionStatus,
  type JobClass,
} from '../../core/types';
import { enterAttention } from './attention';
import { errorSummary, failureMessage, hasDtsAnswer, isJobStatusConflict, isPermanent } from './failures';
import { backoffMs, DTS_CALL, MAX_BACKOFF_MS } from '../../core/timing';
import { DAY_TWO_DTSJOB_PATCH, RENEW_TAGS_PATCH } from './patches';
import { type Setup, StopRequested } from './setup';
import { renew, retag } from './subscription';

/** How many changes the status keeps (the oldest are dropped first). */
const CHANGES_KEPT = 20;
/** TransferInstanceClass places an order: one attempt per activity, so a lost answer is looked at, not resent. */
const ORDER = { startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } } as const;
/** The memo key of the request without passwords (api/sync-start.ts REQUEST_MEMO). */
const REQUEST_MEMO = 'request';

/** The `change` Update: validated (nothing starts when refused), then recorded and left to the monitor (monitor.ts). */
export function installChangeHandler(setup: Setup): void {
  setHandler(
    changeUpdate,
    (request: ChangeRequest) => {
      askChange(setup, request);
      return setup.status;
    },
    {
      validator: (request: ChangeRequest) => {
        if (typeof request !== 'object' || request === null || !CHANGE_KINDS.includes(request.kind))
          throw new Error(`a change is one of ${CHANGE_KINDS.join(', ')}`);
        const reason = changeRefusal(request, {
          phase: setup.status.phase,
          topology: setup.request.topology,
          jobClass: setup.request.jobClass,
          databases: setup.request.databases,
          tags: currentTags(),
          family: setup.state.api ?? 'synchronizationjob',
          payType: setup.status.payType,
          paused: setup.state.pause !== undefined,
          ...(setup.state.change ? { applying: recordOf(setup, setup.state.change.id) } : {}),
        });
        if (reason) throw new Error(reason);
      },
    },
  );
}

/** A change accepted (by the Update, or by the setup itself): recorded, then carried out by the monitor. */
export function askChange(setup: Setup, request: ChangeRequest): void {
  const id = (setup.state.changeSeq ?? 0) + 1;
  setup.state.changeSeq = id;
  const record: ChangeRecord = {
    id,
    kind: request.kind,
    what: changeWhat(request),
    ...(request.by ? { by: request.by } : {}),
    requestedAt: new Date().toISOString(),
    outcome: 'applying',
    applied: [],
  };
  setup.state.change = { id, request };
  setup.updateStatus({ changes: [...(setup.status.changes ?? []), record].slice(-CHANGES_KEPT) });
}

function currentTags(): string[] {
  return [...(workflowInfo().typedSearchAttributes.get(SyncTagsKey) ?? [])];
}

function recordOf(setup: Setup, id: number): ChangeRecord {
  const record = setup.status.changes?.find((c) => c.id === id);
  if (record) return record;
  // Dropped from the kept list (never the one applying, which is the newest): a stand-in keeps the steps going.
  const stand: ChangeRecord = { id, kind: 'resume', what: {}, requestedAt: '', outcome: 'applying', applied: [] };
  return stand;
}

function step(setup: Setup, record: ChangeRecord, done: string): void {
  record.applied.push(done);
  setup.updateStatus({});
}

/**
 * Carry out the change asked by the `change` Update, step by step; every step reads DTS before it acts,
 * so a step run again (a new run, a lost answer) sends nothing twice. A failure is recorded with what was
 * applied; the sync keeps running (a half-done pause is undone) and the change may be asked again.
 */
export async function applyChange(setup: Setup): Promise<void> {
  const { id, request } = setup.state.change!;
  const record = recordOf(setup, id);
  log.info('applying change', { id, kind: request.kind, by: request.by });
  try {
    if (request.kind === 'databases' || request.kind === 'jobClass' || request.kind === 'password') {
      // Accepted for the DtsJob family only by builds with its operations; the legacy family's path is unchanged.
      const family = setup.state.api ?? 'synchronizationjob';
      if (family !== 'synchronizationjob' && !patched(DAY_TWO_DTSJOB_PATCH))
        throw ApplicationFailure.nonRetryable(`a ${request.kind} change is not available for the ${family} family`);
    }
    switch (request.kind) {
      case 'pause':
        await pauseDirections(setup, record, request.forMs ?? MAX_PAUSE_MS);
        break;
      case 'databases':
        setup.updateStatus({ phase: 'changing' });
        await changeDatabases(setup, record, request.databases);
        break;
      case 'jobClass':
        setup.updateStatus({ phase: 'changing' });
        await changeJobClass(setup, record, request.jobClass);
        break;
      case 'tags':
        setup.updateStatus({ phase: 'changing' });
        // On the DTS instance too (older runs only labelled the setup).
        if (patched(RENEW_TAGS_PATCH)) await retag(setup, record, request.tags);
        upsertSearchAttributes([{ key: SyncTagsKey, value: [...request.tags] }]);
        step(setup, record, 'tags');
        setup.updateStatus({ tags: [...request.tags] });
        break;
      case 'renew':
        setup.updateStatus({ phase: 'changing' });
        await renew(setup, record, { period: request.period, usedTime: request.usedTime });
        break;
      case 'password':
        setup.updateStatus({ phase: 'changing' });
        await changePassword(setup, record, request.endpoint, request.password);
        break;
      case 'resume':
        // Accepted only while paused: the pause's own loop (stayPaused) takes it.
        return;
    }
    end(setup, record);
  } catch (err) {
    end(setup, record, err);
    if (err instanceof StopRequested) throw err;
    log.warn('change failed; the sync runs as before it', { id, kind: request.kind, error: failureMessage(err) });
  }
}

function end(setup: Setup, record: ChangeRecord, err?: unknown): void {
  record.endedAt = new Date().toISOString();
  if (err === undefined) record.outcome = 'applied';
  else {
    record.outcome = 'failed';
    const summary =
      err instanceof StopRequested
        ? { type: 'StopRequested', message: `ended by a ${err.stop} request` }
        : errorSummary(err);
    record.error = { type: summary.type, message: summary.message, ...(summary.code ? { code: summary.code } : {}) };
  }
  setup.state.change = undefined;
  setup.clearPassingError();
  setup.updateStatus({});
}

/** The request as the memo keeps it (no password): later POSTs and plans compare with what now runs. */
function rememberRequest(setup: Setup): void {
  const { source, destination, ...rest } = setup.request;
  upsertMemo({
    [REQUEST_MEMO]: { ...rest, source: summarizeEndpoint(source), destination: summarizeEndpoint(destination) },
  });
}

// ---- pause and resume ----

async function pauseDirections(setup: Setup, record: ChangeRecord, forMs: number): Promise<void> {
  const suspended: Direction[] = [];
  try {
    for (const dir of setup.directions) {
      await suspendOne(setup, dir);
      suspended.push(dir);
      step(setup, record, `suspend ${dir}`);
    }
  } catch (err) {
    // Never leave a two-way sync half paused: start again what was suspended.
    for (const dir of suspended) {
      await startOne(setup, dir);
      step(setup, record, `start ${dir} (undo)`);
    }
    throw err;
  }
  const now = Date.now();
  setup.state.pause = { resumeAtMs: now + forMs, limitAtMs: now + DTS_SUSPENSION_LIMIT_MS };
  setup.updateStatus({
    phase: 'paused',
    paused: {
      since: new Date(now).toISOString(),
      resumeAt: new Date(setup.state.pause.resumeAtMs).toISOString(),
      limitAt: new Date(setup.state.pause.limitAtMs).toISOString(),
      ...(record.by ? { by: record.by } : {}),
    },
  });
}

async function suspendOne(setup: Setup, dir: Direction): Promise<void> {
  if ((await statusOf(setup, dir)) === 'suspending') return;
  try {
    await setup.callWithRetries(() => setup.dts(`Suspend ${dir} (pause)`, DTS_CALL).suspendDirection(setup.where(dir)));
  } catch (err) {
    // Refused for its status: the answer of an earlier attempt was lost, or DTS is not Synchronizing. Read.
    if (!isJobStatusConflict(err)) throw err;
    if ((await statusOf(setup, dir)) !== 'suspending') throw err;
  }
}

async function startOne(setup: Setup, dir: Direction): Promise<void> {
  if ((await statusOf(setup, dir, false)) !== 'suspending') return;
  await setup.callWithRetries(() => setup.dts(`Start ${dir} (resume)`, DTS_CALL).startDirection(setup.where(dir)), {
    stoppable: false,
  });
}

/** The direction's DTS status by the setup's own read (its family's), retried until DTS answers. */
async function statusOf(setup: Setup, dir: Direction, stoppable = true): Promise<DtsDirectionStatus> {
  const snapshot = await setup.callWithRetries(
    async () => {
      const { snapshot, failure } = await setup.read(dir);
      if (!snapshot) throw failure;
      return snapshot;
    },
    { stoppable },
  );
  return snapshot.status;
}

/**
 * Paused on request: wait for a resume request or the resume time, then start both directions and wait for
 * Synchronizing. A stop request ends the pause (the teardown releases as usual).
 */
export async function stayPaused(setup: Setup): Promise<void> {
  const pause = setup.state.pause!;
  while (setup.state.change?.request.kind !== 'resume' && Date.now() < pause.resumeAtMs) {
    await setup.pause(pause.resumeAtMs - Date.now(), { wakeOnDtsChange: false, wakeOnChange: true });
  }
  if (setup.state.change?.request.kind !== 'resume') {
    // The resume time: a change of its own, asked by the schedule.
    const id = (setup.state.changeSeq ?? 0) + 1;
    setup.state.changeSeq = id;
    setup.state.change = { id, request: { kind: 'resume', by: 'schedule' } };
    const record: ChangeRecord = {
      id,
      kind: 'resume',
      what: {},
      by: 'schedule',
      requestedAt: new Date().toISOString(),
      outcome: 'applying',
      applied: [],
    };
    setup.updateStatus({ changes: [...(setup.status.changes ?? []), record].slice(-CHANGES_KEPT) });
  }
  const record = recordOf(setup, setup.state.change.id);
  setup.updateStatus({ phase: 'changing' });
  try {
    for (const dir of setup.directions) {
      if (await resumeOne(setup, dir, pause.limitAtMs)) step(setup, record, `start ${dir}`);
    }
    for (const dir of setup.directions) await untilSynchronizing(setup, dir);
  } catch (err) {
    if (err instanceof StopRequested) {
      end(setup, record, err);
      throw err;
    }
    // DTS refuses to start the direction again (e.g. past its 6-hour limit): a human decides.
    end(setup, record, err);
    setup.state.pause = undefined;
    setup.updateStatus({ paused: undefined });
    enterAttention(setup, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: `DTS refused to resume the paused sync: ${failureMessage(err)}`,
    });
    return;
  }
  setup.state.pause = undefined;
  setup.updateStatus({ paused: undefined });
  end(setup, record);
}

/** Start a suspended direction; retried until DTS answers, warning in the status as DTS's limit nears. */
async function resumeOne(setup: Setup, dir: Direction, limitAtMs: number): Promise<boolean> {
  for (let attempt = 0; ; attempt += 1) {
    setup.checkStop();
    try {
      const { snapshot, failure } = await setup.read(dir);
      if (!snapshot) throw failure;
      if (snapshot.status !== 'suspending') return false;
      await setup.dts(`Start ${dir} (resume)`, DTS_CALL).startDirection(setup.where(dir));
      setup.clearPassingError();
      return true;
    } catch (err) {
      if (isPermanent(err) && !isJobStatusConflict(err)) throw err;
      setup.updateStatus({ error: errorSummary(err) });
      if (Date.now() >= limitAtMs - PAUSE_WARNING_MS && setup.status.paused && !setup.status.paused.warning) {
        const warning = `the resume keeps failing; DTS cannot start the sync again after ${new Date(limitAtMs).toISOString()}`;
        log.warn(warning, { direction: dir });
        setup.updateStatus({ paused: { ...setup.status.paused, warning } });
      }
      if (isJobStatusConflict(err) && attempt >= 3) throw err;
      await setup.pause(backoffMs(attempt, MAX_BACKOFF_MS), { wakeOnDtsChange: false });
    }
  }
}

/** Own reads until DTS reports the direction Synchronizing again (a Failed direction is a failed change). */
async function untilSynchronizing(
  setup: Setup,
  dir: Direction,
  shows: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<void> {
  const t = setup.tuningMs;
  const deadline = Date.now() + t.waitDeadline;
  for (let round = 0; ; round += 1) {
    const { snapshot } = await setup.read(dir);
    if (snapshot?.status === 'synchronizing' && (await shows())) return;
    if (snapshot && FAILED_DTS_STATUSES.has(snapshot.status))
      throw ApplicationFailure.nonRetryable(`${dir}: DTS reports ${snapshot.rawStatus} while applying the change`);
    if (Date.now() > deadline)
      throw ApplicationFailure.nonRetryable(
        `${dir} did not return to Synchronizing within ${setup.request.waitDeadline}`,
      );
    await setup.pause(Math.min(t.maxPoll, t.firstPoll * 2 ** Math.min(round, 6)), { wakeOnDtsChange: false });
  }
}

// ---- databases ----

async function changeDatabases(setup: Setup, record: ChangeRecord, wanted: DatabaseMapping[]): Promise<void> {
  const change = setup.state.change!;
  for (const dir of setup.directions) {
    const databases = dir === 'Forward' ? wanted : wanted.map((d) => ({ from: d.to, to: d.from }));
    const label = `modify ${dir}`;
    if (!record.applied.includes(label)) {
      const { taskId } = await setup.callWithRetries(() =>
        setup.dts(`Modify the databases of ${dir}`, DTS_CALL).modifyDatabases({ ...setup.where(dir), databases }),
      );
      if (taskId) change.taskIds = { ...change.taskIds, [dir]: taskId };
      step(setup, record, label);
    }
    await untilObjectsApplied(setup, dir, databases, change.taskIds?.[dir]);
    step(setup, record, `${dir} synchronizing with the new databases`);
  }
  setup.request.databases = wanted;
  rememberRequest(setup);
  setup.updateStatus({ databases: wanted });
}

/** Through Modifying back to Synchronizing, with DTS's own word on the modification when its TaskId is known. */
async function untilObjectsApplied(
  setup: Setup,
  dir: Direction,
  databases: DatabaseMapping[],
  taskId: string | undefined,
): Promise<void> {
  const t = setup.tuningMs;
  for (let round = 0; taskId; round += 1) {
    const task = await setup.callWithRetries(() =>
      setup.dts(`Read the modification ${taskId}`, DTS_CALL).readObjectTask({ taskId, regionId: setup.request.region }),
    );
    if (task.state === 'finished') break;
    if (task.state === 'failed')
      throw ApplicationFailure.nonRetryable(
        `DTS failed to modify the databases of ${dir}${task.message ? `: ${task.message}` : ''}`,
        'ObjectModifyFailed',
      );
    await setup.pause(Math.min(t.maxPoll, t.firstPoll * 2 ** Math.min(round, 6)), { wakeOnDtsChange: false });
  }
  await untilSynchronizing(setup, dir, async () => {
    const facts = await setup.callWithRetries(() =>
      setup.dts(`Read the databases of ${dir}`, DTS_CALL).readChangeFacts(setup.where(dir)),
    );
    return sameDatabases(facts.databases, databases);
  });
}

// ---- instance class ----

async function changeJobClass(setup: Setup, record: ChangeRecord, jobClass: JobClass): Promise<void> {
  const t = setup.tuningMs;
  const label = `upgrade to ${jobClass}`;
  for (let attempt = 0; !record.applied.includes(label); attempt += 1) {
    setup.checkStop();
    try {
      await setup
        .dts(`Upgrade the instance class to ${jobClass}`, ORDER)
        .upgradeClass({ ...setup.where('Forward'), jobClass });
      setup.clearPassingError();
      step(setup, record, label);
    } catch (err) {
      if (isPermanent(err)) throw err;
      setup.updateStatus({ error: errorSummary(err) });
      // No answer: the order may have been placed. Look before sending another (the activity reads first too).
      if (!hasDtsAnswer(err) && (await classShows(setup, jobClass, t.maxPoll * 3))) step(setup, record, label);
      else await setup.pause(backoffMs(attempt, MAX_BACKOFF_MS), { wakeOnDtsChange: false });
    }
  }
  if (!(await classShows(setup, jobClass, t.waitDeadline)))
    throw ApplicationFailure.nonRetryable(
      `DTS did not report the class ${jobClass} within ${setup.request.waitDeadline}`,
    );
  setup.request.jobClass = jobClass;
  rememberRequest(setup);
  setup.updateStatus({ jobClass });
}

async function classShows(setup: Setup, jobClass: JobClass, withinMs: number): Promise<boolean> {
  const t = setup.tuningMs;
  const until = Date.now() + withinMs;
  for (let round = 0; ; round += 1) {
    const facts = await setup
      .dts('Read the instance class', DTS_CALL)
      .readChangeFacts(setup.where('Forward'))
      .catch(() => undefined);
    if (facts?.jobClass.toLowerCase() === jobClass) return true;
    if (Date.now() >= until) return false;
    await setup.pause(Math.min(t.maxPoll, t.firstPoll * 2 ** Math.min(round, 6)), { wakeOnDtsChange: false });
  }
}

// ---- a new Redis password (DtsJob family) ----

/**
 * ModifyDtsJobPassword on every task that reaches this end (a two-way setup's Reverse task has it as its other
 * end), then each direction back to Synchronizing. The password lives only in the (encrypted) Update and activity
 * payloads and the setup's request; the change's record names the end only.
 */
async function changePassword(
  setup: Setup,
  record: ChangeRecord,
  endpoint: EndpointSide,
  password: string,
): Promise<void> {
  const userName = setup.request[endpoint].username;
  const earlier = setup.state.rekey;
  const done = earlier?.endpoint === endpoint && earlier.password === password ? [...earlier.done] : [];
  for (const dir of setup.directions) {
    const end = (endpoint === 'source') === (dir === 'Forward') ? 'src' : 'dest';
    const label = `new ${endpoint} password on ${dir} (${end})`;
    if (record.applied.includes(label)) continue;
    if (!done.includes(dir)) {
      await setup.callWithRetries(() =>
        setup
          .dts(`New ${endpoint} password on ${dir}`, DTS_CALL)
          .modifyPassword({ ...setup.where(dir), endpoint: end, ...(userName ? { userName } : {}), password }),
      );
      done.push(dir);
      setup.state.rekey = { endpoint, password, done: [...done] };
    }
    step(setup, record, label);
  }
  setup.state.rekey = undefined;
  // Later configures (a reset, a restart) use the new password.
  setup.request[endpoint] = { ...setup.request[endpoint], password };
  for (const dir of setup.directions) await untilSynchronizing(setup, dir);
  step(setup, record, 'synchronizing with the new password');
}
