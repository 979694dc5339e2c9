import { log } from '@temporalio/workflow';
import { nextOpeningMs } from '../../core/window';
import { start } from './configure';
import type { Setup } from './setup';

/**
 * True while Forward must wait for the request's initialization window: configure then asks DTS
 * not to start by itself. Never again once the window opened or the sync ever ran.
 */
export function windowAhead(s: Setup): boolean {
  if (!s.request.initializationWindow || s.status.everSynchronizing) return false;
  s.state.window ??= {};
  return !s.state.window.opened;
}

/**
 * Forward is configured but not started: sleep (a durable timer, woken only by a stop request)
 * until the window's next opening, then start it. The wait deadline counts from the start.
 */
export async function waitForWindow(s: Setup): Promise<void> {
  if (!windowAhead(s)) return;
  const window = s.request.initializationWindow!;
  const state = s.state.window!;
  state.opensAtMs ??= nextOpeningMs(window, Date.now());
  const opensAtMs = state.opensAtMs;
  delete s.state.waitUntilMs.Forward;
  s.tell({ phase: 'waiting-for-window', window: { ...window, opensAt: new Date(opensAtMs).toISOString() } });
  while (Date.now() < opensAtMs) {
    await s.maybeContinueAsNew();
    await s.pause(opensAtMs - Date.now(), { wakeOnDtsChange: false });
  }
  log.info('initialization window open: starting Forward', { opensAt: s.status.window?.opensAt });
  state.opened = true;
  await start(s, 'Forward', 'the initialization window opened');
  s.state.waitUntilMs.Forward = Date.now() + s.tuningMs.waitDeadline;
}
