import { log } from '@temporalio/workflow';
import { nextOpeningMs } from '../../core/window';
import { start } from './configure';
import type { Setup } from './setup';

/**
 * True while Forward must wait for the request's initialization window: configure then asks DTS
 * not to start by itself. Never again once the window opened or the sync ever ran.
 */
export function windowAhead(setup: Setup): boolean {
  if (!setup.request.initializationWindow || setup.status.everSynchronizing) return false;
  setup.state.window ??= {};
  return !setup.state.window.opened;
}

/**
 * Forward is configured but not started: sleep (a durable timer, woken only by a stop request)
 * until the window's next opening, then start it. The wait deadline counts from the start.
 */
export async function waitForWindow(setup: Setup): Promise<void> {
  if (!windowAhead(setup)) return;
  const window = setup.request.initializationWindow!;
  const state = setup.state.window!;
  state.opensAtMs ??= nextOpeningMs(window, Date.now());
  const opensAtMs = state.opensAtMs;
  setup.clearWaitDeadline('Forward');
  setup.updateStatus({
    phase: 'waiting-for-window',
    window: { ...window, opensAt: new Date(opensAtMs).toISOString() },
  });
  while (Date.now() < opensAtMs) {
    await setup.maybeContinueAsNew();
    await setup.pause(opensAtMs - Date.now(), { wakeOnDtsChange: false });
  }
  log.info('initialization window open: starting Forward', { opensAt: setup.status.window?.opensAt });
  state.opened = true;
  await start(setup, 'Forward', 'the initialization window opened');
  setup.setWaitDeadline('Forward');
}
