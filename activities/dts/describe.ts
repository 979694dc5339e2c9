import type { DtsClient } from './client';
import { normalizeDtsStatus } from '../../core/normalize-dts';
import type { Direction, DirectionSnapshot, PrecheckFailure } from '../../core/types';
import { text } from '../../common/text';

export interface DescribeInput {
  dtsJobId: string;
  regionId: string;
  direction: Direction;
}

type Json = Record<string, unknown>;

/** DescribeSynchronizationJobStatus for one direction, reduced to what the workflow needs. */
export async function describeDirection(dts: DtsClient, input: DescribeInput): Promise<DirectionSnapshot> {
  const body = await dts.call('DescribeSynchronizationJobStatus', {
    SynchronizationJobId: input.dtsJobId,
    RegionId: input.regionId,
    SynchronizationDirection: input.direction,
  });
  return toSnapshot(body);
}

export function toSnapshot(body: Json): DirectionSnapshot {
  const rawStatus = text(body.Status);
  const status = normalizeDtsStatus(rawStatus);
  const precheck = object(body.PrecheckStatus);
  const structure = object(body.StructureInitializationStatus);
  const data = object(body.DataInitializationStatus);
  const sync = object(body.DataSynchronizationStatus);
  const details = Array.isArray(precheck.Detail) ? (precheck.Detail as Json[]) : [];
  const precheckFailures: PrecheckFailure[] = details
    .filter((item) => text(item.CheckStatus).toLowerCase() === 'failed')
    .map((item) => ({
      item: text(item.ItemName, 'UNKNOWN'),
      message: text(item.ErrorMessage),
      ...(item.RepairMethod ? { repairMethod: text(item.RepairMethod) } : {}),
    }));
  const errorMessage = firstText(body.ErrorMessage, data.ErrorMessage, structure.ErrorMessage, sync.ErrorMessage);
  const delay = number(body.Delay ?? sync.Delay);
  const checkpoint = firstText(body.Checkpoint, sync.Checkpoint);
  const [stage, stagePercent] = currentStage(status, precheck, structure, data);
  const expireTime = instant(body.ExpireTime);
  return {
    status,
    rawStatus,
    progress: overallProgress(status, number(precheck.Percent), number(structure.Percent), number(data.Percent)),
    stage,
    stagePercent,
    precheckFailures,
    ...(errorMessage ? { errorMessage } : {}),
    ...(delay !== undefined ? { delaySeconds: delay } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...(expireTime ? { expireTime } : {}),
  };
}

/** DTS's ExpireTime (ISO with `Z` or an offset) as an ISO instant; empty or unreadable (PostPaid) is none. */
function instant(value: unknown): string | undefined {
  const ms = Date.parse(text(value));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

// Precheck 10 %, structure 10 %, data 80 %: data is what takes hours.
function overallProgress(status: string, precheck = 0, structure = 0, data = 0): number {
  if (status === 'synchronizing' || status === 'finished') return 100;
  if (status === 'notconfigured' || status === 'notstarted') return 0;
  return Math.round(Math.min(100, precheck * 0.1 + structure * 0.1 + data * 0.8));
}

function currentStage(
  status: string,
  precheck: Json,
  structure: Json,
  data: Json,
): [DirectionSnapshot['stage'], number] {
  if (status === 'prechecking') return ['precheck', number(precheck.Percent) ?? 0];
  if (status !== 'initializing') return ['other', 0];
  const running = (o: Json) => text(o.Status).toLowerCase() === 'migrating';
  if (running(structure)) return ['structure', number(structure.Percent) ?? 0];
  return ['data', number(data.Percent) ?? 0];
}

function object(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function number(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : Number.parseFloat(text(value));
  return Number.isFinite(n) ? n : undefined;
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value.trim() !== '') return value;
  return undefined;
}
