// Keeps one mover per direction that moves data: from Initializing through Synchronizing; stopped when it
// suspends, fails or is released. A Forward direction with data initialization loads in full each time it
// starts (a resume too, which converges what changed while it was stopped); Reverse copies changes only.
import { currentStatus } from '../lifecycle';
import type { DirectionRecord, EndpointConfig } from '../model';
import type { EmulatorState } from '../state';
import { DirectionMover, EchoGuard, type MoverEnd } from './mover';

const RECONCILE_MS = 100;
// From the precheck on, changes are collected (so none made as the direction turns Synchronizing is lost);
// they move once the precheck has passed.
const MOVING = new Set(['Prechecking', 'Initializing', 'Synchronizing']);

const movers = new WeakMap<DirectionRecord, { mover: DirectionMover; runStartedAt: number }>();

/** The real mover of a direction, if data moves for it. */
export function moverOf(direction: DirectionRecord): DirectionMover | undefined {
  return movers.get(direction)?.mover;
}

export class MoverManager {
  private readonly guard = new EchoGuard();
  private readonly running = new Set<DirectionRecord>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly state: EmulatorState) {}

  start(): void {
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.running].map((d) => this.stop(d)));
  }

  private async reconcile(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = Date.now();
      const wanted = new Set<DirectionRecord>();
      for (const job of this.state.allJobs()) {
        if (job.released) continue;
        for (const direction of [job.directions.Forward, job.directions.Reverse]) {
          if (direction?.run && MOVING.has(currentStatus(direction, now))) wanted.add(direction);
        }
      }
      for (const direction of this.running) if (!wanted.has(direction)) await this.stop(direction);
      for (const direction of wanted) {
        const current = movers.get(direction);
        if (current && current.runStartedAt === direction.run?.startedAt) continue;
        if (current) await this.stop(direction);
        await this.launch(direction);
      }
    } finally {
      this.busy = false;
    }
  }

  private end(endpoint: EndpointConfig): MoverEnd | undefined {
    const instance = this.state.registry.resolve(endpoint);
    const address = instance && this.state.redis?.address(instance.instanceId);
    if (!instance || !address) return undefined;
    return { ...address, password: endpoint.password ?? '', name: instance.instanceId };
  }

  private async launch(direction: DirectionRecord): Promise<void> {
    const config = direction.config;
    const run = direction.run;
    if (!config || !run) return;
    const source = this.end(config.source);
    const destination = this.end(config.destination);
    if (!source || !destination) return;
    const mover = new DirectionMover({
      source,
      destination,
      fullLoad: run.data.state !== 'skip',
      guard: this.guard,
      extraDelayMs: () => direction.extraDelayMs ?? 0,
      mayMove: () => currentStatus(direction, Date.now()) !== 'Prechecking',
    });
    movers.set(direction, { mover, runStartedAt: run.startedAt });
    this.running.add(direction);
    try {
      await mover.start();
    } catch (error) {
      mover.error = error instanceof Error ? error.message : String(error);
    }
  }

  private async stop(direction: DirectionRecord): Promise<void> {
    const entry = movers.get(direction);
    movers.delete(direction);
    this.running.delete(direction);
    await entry?.mover.stop();
  }
}
