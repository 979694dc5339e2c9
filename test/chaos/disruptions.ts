import { inBothFamilies, type ApiMix } from './families';
import type { ManagedProcess } from './processes';
import { sleep } from './processes';
import type { Random } from './random';
import { runScenario, SCENARIO_KINDS, type ScenarioKind, type ScenarioTimings } from './scenarios';
import type { Setup } from './setups';
import type { ChaosStack } from './stack';

export interface DisruptionPlan {
  /** Pause between two disruptions, ms. */
  gapMs: [number, number];
  /** Budgets; Infinity = as many as fit in the run. */
  workerKills: number;
  emulatorRestarts: number;
  temporalRestarts: number;
  faultBursts: number;
  /** Probabilistic faults kept on the emulator all run long (re-injected after each restart). */
  backgroundFaults: boolean;
  /** Budgets of the scenarios against running syncs and endings (scenarios.ts); none when absent. */
  scenarios?: Partial<Record<ScenarioKind, number>>;
  timings?: ScenarioTimings;
}

type Kind = 'worker-kill' | 'emulator-restart' | 'temporal-restart' | 'fault-burst' | ScenarioKind;
/** One round of disruptions; worker kills and fault bursts are cheap, so twice as many. */
const ROUND: Kind[] = [
  'worker-kill',
  'fault-burst',
  'emulator-restart',
  'temporal-restart',
  'worker-kill',
  'fault-burst',
  ...SCENARIO_KINDS,
];
const DEFAULT_TIMINGS: ScenarioTimings = {
  credentialOutageMs: 120_000,
  suspendMs: 60_000,
  teardownOutageMs: 31 * 60_000 * 0.25,
};
const MUTATING = [
  'CreateSynchronizationJob',
  'ConfigureSynchronizationJob',
  'StartSynchronizationJob',
  'DeleteSynchronizationJob',
];

/**
 * Kills, restarts and faults, one at a time, at random moments. Also a supervisor: a process
 * that dies on its own (a worker giving up on a lost server) is started again, like an
 * orchestrator would.
 */
export class Disruptor {
  readonly done: Record<Kind, number> = {
    'worker-kill': 0,
    'emulator-restart': 0,
    'temporal-restart': 0,
    'fault-burst': 0,
    ...(Object.fromEntries(SCENARIO_KINDS.map((k) => [k, 0])) as Record<ScenarioKind, number>),
  };
  readonly events: string[] = [];
  /** Faults a scenario holds for a while; put back after every emulator restart. */
  private readonly held = new Set<Record<string, unknown>[]>();
  /** Scenarios last long (minutes of outage): they run beside the other disruptions. */
  private readonly scenariosRunning = new Set<Promise<void>>();
  private busy = false;
  private queue: Kind[] = [];
  private stopped = false;

  constructor(
    private readonly stack: ChaosStack,
    private readonly random: Random,
    private readonly plan: DisruptionPlan,
    private readonly options: {
      dtsTimeoutMs: number;
      synchronizingInstance: () => string | undefined;
      log: (line: string) => void;
      setups: Setup[];
      seed: number;
      apis: ApiMix;
    },
  ) {}

  /** The run's steady drizzle of faults: every mutating call may apply and lose its answer. */
  backgroundFaults(): Record<string, unknown>[] {
    if (!this.plan.backgroundFaults) return [];
    const lateMs = this.options.dtsTimeoutMs + 1_000;
    return [
      { action: '*', kind: 'throttling', probability: 0.05 },
      { action: '*', kind: 'reset-connection', probability: 0.02 },
      { action: '*', kind: 'bad-gateway-html', probability: 0.02 },
      { action: 'CreateSynchronizationJob', kind: 'delay-after', delayMs: lateMs, probability: 0.25 },
      { action: 'CreateSynchronizationJob', kind: 'drop-after', probability: 0.15 },
      { action: 'ConfigureSynchronizationJob', kind: 'delay-after', delayMs: lateMs, probability: 0.2 },
      { action: 'ConfigureSynchronizationJob', kind: 'drop-after', probability: 0.15 },
      { action: 'StartSynchronizationJob', kind: 'delay-after', delayMs: lateMs, probability: 0.3 },
      { action: 'StartSynchronizationJob', kind: 'drop-after', probability: 0.3 },
      { action: 'DeleteSynchronizationJob', kind: 'drop-after', probability: 0.2 },
    ];
  }

  async injectBackgroundFaults(): Promise<void> {
    for (const fault of [...this.backgroundFaults(), ...[...this.held].flat()]) await this.fault(fault);
  }

  /** Every fault is written with the legacy action and also names the DtsJob one (test/chaos/families.ts). */
  private async fault(fault: Record<string, unknown>): Promise<void> {
    for (const each of inBothFamilies(fault)) await this.stack.admin('faults', each);
  }

  /** Holds faults for `ms`, then takes them (and only them, with any burst in flight) away again. */
  private async hold(faults: Record<string, unknown>[], ms: number): Promise<void> {
    this.held.add(faults);
    for (const fault of faults) await this.fault(fault);
    await sleep(ms);
    this.held.delete(faults);
    if (this.stopped) return; // calm() clears everything
    await this.stack.admin('faults', undefined, 'DELETE');
    await this.injectBackgroundFaults();
  }

  private note(line: string): void {
    const stamped = `${new Date().toISOString()} ${line}`;
    this.events.push(stamped);
    this.options.log(`chaos: ${line}`);
  }

  /** Disrupts until `until()` says the run is over. */
  async run(until: () => boolean): Promise<void> {
    while (!until() && !this.stopped) {
      await sleep(this.random.between(...this.plan.gapMs));
      if (until() || this.stopped) break;
      const kind = this.nextKind();
      if (!kind) break;
      if ((SCENARIO_KINDS as readonly string[]).includes(kind)) {
        this.startScenario(kind as ScenarioKind);
        continue;
      }
      while (this.busy) await sleep(100); // the supervisor is restarting something
      this.busy = true;
      try {
        await this.disrupt(kind);
        this.done[kind] += 1;
      } catch (err) {
        this.note(`${kind} went wrong: ${String(err)}`);
      } finally {
        this.busy = false;
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private startScenario(kind: ScenarioKind): void {
    this.done[kind] += 1;
    const running: Promise<void> = runScenario(kind, {
      stack: this.stack,
      random: this.random,
      setups: this.options.setups,
      seed: this.options.seed,
      timings: this.plan.timings ?? DEFAULT_TIMINGS,
      apis: this.options.apis,
      hold: (faults, ms) => this.hold(faults, ms),
      fault: (fault) => this.fault(fault),
      note: (line) => this.note(line),
    })
      .then((happened) => {
        if (!happened) this.done[kind] -= 1; // nothing to act on yet: a later round tries again
      })
      .catch((err: unknown) => this.note(`${kind} went wrong: ${String(err)}`))
      .finally(() => this.scenariosRunning.delete(running));
    this.scenariosRunning.add(running);
  }

  /**
   * Shuffled rounds, so every kind happens early and often whatever the seed (pure weighting
   * could leave a short run without a single server restart).
   */
  private nextKind(): Kind | undefined {
    const budget: Record<Kind, number> = {
      'worker-kill': this.plan.workerKills,
      'emulator-restart': this.plan.emulatorRestarts,
      'temporal-restart': this.plan.temporalRestarts,
      'fault-burst': this.plan.faultBursts,
      ...(Object.fromEntries(SCENARIO_KINDS.map((k) => [k, this.plan.scenarios?.[k] ?? 0])) as Record<
        ScenarioKind,
        number
      >),
    };
    for (let refills = 0; refills < 2; refills += 1) {
      while (this.queue.length > 0) {
        const kind = this.queue.shift()!;
        if (this.done[kind] < budget[kind]) return kind;
      }
      // Popping checks the budget again, so a round may hold more of a kind than is left.
      const round = ROUND.filter((k) => this.done[k] < budget[k]);
      for (let i = round.length - 1; i > 0; i -= 1) {
        const j = Math.floor(this.random.next() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
      this.queue = round;
    }
    return undefined;
  }

  private async disrupt(kind: Kind): Promise<void> {
    const { worker, emulator, temporal } = this.stack;
    switch (kind) {
      case 'worker-kill': {
        const downMs = this.random.int(0, 3_000);
        this.note(`SIGKILL worker, down ${downMs} ms`);
        await worker.restart('SIGKILL', downMs);
        return;
      }
      case 'emulator-restart': {
        const signal = this.random.pick(['SIGKILL', 'SIGTERM'] as const);
        const downMs = this.random.int(0, 3_000);
        this.note(`${signal} emulator, down ${downMs} ms`);
        await emulator.restart(signal, downMs);
        // Faults live in the emulator's memory only.
        await this.injectBackgroundFaults();
        return;
      }
      case 'temporal-restart': {
        const signal = this.random.pick(['SIGKILL', 'SIGTERM'] as const);
        const downMs = this.random.int(500, 3_000);
        this.note(`${signal} Temporal server, down ${downMs} ms`);
        await temporal.restart(signal, downMs);
        return;
      }
      case 'fault-burst': {
        const fault = this.burst();
        this.note(`fault burst ${JSON.stringify(fault)}`);
        await this.fault(fault);
      }
    }
  }

  private burst(): Record<string, unknown> {
    const action = this.random.pick(MUTATING);
    const lateMs = this.options.dtsTimeoutMs + 1_000;
    const instanceId = this.options.synchronizingInstance();
    const choices: Record<string, unknown>[] = [
      { action: '*', kind: 'throttling', probability: 0.6, count: 40 },
      {
        action: '*',
        kind: this.random.pick(['unavailable', 'internal-error', 'bad-gateway-html', 'reset-connection']),
        count: 8,
      },
      { action, kind: 'delay-after', delayMs: lateMs, count: 3 },
      { action, kind: 'drop-after', count: 3 },
      { action, kind: 'delay-before', delayMs: lateMs, count: 3 },
      // A synchronizing direction fails: the keeper must restart it (Start, not configure again).
      ...(instanceId ? [{ kind: 'fail-later', instanceId, afterMs: 500, message: 'chaos: injected failure' }] : []),
    ];
    return this.random.pick(choices);
  }

  /** Starts again whatever died on its own; re-injects faults into a fresh emulator. */
  async supervise(until: () => boolean): Promise<void> {
    while (!until()) {
      await sleep(1_000);
      if (this.busy) continue;
      for (const p of [this.stack.temporal, this.stack.emulator, this.stack.worker] as ManagedProcess[]) {
        if (p.running) continue;
        this.busy = true;
        try {
          this.note(`${p.spec.name} died on its own (${p.unexpectedExits} so far): starting it again`);
          await p.start();
          if (p === this.stack.emulator) await this.injectBackgroundFaults();
        } catch (err) {
          this.note(`could not restart ${p.spec.name}: ${String(err)}`);
        } finally {
          this.busy = false;
        }
      }
    }
  }

  /** Everything up, faults off: the end of the storm (scenarios finish their outages first). */
  async calm(): Promise<void> {
    while (this.scenariosRunning.size > 0) await Promise.all([...this.scenariosRunning]);
    this.stop();
    while (this.busy) await sleep(200);
    for (const p of [this.stack.temporal, this.stack.emulator, this.stack.worker]) if (!p.running) await p.start();
    await this.stack.admin('faults', undefined, 'DELETE');
  }
}
