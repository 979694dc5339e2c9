// Day-two operations of the DtsJob family (core/changes.ts): ModifyDtsJob, TransferInstanceClass and
// ModifyDtsJobPassword, each on the instance's own tasks. Like the legacy family's (changes.ts), each reads DTS
// first and sends nothing that is already applied or applying, so a retry after a lost answer or a worker crash
// is never counted twice by DTS.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DtsClient } from './client';
import {
  changeFacts,
  type ChangeFacts,
  type DirectionInput,
  type ModifyDatabasesInput,
  type UpgradeClassInput,
} from './changes';
import { DEFAULT_REDIS_USER } from './configure';
import { databases, dbList, findInstance, notFound, object, task } from './dts-job';
import { DtsFailure } from './errors';
import { sameDatabases } from '../../core/changes';
import { text } from '../../common/text';

type Json = Record<string, unknown>;

async function taskOf(dts: DtsClient, action: string, input: DirectionInput): Promise<{ item: Json; found: Json }> {
  const item = await findInstance(dts, input.regionId, input.dtsJobId);
  if (!item) throw notFound(action, input);
  const found = task(item, input.direction);
  if (!found) throw notFound(action, { ...input, dtsJobId: `${input.dtsJobId} (${input.direction})` });
  return { item, found };
}

/** DescribeDtsJobs of the instance: a direction's status, its databases (DbObject) and the class (DtsJobClass). */
export async function readJobChangeFacts(dts: DtsClient, input: DirectionInput): Promise<ChangeFacts> {
  const { item, found } = await taskOf(dts, 'DescribeDtsJobs', input);
  return taskChangeFacts(item, found);
}

/** The class is the instance's: its Forward item carries it. */
function taskChangeFacts(item: Json, found: Json): ChangeFacts {
  return changeFacts(text(found.Status), text(item.DtsJobClass), databases(found.DbObject));
}

/**
 * ModifyDtsJob of one direction with the whole new DbList (it replaces the old one), unless DTS already shows
 * these databases or is modifying. DTS names no task for the modification: the caller waits for DbObject.
 */
export async function modifyJobDatabases(dts: DtsClient, input: ModifyDatabasesInput): Promise<{ taskId?: string }> {
  const { item, found } = await taskOf(dts, 'ModifyDtsJob', input);
  const facts = taskChangeFacts(item, found);
  if (facts.status === 'modifying' || sameDatabases(facts.databases, input.databases)) return {};
  try {
    await dts.call('ModifyDtsJob', {
      DtsInstanceId: input.dtsJobId,
      DtsJobId: text(found.DtsJobId) || undefined,
      RegionId: input.regionId,
      SynchronizationDirection: input.direction,
      DbList: dbList(input.databases),
    });
  } catch (err) {
    // A modification still applying while DTS already reads Synchronizing (dialect dtsJobModifyStatus=unchanged):
    // an earlier attempt of this very call, whose answer was lost. The caller waits for its DbObject.
    if (isModifyingRefusal(err)) return {};
    throw err;
  }
  return {};
}

function isModifyingRefusal(err: unknown): boolean {
  if (!(err instanceof ApplicationFailure) || err.type !== DtsFailure.JobStatusConflict) return false;
  const details = err.details?.[0] as { code?: string } | undefined;
  return /Modifying/i.test(details?.code ?? '');
}

/** TransferInstanceClass (UPGRADE) on the instance's Forward task, unless DTS already reports the class. */
export async function upgradeJobClass(dts: DtsClient, input: UpgradeClassInput): Promise<{ sent: boolean }> {
  const { found } = await taskOf(dts, 'TransferInstanceClass', { ...input, direction: 'Forward' });
  if (text(found.DtsJobClass).toLowerCase() === input.jobClass) return { sent: false };
  await dts.call('TransferInstanceClass', {
    DtsJobId: text(found.DtsJobId),
    RegionId: input.regionId,
    OrderType: 'UPGRADE',
    InstanceClass: input.jobClass,
  });
  return { sent: true };
}

export interface ModifyPasswordInput extends DirectionInput {
  /** The end of this direction's task: `src` or `dest` (a Reverse task's src is the setup's destination). */
  endpoint: 'src' | 'dest';
  /** The account as the setup's request names it; absent, the one DTS lists, else Redis's default account. */
  userName?: string;
  password: string;
}

/**
 * ModifyDtsJobPassword of one direction's task. DTS refuses a password equal to the current one: on a retried
 * attempt (the first one's answer lost, or its worker stopped) that refusal means the first one took effect.
 */
export async function modifyJobPassword(dts: DtsClient, input: ModifyPasswordInput): Promise<void> {
  const { found } = await taskOf(dts, 'ModifyDtsJobPassword', input);
  const listed = text(object(input.endpoint === 'src' ? found.SourceEndpoint : found.DestinationEndpoint).UserName);
  try {
    await dts.call(
      'ModifyDtsJobPassword',
      {
        DtsJobId: text(found.DtsJobId),
        DtsInstanceId: input.dtsJobId,
        RegionId: input.regionId,
        SynchronizationDirection: input.direction,
        Endpoint: input.endpoint,
        UserName: input.userName || listed || DEFAULT_REDIS_USER,
        Password: input.password,
      },
      [input.password],
    );
  } catch (err) {
    const retried = Context.current().info.attempt > 1;
    const samePassword =
      err instanceof ApplicationFailure && err.type === DtsFailure.InvalidParameter && /password/i.test(err.message);
    if (retried && samePassword) return;
    throw err;
  }
}
