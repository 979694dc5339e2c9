import type { WorkflowHandle } from '@temporalio/client';
import { setupStatusQuery } from '../../core/messages';
import type { SetupPhase, SetupStatus } from '../../core/types';
import { eventually } from './eventually';

/** Anything that answers the setup's status query: a handle from start() or getHandle(). */
type SetupHandle = Pick<WorkflowHandle, 'query'>;

/**
 * The setup's status (its query, what the API and the UI read) once `check` holds. While the setup
 * is failed and `check` does not hold, the timeout message carries the setup's error: a wait that
 * cannot end any more says why.
 */
export function untilStatus(
  handle: SetupHandle,
  check: (status: SetupStatus) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<SetupStatus> {
  return eventually(
    async () => {
      const status = await handle.query(setupStatusQuery);
      if (check(status)) return status;
      if (status.phase === 'failed') throw new Error(`setup failed: ${JSON.stringify(status.error)}`);
      return undefined;
    },
    { timeoutMs, what },
  );
}

/** The setup's status once it is in `phase`. */
export function untilPhase(handle: SetupHandle, phase: SetupPhase, timeoutMs = 30_000): Promise<SetupStatus> {
  return untilStatus(handle, (status) => status.phase === phase, `phase ${phase}`, timeoutMs);
}
