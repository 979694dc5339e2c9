// The legacy `*SynchronizationJob` family (docs/dts-api.md §1): every verb is one of the seed's actions.
import type { DtsClient } from './client';
import { configureDirection } from './configure';
import { createSynchronizationJob } from './create';
import { describeDirection } from './describe';
import { describeJob } from './describe-job';
import type { DtsFamily } from './family';
import { listInstances } from './list-instances';
import { releaseInstance } from './release';
import { resetDirection } from './reset';
import { startDirection } from './start';
import { describeStatusList } from './status-list';
import { suspendDirection } from './suspend';

export function synchronizationJobFamily(dts: DtsClient): DtsFamily {
  return {
    api: 'synchronizationjob',
    create: (input) => createSynchronizationJob(dts, input),
    configure: (input) => configureDirection(dts, input),
    describe: (input) => describeDirection(dts, input),
    statuses: (regionId, ids, checkpoints, calls) => describeStatusList(dts, regionId, ids, checkpoints, calls),
    list: (regionId, calls) => listInstances(dts, regionId, calls),
    job: (input) => describeJob(dts, input),
    start: (input) => startDirection(dts, input),
    suspend: (input) => suspendDirection(dts, input),
    reset: (input) => resetDirection(dts, input),
    release: (input) => releaseInstance(dts, input),
  };
}
