import { log } from '@temporalio/workflow';
import type { Direction } from '../../core/types';
import { failureMessage, isJobStatusConflict } from './failures';
import { DTS_CALL } from '../../core/timing';
import type { Setup } from './setup';
import { windowAhead } from './window';

/**
 * ConfigureSynchronizationJob for one direction (DTS then runs the precheck by itself).
 * Reverse flows destination → source: endpoints and database mapping swapped.
 */
export async function configure(s: Setup, dir: Direction): Promise<void> {
  const { request } = s;
  s.tell({ phase: dir === 'Forward' ? 'configuring-forward' : 'configuring-reverse' });
  // Before the initialization window opens, DTS must not start by itself (window.ts starts it).
  const held = dir === 'Forward' && windowAhead(s);
  const [source, destination] =
    dir === 'Forward' ? [request.source, request.destination] : [request.destination, request.source];
  try {
    await s.persist(() =>
      s.dts(`Configure ${dir} on ${s.status.dtsJobId}`, DTS_CALL).configureDirection({
        dtsJobId: s.status.dtsJobId!,
        regionId: request.region,
        direction: dir,
        jobName: request.name,
        source,
        destination,
        databases:
          dir === 'Forward' ? request.databases : request.databases.map((db) => ({ from: db.to, to: db.from })),
        ...(held ? { startAutomatically: false } : {}),
      }),
    );
  } catch (err) {
    // A configure that took effect but whose answer was lost is refused on retry:
    // the wait that follows reads the real state and tells the two cases apart.
    if (!isJobStatusConflict(err)) throw err;
    log.warn('configure refused for job status; reading the real state', { direction: dir });
  }
  Object.assign(s.direction(dir), { configured: true, configuredAt: new Date().toISOString() });
  s.state.waitUntilMs[dir] = Date.now() + s.tuningMs.waitDeadline;
  s.tell({ phase: s.waitingPhase(dir) });
}

/** StartSynchronizationJob. Returns false when DTS refuses it for the job's status. */
export async function start(s: Setup, dir: Direction, why: string): Promise<boolean> {
  log.info('starting direction', { direction: dir, why });
  try {
    await s.persist(() =>
      s.dts(`Start ${dir} on ${s.status.dtsJobId} (${why})`, DTS_CALL).startDirection({
        dtsJobId: s.status.dtsJobId!,
        regionId: s.request.region,
        direction: dir,
      }),
    );
    return true;
  } catch (err) {
    if (!isJobStatusConflict(err)) throw err;
    log.warn('DTS refused Start for the job status', { direction: dir, error: failureMessage(err) });
    return false;
  }
}

/** ResetSynchronizationJob then configure again: the other way to run a precheck or an initialization again. */
export async function resetAndConfigure(s: Setup, dir: Direction, why: string): Promise<void> {
  log.info('resetting direction', { direction: dir, why });
  await s.persist(() =>
    s.dts(`Reset ${dir} on ${s.status.dtsJobId} (${why})`, DTS_CALL).resetDirection({
      dtsJobId: s.status.dtsJobId!,
      regionId: s.request.region,
      direction: dir,
    }),
  );
  s.direction(dir).configured = false;
  await configure(s, dir);
}

/**
 * Run a failed precheck again the way DTS allows: Start; where DTS refuses that (or the wait
 * then still reads PrecheckFailed, see wait.ts), Reset + Configure.
 */
export async function rerunPrecheck(s: Setup, dir: Direction): Promise<void> {
  if (await start(s, dir, 'operator retry of the precheck')) {
    s.state.precheckRerun = { ...s.state.precheckRerun, [dir]: true };
  } else {
    await resetAndConfigure(s, dir, 'DTS refused Start after a failed precheck');
  }
}

/** Restart a Failed direction (Start) or an InitializeFailed one (DTS refuses Start there: Reset + Configure). */
export async function restartDirection(s: Setup, dir: Direction, why: string): Promise<void> {
  if (s.direction(dir).status === 'initializefailed') {
    await resetAndConfigure(s, dir, why);
    return;
  }
  // A refused Start usually means DTS runs it again already; the wait reads the real state.
  // Never Reset here: that would clear a direction that may be syncing.
  await start(s, dir, why);
  s.state.waitUntilMs[dir] = Date.now() + s.tuningMs.waitDeadline;
  s.tell({ phase: s.waitingPhase(dir) });
}
