import type { ManagedProcess } from './processes';
import { sleep } from './processes';
import type { Random } from './random';
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
}

type Kind = 'worker-kill' | 'emulator-restart' | 'temporal-restart' | 'fault-burst';
/** One round of disruptions; worker kills and fault bursts are cheap, so twice as many. */
const ROUND: Kind[] = ['worker-kill', 'fault-burst', 'emulator-restart', 'temporal-restart', 'worker-kill', 'fault-burst'];
const MUTATING = ['CreateSynchronizationJob', 'ConfigureSynchronizationJob', 'StartSynchronizationJob', 'DeleteSynchronizationJob'];

/**
 * Kills, restarts and faults, one at a time, at random moments. Also a supervisor: a process
 * that dies on its own (a worker giving up on a lost server) is started again, like an
 * orchestrator would.
 */
export class Disruptor {
  readonly done: Record<Kind, number> = { 'worker-kill': 0, 'emulator-restart': 0, 'temporal-restart': 0, 'fault-burst': 0 };
  readonly events: string[] = [];
  private busy = false;
  private queue: Kind[] = [];
  private stopped = false;

  constructor(
    private readonly stack: ChaosStack,
    private readonly random: Random,
    private readonly plan: DisruptionPlan,
    private readonly options: { dtsTimeoutMs: number; synchronizingInstance: () => string | undefined; log: (line: string) => void },
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
    for (const fault of this.backgroundFaults()) await this.stack.admin('faults', fault);
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
        await this.stack.admin('faults', fault);
      }
    }
  }

  private burst(): Record<string, unknown> {
    const action = this.random.pick(MUTATING);
    const lateMs = this.options.dtsTimeoutMs + 1_000;
    const instanceId = this.options.synchronizingInstance();
    const choices: Record<string, unknown>[] = [
      { action: '*', kind: 'throttling', probability: 0.6, count: 40 },
      { action: '*', kind: this.random.pick(['unavailable', 'internal-error', 'bad-gateway-html', 'reset-connection']), count: 8 },
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

  /** Everything up, faults off: the end of the storm. */
  async calm(): Promise<void> {
    this.stop();
    while (this.busy) await sleep(200);
    for (const p of [this.stack.temporal, this.stack.emulator, this.stack.worker]) if (!p.running) await p.start();
    await this.stack.admin('faults', undefined, 'DELETE');
  }
}
