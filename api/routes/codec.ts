import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ErrorReply } from '../schemas';

// The Temporal UI's remote codec protocol: payloads as JSON with base64 fields.
const JsonPayload = Type.Object({
  metadata: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
  data: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const Payloads = Type.Object({ payloads: Type.Array(JsonPayload, { maxItems: 1000 }) });
type JsonPayload = { metadata?: Record<string, string> | null; data?: string | null };

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: metadata
      ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]))
      : {},
    data: data ? Buffer.from(data, 'base64') : undefined,
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: metadata
      ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))
      : {},
    ...(data ? { data: Buffer.from(data).toString('base64') } : {}),
  };
}

const SECRET_KEY = /password|secret|token/i;

/** People read decoded payloads in a browser: they see the story, never a password. */
export function redactForDisplay(payload: Payload): Payload {
  if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'json/plain' || !payload.data) return payload;
  try {
    const value = JSON.parse(Buffer.from(payload.data).toString('utf8')) as unknown;
    const redacted = JSON.stringify(value, (key, v: unknown) =>
      SECRET_KEY.test(key) && typeof v === 'string' ? '***' : v,
    );
    return { ...payload, data: Buffer.from(redacted) };
  } catch {
    return payload;
  }
}

/** /codec/decode and /codec/encode, so an operator can read payloads in the Temporal UI. */
export const codecRoutes: FastifyPluginAsyncTypebox<{ codec: PayloadCodec }> = async (app, { codec }) => {
  for (const op of ['decode', 'encode'] as const) {
    app.post(
      `/codec/${op}`,
      {
        // Reading a history in the UI: decoded payloads show passwords as ***.
        config: { role: 'viewer' },
        schema: {
          summary: `Temporal remote codec: ${op}`,
          body: Payloads,
          // 413: a body over the app's bodyLimit (api/app.ts).
          response: { 200: Payloads, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 413: ErrorReply },
        },
      },
      async (req) => {
        let result: Payload[];
        try {
          result = await codec[op](req.body.payloads.map(fromJson));
        } catch (err) {
          // A payload this codec cannot open (unknown key id, tampered or truncated ciphertext) is the caller's input, not a server fault.
          throw app.httpErrors.badRequest(`cannot ${op} payloads: ${(err as Error).message}`);
        }
        return { payloads: (op === 'decode' ? result.map(redactForDisplay) : result).map(toJson) };
      },
    );
  }
};
