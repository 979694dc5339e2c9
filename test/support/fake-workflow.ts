// A small stand-in for `@temporalio/workflow`, so the workflow steps (workflows/setup/) run as plain code in
// the test process: StrykerJS's active mutant (a global of the test process) cannot reach the workflow sandbox.
// Replace the module with it in a test file:
//   vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());
// Time is virtual: a `condition` that is not yet true moves the clock (Date.now) to its timeout, or to the next
// scripted event, and fails the test when it would wait for ever. Activities are the test's own functions.
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { vi } from 'vitest';

export type ActivityFn = (...args: never[]) => unknown;

export interface ActivityCall {
  name: string;
  input: unknown;
  atMs: number;
  /** The summary the Temporal UI shows for the activity (its options' `summary`). */
  summary?: string;
}

interface Scripted {
  atMs: number;
  run: () => void;
}

/** Thrown by the fake `continueAsNew`: the test reads the state it was handed. */
export class FakeContinueAsNew extends Error {
  constructor(readonly args: unknown[]) {
    super('continue-as-new');
    this.name = 'ContinueAsNew';
  }
}

export class FakeRuntime {
  nowMs = Date.parse('2026-01-01T00:00:00Z');
  activities: Record<string, ActivityFn> = {};
  readonly calls: ActivityCall[] = [];
  readonly handlers = new Map<string, (...args: unknown[]) => unknown>();
  /** The Updates' validators, by name (they refuse by throwing). */
  readonly validators = new Map<string, (...args: unknown[]) => void>();
  /** Child workflows asked to start (the notifiers), with their options. */
  readonly children: { workflow: string; options: Record<string, unknown> }[] = [];
  /** The options each activity was last proxied with (timeouts, retry policy, task queue). */
  readonly activityOptions = new Map<string, Record<string, unknown>>();
  /** Each gauge's declaration: value type, unit and help text. */
  readonly gaugeDeclarations = new Map<string, { valueType: string; unit: string; description: string }>();
  /** What the Temporal UI's details show (setCurrentDetails), the latest. */
  details = '';
  /** Set to make startChild fail (e.g. the id already started). */
  childError: Error | undefined = undefined;
  readonly searchAttributes: unknown[] = [];
  readonly memos: Record<string, unknown>[] = [];
  /** Gauge values set, in order (counters and histograms are not recorded). */
  readonly gauges: { name: string; value: number; attributes?: Record<string, unknown> }[] = [];
  /** Patches the fake answers false for (an old run); every other patch is taken. */
  readonly unpatched = new Set<string>();
  readonly patchesAsked = new Set<string>();
  info = {
    workflowId: 'redis-sync.test',
    runId: 'run-2',
    firstExecutionRunId: 'run-1',
    taskQueue: 'tq',
    historyLength: 10,
    continueAsNewSuggested: false,
    /** The run's typed search attributes (the setup's tags as SyncTags): `tags` answers every key. */
    typedSearchAttributes: { get: (_key: unknown): string[] | undefined => this.tags },
  };
  /** The setup's tags the fake search attributes hold (SyncTags). */
  tags: string[] | undefined = undefined;
  /** Waits (condition/sleep) so far: a step that loops for ever fails the test instead of hanging it. */
  waits = 0;
  maxWaits = 2_000;
  private scripted: Scripted[] = [];

  /** Runs `run` once the virtual clock reaches `afterMs` from now (a signal, an operator, DTS changing). */
  at(afterMs: number, run: () => void): void {
    this.scripted.push({ atMs: this.nowMs + afterMs, run });
    this.scripted.sort((a, b) => a.atMs - b.atMs);
  }

  /** The calls of one activity, in order. */
  callsOf(name: string): ActivityCall[] {
    return this.calls.filter((c) => c.name === name);
  }

  private runDue(): void {
    while (this.scripted.length > 0 && this.scripted[0]!.atMs <= this.nowMs) this.scripted.shift()!.run();
  }

  private advanceTo(ms: number): void {
    this.nowMs = Math.max(this.nowMs, ms);
    vi.setSystemTime(this.nowMs);
    this.runDue();
  }

  async condition(fn: () => boolean, timeoutMs?: number): Promise<boolean> {
    this.waits += 1;
    if (this.waits > this.maxWaits) throw new Error(`more than ${this.maxWaits} waits: the step loops for ever`);
    await Promise.resolve();
    this.runDue();
    if (fn()) return true;
    const until = timeoutMs === undefined ? Infinity : this.nowMs + timeoutMs;
    while (this.scripted.length > 0 && this.scripted[0]!.atMs <= until) {
      this.advanceTo(this.scripted[0]!.atMs);
      if (fn()) return true;
    }
    if (until === Infinity) throw new Error('condition waits for ever: nothing scripted would make it true');
    this.advanceTo(until);
    return fn();
  }

  async activity(name: string, args: unknown[], summary?: string): Promise<unknown> {
    this.calls.push({ name, input: args[0], atMs: this.nowMs, ...(summary === undefined ? {} : { summary }) });
    const fn = this.activities[name];
    if (!fn) throw new Error(`the test gave no activity ${name}`);
    try {
      return await (fn as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      // What the workflow sees of an activity's failure: an ActivityFailure caused by it.
      if (err instanceof ApplicationFailure)
        throw new ActivityFailure(
          `activity ${name} failed`,
          name,
          undefined,
          RetryState.MAXIMUM_ATTEMPTS_REACHED,
          undefined,
          err,
        );
      throw err;
    }
  }
}

/** The runtime the fake module works with; `resetRuntime()` gives each test a fresh one. */
export let runtime = new FakeRuntime();
export function resetRuntime(): FakeRuntime {
  runtime = new FakeRuntime();
  // Only Date is faked: the steps' promises still settle as usual.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(runtime.nowMs);
  return runtime;
}

const noop = () => undefined;
const instrument = { add: noop, record: noop, set: noop };

/** The module `vi.mock('@temporalio/workflow', …)` returns. */
export function fakeWorkflowModule() {
  return {
    ActivityFailure,
    ApplicationFailure,
    CancelledFailure,
    ContinueAsNew: FakeContinueAsNew,
    ParentClosePolicy: { ABANDON: 'ABANDON', TERMINATE: 'TERMINATE', REQUEST_CANCEL: 'REQUEST_CANCEL' },
    CancellationScope: {
      current: () => ({ cancelRequested: new Promise(noop) }),
      nonCancellable: <T>(fn: () => Promise<T>) => fn(),
    },
    log: { debug: noop, info: noop, warn: noop, error: noop },
    metricMeter: {
      createCounter: () => instrument,
      createHistogram: () => instrument,
      createGauge: (name: string, valueType: string, unit: string, description: string) => {
        runtime.gaugeDeclarations.set(name, { valueType, unit, description });
        return {
          set: (value: number, attributes?: Record<string, unknown>) =>
            runtime.gauges.push({ name, value, attributes }),
        };
      },
    },
    defineSignal: (name: string) => ({ type: 'signal', name }),
    defineQuery: (name: string) => ({ type: 'query', name }),
    defineUpdate: (name: string) => ({ type: 'update', name }),
    setHandler: (
      def: { name: string },
      fn: (...args: unknown[]) => unknown,
      options?: { validator?: (...args: unknown[]) => void },
    ) => {
      runtime.handlers.set(def.name, fn);
      if (options?.validator) runtime.validators.set(def.name, options.validator);
    },
    condition: (fn: () => boolean, timeout?: number | string) =>
      runtime.condition(fn, typeof timeout === 'string' ? Number.parseInt(timeout, 10) : timeout),
    sleep: (ms: number) => runtime.condition(() => false, ms).then(noop),
    patched: (id: string) => {
      runtime.patchesAsked.add(id);
      return !runtime.unpatched.has(id);
    },
    deprecatePatch: noop,
    workflowInfo: () => runtime.info,
    proxyActivities: (options?: { summary?: string }) =>
      new Proxy(
        {},
        {
          get:
            (_t, name: string) =>
            (...args: unknown[]) => {
              runtime.activityOptions.set(name, { ...options });
              return runtime.activity(name, args, options?.summary);
            },
        },
      ),
    upsertSearchAttributes: (attributes: unknown) => runtime.searchAttributes.push(attributes),
    upsertMemo: (memo: Record<string, unknown>) => runtime.memos.push(memo),
    setCurrentDetails: (details: string) => {
      runtime.details = details;
    },
    continueAsNew: (...args: unknown[]) => Promise.reject(new FakeContinueAsNew(args)),
    startChild: (workflow: { name: string }, options: Record<string, unknown>) => {
      runtime.children.push({ workflow: workflow.name, options });
      if (runtime.childError) return Promise.reject(runtime.childError);
      return Promise.resolve({ workflowId: options.workflowId, result: () => new Promise(noop) });
    },
    uuid4: () => '00000000-0000-4000-8000-000000000000',
  };
}
