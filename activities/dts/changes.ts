import type { DtsClient } from './client';
import { databases } from './describe-job';
import { normalizeDtsStatus } from '../../core/normalize-dts';
import { sameDatabases } from '../../core/changes';
import type { DatabaseMapping, Direction, DtsDirectionStatus, JobClass } from '../../core/types';
import { text } from '../../common/text';

// Day-two operations of the legacy family (core/changes.ts). Neither ModifySynchronizationObject nor
// TransferInstanceClass takes a ClientToken, so each reads DTS first and sends nothing that is already
// applied or applying: an activity retried after a lost answer or a worker crash is never counted twice.

export interface DirectionInput {
  dtsJobId: string;
  regionId: string;
  direction: Direction;
}

export interface ChangeFacts {
  status: DtsDirectionStatus;
  rawStatus: string;
  jobClass: string;
  databases: DatabaseMapping[];
}

/** DescribeSynchronizationJobStatus: what a change reads (status, class, objects) of one direction. */
export async function readChangeFacts(dts: DtsClient, input: DirectionInput): Promise<ChangeFacts> {
  const body = await dts.call('DescribeSynchronizationJobStatus', {
    SynchronizationJobId: input.dtsJobId,
    RegionId: input.regionId,
    SynchronizationDirection: input.direction,
  });
  return changeFacts(text(body.Status), text(body.SynchronizationJobClass), databases(body.SynchronizationObjects));
}

/** What either family's read of a direction gives a change. */
export function changeFacts(rawStatus: string, jobClass: string, databases: DatabaseMapping[]): ChangeFacts {
  return { status: normalizeDtsStatus(rawStatus), rawStatus, jobClass, databases };
}

export interface ModifyDatabasesInput extends DirectionInput {
  databases: DatabaseMapping[];
}

/**
 * ModifySynchronizationObject for one direction, unless DTS already shows these databases or is still
 * applying a modification. Answers the TaskId of the call it sent (none when it sent nothing).
 */
export async function modifyDatabases(dts: DtsClient, input: ModifyDatabasesInput): Promise<{ taskId?: string }> {
  const facts = await readChangeFacts(dts, input);
  if (facts.status === 'modifying' || sameDatabases(facts.databases, input.databases)) return {};
  const body = await dts.call('ModifySynchronizationObject', {
    SynchronizationJobId: input.dtsJobId,
    RegionId: input.regionId,
    SynchronizationDirection: input.direction,
    SynchronizationObjects: JSON.stringify(
      input.databases.map((db) => ({ DBName: String(db.from), NewDBName: String(db.to) })),
    ),
  });
  const taskId = text(body.TaskId);
  return taskId ? { taskId } : {};
}

export interface ObjectTaskInput {
  taskId: string;
  regionId: string;
}

/** DescribeSynchronizationObjectModifyStatus: `Finished`, `Failed` (with DTS's words) or still under way. */
export async function readObjectTask(
  dts: DtsClient,
  input: ObjectTaskInput,
): Promise<{ state: 'applying' | 'finished' | 'failed'; message?: string }> {
  const body = await dts.call('DescribeSynchronizationObjectModifyStatus', {
    TaskId: input.taskId,
    RegionId: input.regionId,
  });
  const status = text(body.Status).toLowerCase();
  const message = text(body.ErrorMessage);
  if (status === 'finished') return { state: 'finished' };
  if (status === 'failed') return { state: 'failed', ...(message ? { message } : {}) };
  return { state: 'applying' };
}

export interface UpgradeClassInput {
  dtsJobId: string;
  regionId: string;
  jobClass: JobClass;
}

/** TransferInstanceClass (UPGRADE only: DTS cannot downgrade), unless DTS already reports the class. */
export async function upgradeClass(dts: DtsClient, input: UpgradeClassInput): Promise<{ sent: boolean }> {
  const facts = await readChangeFacts(dts, { ...input, direction: 'Forward' });
  if (facts.jobClass.toLowerCase() === input.jobClass) return { sent: false };
  await dts.call('TransferInstanceClass', {
    DtsJobId: input.dtsJobId,
    RegionId: input.regionId,
    OrderType: 'UPGRADE',
    InstanceClass: input.jobClass,
  });
  return { sent: true };
}
