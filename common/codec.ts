import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EnvReader } from './env';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKeys {
  /** Encrypts every new payload. */
  currentKeyId: string;
  /** Every key that may still decrypt old payloads, by id. */
  keys: Map<string, Buffer>;
}

/**
 * AES-256-GCM over the whole serialized payload; the key id travels in the metadata so
 * keys can be rotated: the current key encrypts, older keys still decrypt.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly payloadKeys: PayloadKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { currentKeyId, keys } = this.payloadKeys;
    const key = keys.get(currentKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(currentKeyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
      const key = this.payloadKeys.keys.get(keyId);
      if (!key) throw new Error(`No payload key with id "${keyId}" (set it in PAYLOAD_KEYS)`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * PAYLOAD_KEYS=id:base64key[,id:base64key…] and PAYLOAD_KEY_ID=the id that encrypts.
 * With several keys PAYLOAD_KEY_ID is required: defaulting to the first listed key would switch
 * encryption the moment a new key is added in front, before every process can decrypt it
 * (rotation: docs/security.md).
 */
export function readPayloadKeys(env: EnvReader): PayloadKeys {
  const keys = new Map<string, Buffer>();
  for (const entry of env.list('PAYLOAD_KEYS')) {
    const [id, encoded] = entry.split(':', 2);
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32) {
      env.problem(`PAYLOAD_KEYS entry "${id ?? ''}:…" must be keyId:base64 of 32 bytes (AES-256)`);
    } else if (keys.has(id)) {
      env.problem(`PAYLOAD_KEYS lists the key id "${id}" twice`);
    } else {
      keys.set(id, key);
    }
  }
  if (keys.size === 0)
    env.problem('PAYLOAD_KEYS is required (keyId:base64 of 32 random bytes; `npm start` makes a local one)');
  const ids = [...keys.keys()];
  const chosen = env.optional('PAYLOAD_KEY_ID');
  if (chosen === undefined && keys.size > 1) {
    env.problem(
      `PAYLOAD_KEY_ID is required when PAYLOAD_KEYS holds several keys (${ids.join(', ')}): it names the one that encrypts`,
    );
  }
  const currentKeyId = chosen ?? ids[0] ?? '';
  if (keys.size > 0 && !keys.has(currentKeyId))
    env.problem(`PAYLOAD_KEY_ID "${currentKeyId}" is not one of the ids in PAYLOAD_KEYS`);
  return { currentKeyId, keys };
}

export const FAILURE_CONVERTER_PATH = join(__dirname, 'failure-converter.cjs');

/** The same converter on the API's client and on the worker: secrets never reach history in clear. */
export function encryptingDataConverter(keys: PayloadKeys): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
