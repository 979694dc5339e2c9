// With real servers, the precheck also connects: the password must open the instance, and a stopped
// server fails the connection item. Connecting is asynchronous while planning a run is not, so the answer
// amends the run's items while its precheck is still running (it lasts seconds; connecting takes ms).
import { probeRedis } from '../../common/redis';
import type { DirectionConfig, PrecheckItem, RunPlan } from '../model';
import { connectionFailedItems } from '../precheck';
import type { EmulatorState } from '../state';

export function checkByConnecting(state: EmulatorState, run: RunPlan, config: DirectionConfig): void {
  const fleet = state.redis;
  if (!fleet) return;
  const ends = [
    ['SRC', config.source],
    ['DEST', config.destination],
  ] as const;
  const probes = ends.map(async ([side, endpoint]) => {
    const instance = state.registry.resolve(endpoint);
    const address = instance && fleet.address(instance.instanceId);
    if (!address) return [];
    const result = await probeRedis({ ...address, password: endpoint.password ?? '' });
    return result === 'ok' ? [] : connectionFailedItems(side, endpoint, result);
  });
  void Promise.all(probes).then((found) => {
    const items = found.flat();
    if (items.length === 0 || Date.now() >= run.startedAt + run.precheck.ms) return;
    amend(run, items);
    state.save();
  });
}

function amend(run: RunPlan, items: PrecheckItem[]): void {
  const names = new Set(items.map((i) => i.ItemName));
  run.precheck.items = run.precheck.items.map((i) =>
    names.has(i.ItemName) ? (items.find((n) => n.ItemName === i.ItemName) ?? i) : i,
  );
  run.precheck.passed = run.precheck.items.every((i) => i.CheckStatus !== 'Failed');
  if (run.precheck.passed) return;
  // A failed precheck ends the run there: no initialization, no later failure.
  delete run.initFailAfterMs;
  delete run.initFailMessage;
  delete run.failAt;
  delete run.failMessage;
}
