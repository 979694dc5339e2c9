// In-memory state of the emulated account: instances, jobs, ClientTokens; persisted on change.
import { operationErrors } from './errors';
import { InstanceRegistry } from './instances';
import { recordHistory } from './lifecycle';
import type { ClientTokenRecord, JobRecord, RedisInstance } from './model';
import type { RedisFleet } from './redis/servers';
import { loadState, saveState } from './store';

/** The pause after a write, in multiples of that write's duration. */
const SAVE_SPACING = 3;

export class EmulatorState {
  readonly registry: InstanceRegistry;
  /** Real redis-server processes behind cloud instances, when redis-server is available. */
  redis?: RedisFleet;
  private jobs = new Map<string, JobRecord>();
  private tokens: ClientTokenRecord[] = [];
  private pendingSave: Promise<void> | undefined;
  private lastSave = { endMs: 0, tookMs: 0 };

  constructor(
    private readonly seeds: RedisInstance[],
    private readonly stateFile: string | undefined,
  ) {
    this.registry = new InstanceRegistry(seeds);
    const saved = stateFile ? loadState(stateFile) : undefined;
    if (saved) {
      this.registry.upsert(saved.instances);
      for (const job of saved.jobs) this.jobs.set(job.jobId, job);
      this.tokens = saved.clientTokens;
    }
  }

  allJobs(): JobRecord[] {
    return [...this.jobs.values()];
  }

  addJob(job: JobRecord): void {
    this.jobs.set(job.jobId, job);
  }

  /** A job that exists and is not released, else Forbidden.InstanceNotFound. */
  liveJob(jobId: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job || job.released) throw operationErrors.jobNotFound(jobId);
    return job;
  }

  /** The token's record, unless it was recorded before `notBefore` (then it is forgotten). */
  findToken(accessKeyId: string, token: string, notBefore = -Infinity): ClientTokenRecord | undefined {
    const found = this.tokens.find((t) => t.accessKeyId === accessKeyId && t.token === token);
    if (found && (found.createdAt ?? 0) < notBefore) {
      this.tokens = this.tokens.filter((t) => t !== found);
      return undefined;
    }
    return found;
  }

  addToken(record: ClientTokenRecord): void {
    this.tokens.push(record);
  }

  /** Bring every direction's history up to `now`; true when anything changed. */
  advance(now: number): boolean {
    let changed = false;
    for (const job of this.jobs.values()) {
      if (job.released) continue; // a released job's timeline stopped at its release
      for (const direction of [job.directions.Forward, job.directions.Reverse]) {
        if (direction && recordHistory(direction, now)) changed = true;
      }
    }
    return changed;
  }

  reset(): void {
    this.jobs.clear();
    this.tokens = [];
    this.registry.replaceAll(this.seeds);
    this.save();
  }

  save(): void {
    if (!this.stateFile) return;
    saveState(this.stateFile, { jobs: this.allJobs(), clientTokens: this.tokens, instances: this.registry.list() });
  }

  /**
   * Saves once the calls being handled now have made their changes, one write for all of them: a write of a
   * thousand jobs takes tens of milliseconds, too long to repeat for every call at tens of calls a second. Writes
   * are spaced so that they take at most a quarter of the time, and reads are answered between them.
   * Resolves once written.
   */
  saveSoon(): Promise<void> {
    if (!this.stateFile) return Promise.resolve();
    const waitMs = Math.max(0, this.lastSave.endMs + SAVE_SPACING * this.lastSave.tookMs - Date.now());
    this.pendingSave ??= new Promise((resolve, reject) =>
      setTimeout(() => {
        this.pendingSave = undefined;
        const startMs = Date.now();
        try {
          this.save();
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
        this.lastSave = { endMs: Date.now(), tookMs: Date.now() - startMs };
      }, waitMs),
    );
    return this.pendingSave;
  }
}
