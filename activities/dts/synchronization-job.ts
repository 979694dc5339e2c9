// The legacy `*SynchronizationJob` family (docs/dts-api.md §1): every verb is one of the seed's actions.
import type { DtsClient } from './client';
import { configureDirection } from './configure';
import { createSynchronizationJob } from './create';
import { describeDirection } from './describe';
import { describeJob } from './describe-job';
import { withClient, type DtsFamily } from './family';
import { listInstances } from './list-instances';
import { releaseInstance } from './release';
import { resetDirection } from './reset';
import { startDirection } from './start';
import { describeStatusList } from './status-list';
import { suspendDirection } from './suspend';

export function synchronizationJobFamily(dts: DtsClient): DtsFamily {
  return withClient(dts, 'synchronizationjob', {
    create: createSynchronizationJob,
    configure: configureDirection,
    describe: describeDirection,
    statuses: describeStatusList,
    list: listInstances,
    job: describeJob,
    start: startDirection,
    suspend: suspendDirection,
    reset: resetDirection,
    release: releaseInstance,
  });
}
