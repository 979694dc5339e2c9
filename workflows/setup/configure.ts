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
export async function configure(setup: Setup, dir: Direction): Promise<void> {
  const { request } = setup;
  setup.updateStatus({ phase: dir === 'Forward' ? 'configuring-forward' : 'configuring-reverse' });
  // Before the initialization window opens, DTS must not start by itself (window.ts starts it).
  const held = dir === 'Forward' && windowAhead(setup);
  const [source, destination] =
    dir === 'Forward' ? [request.source, request.destination] : [request.destination, request.source];
  try {
    await setup.callWithRetries(() =>
      setup.dts(`Configure ${dir} on ${setup.status.dtsJobId}`, DTS_CALL).configureDirection({
        ...setup.where(dir),
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
  Object.assign(setup.direction(dir), { configured: true, configuredAt: new Date().toISOString() });
  setup.setWaitDeadline(dir);
  setup.updateStatus({ phase: setup.waitingPhase(dir) });
}

/** StartSynchronizationJob. Returns false when DTS refuses it for the job's status. */
export async function start(setup: Setup, dir: Direction, why: string): Promise<boolean> {
  log.info('starting direction', { direction: dir, why });
  try {
    await setup.callWithRetries(() =>
      setup.dts(`Start ${dir} on ${setup.status.dtsJobId} (${why})`, DTS_CALL).startDirection(setup.where(dir)),
    );
    return true;
  } catch (err) {
    if (!isJobStatusConflict(err)) throw err;
    log.warn('DTS refused Start for the job status', { direction: dir, error: failureMessage(err) });
    return false;
  }
}

/** ResetSynchronizationJob then configure again: the other way to run a precheck or an initialization again. */
export async function resetAndConfigure(setup: Setup, dir: Direction, why: string): Promise<void> {
  log.info('resetting direction', { direction: dir, why });
  await setup.callWithRetries(() =>
    setup.dts(`Reset ${dir} on ${setup.status.dtsJobId} (${why})`, DTS_CALL).resetDirection(setup.where(dir)),
  );
  setup.direction(dir).configured = false;
  await configure(setup, dir);
}

/**
 * Run a failed precheck again the way DTS allows: Start; where DTS refuses that (or the wait
 * then still reads PrecheckFailed, see wait.ts), Reset + Configure.
 */
export async function rerunPrecheck(setup: Setup, dir: Direction): Promise<void> {
  if (await start(setup, dir, 'operator retry of the precheck')) {
    setup.state.precheckRerun = { ...setup.state.precheckRerun, [dir]: true };
  } else {
    await resetAndConfigure(setup, dir, 'DTS refused Start after a failed precheck');
  }
}

/** Restart a Failed direction (Start) or an InitializeFailed one (DTS refuses Start there: Reset + Configure). */
export async function restartDirection(setup: Setup, dir: Direction, why: string): Promise<void> {
  if (setup.direction(dir).status === 'initializefailed') {
    await resetAndConfigure(setup, dir, why);
    return;
  }
  // A refused Start usually means DTS runs it again already; the wait reads the real state.
  // Never Reset here: that would clear a direction that may be syncing.
  await start(setup, dir, why);
  setup.setWaitDeadline(dir);
  setup.updateStatus({ phase: setup.waitingPhase(dir) });
}
