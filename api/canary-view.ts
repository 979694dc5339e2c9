import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { CanaryBeat } from '../activities/canary';

export interface CanaryView {
  lagSeconds: { forward?: number; reverse?: number };
  at: string;
  error?: string;
}

/**
 * The canary's latest measure, from its activity's heartbeat: the describe() the API already made carries it, so
 * the lag costs neither a history event nor a call.
 */
export async function canaryOf(
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<CanaryView | undefined> {
  const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'runCanary');
  const payloads = pending?.heartbeatDetails?.payloads;
  if (!payloads?.length) return undefined;
  const beat = await decodeBeat(client, payloads as Payload[]).catch(() => undefined);
  if (!beat) return undefined;
  const { Forward: forward, Reverse: reverse } = beat.lagSeconds ?? {};
  return {
    lagSeconds: { ...(forward !== undefined ? { forward } : {}), ...(reverse !== undefined ? { reverse } : {}) },
    at: beat.at,
    ...(beat.error ? { error: beat.error } : {}),
  };
}

/** Heartbeat details as the worker encoded them: the client's codecs (encryption) undone, then JSON. */
async function decodeBeat(client: Client, payloads: Payload[]): Promise<CanaryBeat | undefined> {
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded = payloads;
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded[0] ? payloadConverter.fromPayload<CanaryBeat>(decoded[0]) : undefined;
}
