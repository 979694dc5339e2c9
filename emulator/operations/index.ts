// The operations of both API families, by Action name: the legacy synchronization family and DtsJob.
import { configureSynchronizationJob } from './configure-synchronization-job';
import type { Operation } from './context';
import { createSynchronizationJob } from './create-synchronization-job';
import { deleteSynchronizationJob } from './delete-synchronization-job';
import { describeSynchronizationJobStatus } from './describe-synchronization-job-status';
import { describeSynchronizationJobStatusList } from './describe-synchronization-job-status-list';
import { describeSynchronizationJobs } from './describe-synchronization-jobs';
import {
  describeSynchronizationObjectModifyStatus,
  modifySynchronizationObject,
} from './modify-synchronization-object';
import { resetSynchronizationJob } from './reset-synchronization-job';
import { startSynchronizationJob } from './start-synchronization-job';
import { suspendSynchronizationJob } from './suspend-synchronization-job';
import { transferInstanceClass } from './transfer-instance-class';
import { renewInstance } from './renew-instance';
import { listTagResources, tagResources, untagResources } from './tag-resources';
import { configureDtsJob } from './dtsjob/configure-dts-job';
import { createDtsInstance } from './dtsjob/create-dts-instance';
import { describeDtsJobs } from './dtsjob/describe-dts-jobs';
import { modifyDtsJob, modifyDtsJobPassword } from './dtsjob/modify-dts-job';
import {
  deleteDtsJob,
  deleteDtsJobs,
  describeDtsJobDetail,
  resetDtsJob,
  startDtsJob,
  suspendDtsJob,
} from './dtsjob/tasks';

export const operations: Readonly<Record<string, Operation>> = {
  CreateSynchronizationJob: createSynchronizationJob,
  ConfigureSynchronizationJob: configureSynchronizationJob,
  DescribeSynchronizationJobStatus: describeSynchronizationJobStatus,
  DescribeSynchronizationJobStatusList: describeSynchronizationJobStatusList,
  DescribeSynchronizationJobs: describeSynchronizationJobs,
  StartSynchronizationJob: startSynchronizationJob,
  SuspendSynchronizationJob: suspendSynchronizationJob,
  ResetSynchronizationJob: resetSynchronizationJob,
  DeleteSynchronizationJob: deleteSynchronizationJob,
  ModifySynchronizationObject: modifySynchronizationObject,
  DescribeSynchronizationObjectModifyStatus: describeSynchronizationObjectModifyStatus,
  TransferInstanceClass: transferInstanceClass,
  RenewInstance: renewInstance,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
  CreateDtsInstance: createDtsInstance,
  ConfigureDtsJob: configureDtsJob,
  DescribeDtsJobs: describeDtsJobs,
  DescribeDtsJobDetail: describeDtsJobDetail,
  StartDtsJob: startDtsJob,
  SuspendDtsJob: suspendDtsJob,
  ResetDtsJob: resetDtsJob,
  DeleteDtsJob: deleteDtsJob,
  DeleteDtsJobs: deleteDtsJobs,
  ModifyDtsJob: modifyDtsJob,
  ModifyDtsJobPassword: modifyDtsJobPassword,
};

/** Operations that change state (the only ones delay-after/drop-after make ambiguous). */
export const MUTATING_ACTIONS = new Set([
  'CreateSynchronizationJob',
  'ConfigureSynchronizationJob',
  'StartSynchronizationJob',
  'SuspendSynchronizationJob',
  'ResetSynchronizationJob',
  'DeleteSynchronizationJob',
  'ModifySynchronizationObject',
  'TransferInstanceClass',
  'RenewInstance',
  'TagResources',
  'UntagResources',
  'CreateDtsInstance',
  'ConfigureDtsJob',
  'StartDtsJob',
  'SuspendDtsJob',
  'ResetDtsJob',
  'DeleteDtsJob',
  'DeleteDtsJobs',
  'ModifyDtsJob',
  'ModifyDtsJobPassword',
]);

export type { Operation, OperationContext } from './context';
