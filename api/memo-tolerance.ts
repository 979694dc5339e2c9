import {
  Client,
  type DescribeWorkflowExecutionResponse,
  type WorkflowClientInterceptor,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import type { LoadedDataConverter, Payload } from '@temporalio/common';

/** The memo fields a describe() left out because this process could not decode them, by its raw response. */
const unreadable = new WeakMap<DescribeWorkflowExecutionResponse, readonly string[]>();

/**
 * Memo fields this process cannot decode, left out of `description.memo`. During a payload-key rotation a process
 * that never learned the new key meets fields a restarted worker wrote with it (docs/security.md).
 */
export function unreadableMemo(description: WorkflowExecutionDescription): readonly string[] {
  return unreadable.get(description.raw) ?? [];
}

/**
 * The same client, except that describe() decodes the memo field by field: one field it cannot decode is left out
 * (and named by `unreadableMemo`) instead of failing the whole describe, so the fields it can read still answer.
 */
export function withMemoTolerance(client: Client): Client {
  const converter = client.options.loadedDataConverter;
  const tolerant: WorkflowClientInterceptor = {
    async describe(input, next) {
      const raw = await next(input);
      const fields = raw.workflowExecutionInfo?.memo?.fields;
      if (!fields) return raw;
      const left: string[] = [];
      for (const [name, payload] of Object.entries(fields)) {
        if (await decodes(converter, payload)) continue;
        delete fields[name];
        left.push(name);
      }
      if (left.length > 0) unreadable.set(raw, left);
      return raw;
    },
  };
  const own = client.options.interceptors?.workflow;
  return new Client({
    connection: client.connection,
    namespace: client.options.namespace,
    identity: client.options.identity,
    dataConverter: client.options.dataConverter,
    interceptors: { ...client.options.interceptors, workflow: [...(Array.isArray(own) ? own : []), tolerant] },
  });
}

async function decodes(converter: LoadedDataConverter, payload: Payload): Promise<boolean> {
  try {
    await decodeMemoField(converter, payload);
    return true;
  } catch {
    return false;
  }
}

/** One memo field as this process reads it: the codecs (encryption) undone, then the payload converter; throws. */
export async function decodeMemoField(converter: LoadedDataConverter, payload: Payload): Promise<unknown> {
  let decoded = [payload];
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded[0] ? converter.payloadConverter.fromPayload(decoded[0]) : undefined;
}
