import { createRequire } from 'node:module';
import type * as proto from '@temporalio/proto';
// patchProtobufRoot is not re-exported by the package entry point; the SDK documents it only under lib/ (see below).
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// The SDK's historyToJSON/historyFromJSON fail in this install ("type must be a Type"):
// @temporalio/common and @temporalio/proto each carry their own protobufjs 8, and protojson's
// `instanceof Type` check fails across the copies. So: the protojson of the copy that built
// @temporalio/proto's types, resolved the way @temporalio/proto resolves it (any layout).
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
// The CommonJS module itself (vitest's ESM namespace wrapper hides the nested types from the patch).
const protoModule = createRequire(__filename)('@temporalio/proto') as typeof proto;
const historyType = (patchProtobufRoot(protoModule) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** Proto JSON, the format of `temporal workflow show --output json` and the SDK's history files. */
export function historyToJson(history: History): string {
  return JSON.stringify(
    protojson.toJson(historyType, protoModule.temporal.api.history.v1.History.fromObject(history)),
    null,
    2,
  );
}

export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
