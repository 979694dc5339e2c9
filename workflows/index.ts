// Entry point of the workflow bundle: every workflow the worker runs.
export { redisSync } from './redis-sync';
export { dtsStatusWatcher } from './status-watcher';
export { dtsInstanceClaim, dtsPurchaseRecord } from './instance-claim';
export { preflight } from './preflight';
export { adoptionCheck } from './adoption-check';
export { alertNotice, setupNotice } from './notify';
