// One direction of an existing job in the adoption rules' words (core/adoption.ts), read from either family's
// answer: the legacy family's DescribeSynchronizationJobStatus / DescribeSynchronizationJobs item or a DtsJob task.
import type { JobDirectionFacts, JobEndpointFacts } from '../../core/adoption';
import { normalizeDtsStatus } from '../../core/normalize-dts';
import type { DatabaseMapping } from '../../core/types';
import { text } from '../../common/text';

type Json = Record<string, unknown>;

export interface DirectionReading {
  /**
   * A DtsJob task is configured only when it lists its endpoints; the legacy family may report an unconfigured
   * direction as NotStarted, then without endpoints (docs/dts-api.md §2.2), and any other status as configured.
   */
  endpointsRequired: boolean;
  /** The family's own database list of the item. */
  databases(item: Json): DatabaseMapping[];
}

export function directionFacts(item: Json, reading: DirectionReading): JobDirectionFacts {
  const rawStatus = text(item.Status);
  const status = normalizeDtsStatus(rawStatus);
  const source = endpoint(item.SourceEndpoint);
  const destination = endpoint(item.DestinationEndpoint);
  const listed = Boolean(source || destination);
  const configured = status !== 'notconfigured' && (listed || (!reading.endpointsRequired && status !== 'notstarted'));
  return {
    configured,
    status,
    rawStatus,
    ...(source ? { source } : {}),
    ...(destination ? { destination } : {}),
    ...(configured ? { databases: reading.databases(item) } : {}),
  };
}

/** The DtsJob family's instance types in the legacy family's words, which the adoption rules compare. */
const KINDS: Record<string, string> = { REDIS: 'Redis', ECS: 'ECS', EXPRESS: 'Express' };

/** An endpoint as either family spells it (`InstanceID`/`Ip` in the DtsJob family, `InstanceId`/`IP` in the legacy one). */
function endpoint(value: unknown): JobEndpointFacts | undefined {
  const e = value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
  const instanceId = text(e.InstanceID ?? e.InstanceId);
  const ip = text(e.Ip ?? e.IP);
  if (!instanceId && !ip) return undefined;
  const port = Number.parseInt(text(e.Port), 10);
  const type = text(e.InstanceType);
  return {
    instanceType: KINDS[type.toUpperCase()] ?? type,
    ...(instanceId ? { instanceId } : {}),
    ...(ip ? { ip } : {}),
    ...(Number.isFinite(port) ? { port } : {}),
  };
}
