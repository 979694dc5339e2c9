import {
  ApplicationFailure,
  log,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CHANGE_KINDS,
  changeRefusal,
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
import { backoffMs, MAX_BACKOFF_MS, MUTATE, READ, type Setup, StopRequested } from './setup';

/** How many changes the status keeps (the oldest are dropped first). */
const CHANGES_KEPT = 20;
/** TransferInstanceClass places an order: one attempt per activity, so a lost answer is looked at, not resent. */
const ORDER = { startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } } as const;
/** The memo key of the request without passwords (api/sync-start.ts REQUEST_MEMO). */
const REQUEST_MEMO = 'request';

/** The `change` Update: validated (nothing starts when refused), then recorded and left to the keeper. */
export function installChangeHandler(s: Setup): void {
  setHandler(
    changeUpdate,
    (request: ChangeRequest) => {
      const id = (s.state.changeSeq ?? 0) + 1;
      s.state.changeSeq = id;
      const record: ChangeRecord = {
        id,
        kind: request.kind,
        what: whatOf(request),
        ...(request.by ? { by: request.by } : {}),
        requestedAt: new Date().toISOString(),
        outcome: 'applying',
        applied: [],
      };
      s.state.change = { id, request };
      s.tell({ changes: [...(s.status.changes ?? []), record].slice(-CHANGES_KEPT) });
      return s.status;
    },
    {
      validator: (request: ChangeRequest) => {
        if (typeof request !== 'object' || request === null || !CHANGE_KINDS.includes(request.kind))
          throw new Error(`a change is one of ${CHANGE_KINDS.join(', ')}`);
        const reason = changeRefusal(request, {
          phase: s.status.phase,
          topology: s.request.topology,
          jobClass: s.request.jobClass,
          databases: s.request.databases,
          tags: currentTags(),
          family: s.status.dtsApi ?? 'synchronizationjob',
          paused: s.state.pause !== undefined,
          ...(s.state.change ? { applying: recordOf(s, s.state.change.id) } : {}),
        });
        if (reason) throw new Error(reason);
      },
    },
  );
}

function whatOf(request: ChangeRequest): Record<string, unknown> {
  const { by: _by, kind: _kind, ...what } = request;
  return what;
}

function currentTags(): string[] {
  return [...(workflowInfo().typedSearchAttributes.get(SyncTagsKey) ?? [])];
}

function recordOf(s: Setup, id: number): ChangeRecord {
  const record = s.status.changes?.find((c) => c.id === id);
  if (record) return record;
  // Dropped from the kept list (never the one applying, which is the newest): a stand-in keeps the steps going.
  const stand: ChangeRecord = { id, kind: 'resume', what: {}, requestedAt: '', outcome: 'applying', applied: [] };
  return stand;
}

function step(s: Setup, record: ChangeRecord, done: string): void {
  record.applied.push(done);
  s.tell({});
}

/**
 * Carry out the change asked by the `change` Update, step by step; every step reads DTS before it acts,
 * so a step run again (a new run, a lost answer) sends nothing twice. A failure is recorded with what was
 * applied; the sync keeps running (a half-done pause is undone) and the change may be asked again.
 */
export async function applyChange(s: Setup): Promise<void> {
  const { id, request } = s.state.change!;
  const record = recordOf(s, id);
  log.info('applying change', { id, kind: request.kind, by: request.by });
  try {
    switch (request.kind) {
      case 'pause':
        await pauseDirections(s, record, request.forMs ?? MAX_PAUSE_MS);
        break;
      case 'databases':
        s.tell({ phase: 'changing' });
        await changeDatabases(s, record, request.databases);
        break;
      case 'jobClass':
        s.tell({ phase: 'changing' });
        await changeJobClass(s, record, request.jobClass);
        break;
      case 'tags':
        s.tell({ phase: 'changing' });
        upsertSearchAttributes([{ key: SyncTagsKey, value: [...request.tags] }]);
        step(s, record, 'tags');
        s.tell({ tags: [...request.tags] });
        break;
      case 'resume':
        // Accepted only while paused: the pause's own loop (stayPaused) takes it.
        return;
    }
    end(s, record);
  } catch (err) {
    end(s, record, err);
    if (err instanceof StopRequested) throw err;
    log.warn('change failed; the sync runs as before it', { id, kind: request.kind, error: failureMessage(err) });
  }
}

function end(s: Setup, record: ChangeRecord, err?: unknown): void {
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
  s.state.change = undefined;
  s.clearPassingError();
  s.tell({});
}

/** The request as the memo keeps it (no password): later POSTs and plans compare with what now runs. */
function rememberRequest(s: Setup): void {
  const { source, destination, ...rest } = s.request;
  upsertMemo({
    [REQUEST_MEMO]: { ...rest, source: summarizeEndpoint(source), destination: summarizeEndpoint(destination) },
  });
}

// ---- pause and resume ----

async function pauseDirections(s: Setup, record: ChangeRecord, forMs: number): Promise<void> {
  const suspended: Direction[] = [];
  try {
    for (const dir of s.directions) {
      await suspendOne(s, dir);
      suspended.push(dir);
      step(s, record, `suspend ${dir}`);
    }
  } catch (err) {
    // Never leave a two-way sync half paused: start again what was suspended.
    for (const dir of suspended) {
      await startOne(s, dir);
      step(s, record, `start ${dir} (undo)`);
    }
    throw err;
  }
  const now = Date.now();
  s.state.pause = { resumeAtMs: now + forMs, limitAtMs: now + DTS_SUSPENSION_LIMIT_MS };
  s.tell({
    phase: 'paused',
    paused: {
      since: new Date(now).toISOString(),
      resumeAt: new Date(s.state.pause.resumeAtMs).toISOString(),
      limitAt: new Date(s.state.pause.limitAtMs).toISOString(),
      ...(record.by ? { by: record.by } : {}),
    },
  });
}

async function suspendOne(s: Setup, dir: Direction): Promise<void> {
  if ((await statusOf(s, dir)) === 'suspending') return;
  try {
    await s.persist(() => s.dts(`Suspend ${dir} (pause)`, MUTATE).suspendDirection(where(s, dir)));
  } catch (err) {
    // Refused for its status: the answer of an earlier attempt was lost, or DTS is not Synchronizing. Read.
    if (!isJobStatusConflict(err)) throw err;
    if ((await statusOf(s, dir)) !== 'suspending') throw err;
  }
}

async function startOne(s: Setup, dir: Direction): Promise<void> {
  if ((await statusOf(s, dir, false)) !== 'suspending') return;
  await s.persist(() => s.dts(`Start ${dir} (resume)`, MUTATE).startDirection(where(s, dir)), { stoppable: false });
}

/** The direction's DTS status by the setup's own read (its family's), retried until DTS answers. */
async function statusOf(s: Setup, dir: Direction, stoppable = true): Promise<DtsDirectionStatus> {
  const snapshot = await s.persist(
    async () => {
      const { snapshot, failure } = await s.read(dir);
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
export async function stayPaused(s: Setup): Promise<void> {
  const pause = s.state.pause!;
  while (s.state.change?.request.kind !== 'resume' && Date.now() < pause.resumeAtMs) {
    await s.pause(pause.resumeAtMs - Date.now(), { wakeOnDtsChange: false, wakeOnChange: true });
  }
  if (s.state.change?.request.kind !== 'resume') {
    // The resume time: a change of its own, asked by the schedule.
    const id = (s.state.changeSeq ?? 0) + 1;
    s.state.changeSeq = id;
    s.state.change = { id, request: { kind: 'resume', by: 'schedule' } };
    const record: ChangeRecord = {
      id,
      kind: 'resume',
      what: {},
      by: 'schedule',
      requestedAt: new Date().toISOString(),
      outcome: 'applying',
      applied: [],
    };
    s.tell({ changes: [...(s.status.changes ?? []), record].slice(-CHANGES_KEPT) });
  }
  const record = recordOf(s, s.state.change.id);
  s.tell({ phase: 'changing' });
  try {
    for (const dir of s.directions) {
      if (await resumeOne(s, dir, pause.limitAtMs)) step(s, record, `start ${dir}`);
    }
    for (const dir of s.directions) await untilSynchronizing(s, dir);
  } catch (err) {
    if (err instanceof StopRequested) {
      end(s, record, err);
      throw err;
    }
    // DTS refuses to start the direction again (e.g. past its 6-hour limit): a human decides.
    end(s, record, err);
    s.state.pause = undefined;
    s.tell({ paused: undefined });
    enterAttention(s, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: `DTS refused to resume the paused sync: ${failureMessage(err)}`,
    });
    return;
  }
  s.state.pause = undefined;
  s.tell({ paused: undefined });
  end(s, record);
}

/** Start a suspended direction; retried until DTS answers, warning in the status as DTS's limit nears. */
async function resumeOne(s: Setup, dir: Direction, limitAtMs: number): Promise<boolean> {
  for (let attempt = 0; ; attempt += 1) {
    s.checkStop();
    try {
      const { snapshot, failure } = await s.read(dir);
      if (!snapshot) throw failure;
      if (snapshot.status !== 'suspending') return false;
      await s.dts(`Start ${dir} (resume)`, MUTATE).startDirection(where(s, dir));
      s.clearPassingError();
      return true;
    } catch (err) {
      if (isPermanent(err) && !isJobStatusConflict(err)) throw err;
      s.tell({ error: errorSummary(err) });
      if (Date.now() >= limitAtMs - PAUSE_WARNING_MS && s.status.paused && !s.status.paused.warning) {
        const warning = `the resume keeps failing; DTS cannot start the sync again after ${new Date(limitAtMs).toISOString()}`;
        log.warn(warning, { direction: dir });
        s.tell({ paused: { ...s.status.paused, warning } });
      }
      if (isJobStatusConflict(err) && attempt >= 3) throw err;
      await s.pause(backoffMs(attempt, MAX_BACKOFF_MS), { wakeOnDtsChange: false });
    }
  }
}

/** Own reads until DTS reports the direction Synchronizing again (a Failed direction is a failed change). */
async function untilSynchronizing(
  s: Setup,
  dir: Direction,
  shows: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<void> {
  const t = s.tuningMs;
  const deadline = Date.now() + t.waitDeadline;
  for (let round = 0; ; round += 1) {
    const { snapshot } = await s.read(dir);
    if (snapshot?.status === 'synchronizing' && (await shows())) return;
    if (snapshot && FAILED_DTS_STATUSES.has(snapshot.status))
      throw ApplicationFailure.nonRetryable(`${dir}: DTS reports ${snapshot.rawStatus} while applying the change`);
    if (Date.now() > deadline)
      throw ApplicationFailure.nonRetryable(`${dir} did not return to Synchronizing within ${s.request.waitDeadline}`);
    await s.pause(Math.min(t.maxPoll, t.firstPoll * 2 ** Math.min(round, 6)), { wakeOnDtsChange: false });
  }
}

/** One direction of this setup's instance, in the setup's API family (suspend and start go through it). */
function where(s: Setup, dir: Direction) {
  return {
    dtsJobId: s.status.dtsJobId!,
    regionId: s.request.region,
    direction: dir,
    ...(s.status.dtsApi ? { api: s.status.dtsApi } : {}),
  };
}

// ---- databases ----

async function changeDatabases(s: Setup, record: ChangeRecord, wanted: DatabaseMapping[]): Promise<void> {
  const change = s.state.change!;
  for (const dir of s.directions) {
    const databases = dir === 'Forward' ? wanted : wanted.map((d) => ({ from: d.to, to: d.from }));
    const label = `modify ${dir}`;
    if (!record.applied.includes(label)) {
      const { taskId } = await s.persist(() =>
        s.dts(`Modify the databases of ${dir}`, MUTATE).modifyDatabases({ ...where(s, dir), databases }),
      );
      if (taskId) change.taskIds = { ...change.taskIds, [dir]: taskId };
      step(s, record, label);
    }
    await untilObjectsApplied(s, dir, databases, change.taskIds?.[dir]);
    step(s, record, `${dir} synchronizing with the new databases`);
  }
  s.request.databases = wanted;
  rememberRequest(s);
  s.tell({ databases: wanted });
}

/** Through Modifying back to Synchronizing, with DTS's own word on the modification when its TaskId is known. */
async function untilObjectsApplied(
  s: Setup,
  dir: Direction,
  databases: DatabaseMapping[],
  taskId: string | undefined,
): Promise<void> {
  const t = s.tuningMs;
  for (let round = 0; taskId; round += 1) {
    const task = await s.persist(() =>
      s.dts(`Read the modification ${taskId}`, READ).readObjectTask({ taskId, regionId: s.request.region }),
    );
    if (task.state === 'finished') break;
    if (task.state === 'failed')
      throw ApplicationFailure.nonRetryable(
        `DTS failed to modify the databases of ${dir}${task.message ? `: ${task.message}` : ''}`,
        'ObjectModifyFailed',
      );
    await s.pause(Math.min(t.maxPoll, t.firstPoll * 2 ** Math.min(round, 6)), { wakeOnDtsChange: false });
  }
  await untilSynchronizing(s, dir, async () => {
    const facts = await s.persist(() => s.dts(`Read the databases of ${dir}`, READ).readChangeFacts(where(s, dir)));
    return sameDatabases(facts.databases, databases);
  });
}

// ---- instance class ----

async function changeJobClass(s: Setup, record: ChangeRecord, jobClass: JobClass): Promise<void> {
  const t = s.tuningMs;
  const label = `upgrade to ${jobClass}`;
  for (let attempt = 0; !record.applied.includes(label); attempt += 1) {
    s.checkStop();
    try {
      await s
        .dts(`Upgrade the instance class to ${jobClass}`, ORDER)
        .upgradeClass({ dtsJobId: s.status.dtsJobId!, regionId: s.request.region, jobClass });
      s.clearPassingError();
      step(s, record, label);
    } catch (err) {
      if (isPermanent(err)) throw err;
      s.tell({ error: errorSummary(err) });
      // No answer: the order may have been placed. Look before sending another (the activity reads first too).
      if (!hasDtsAnswer(err) && (await classShows(s, jobClass, t.maxPoll * 3))) step(s, record, label);
      else await s.pause(backoffMs(attempt, MAX_BACKOFF_MS), { wakeOnDtsChange: false });
    }
  }
  if (!(await classShows(s, jobClass, t.waitDeadline)))
    throw ApplicationFailure.nonRetryable(`DTS did not report the class ${jobClass} within ${s.request.waitDeadline}`);
  s.request.jobClass = jobClass;
  rememberRequest(s);
  s.tell({ jobClass });
}

async function classShows(s: Setup, jobClass: JobClass, withinMs: number): Promise<boolean> {
  const t = s.tuningMs;
  const until = Date.now() + withinMs;
  for (let round = 0; ; round += 1) {
    const facts = await s
      .dts('Read the instance class', READ)
      .readChangeFacts(where(s, 'Forward'))
      .catch(() => undefined);
    if (facts?.jobClass.toLowerCase() === jobClass) return true;
    if (Date.now() >= until) return false;
    await s.pause(Math.min(t.maxPoll, t.firstPoll * 2 ** Math.min(round, 6)), { wakeOnDtsChange: false });
  }
}
