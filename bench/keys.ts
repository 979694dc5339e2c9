import type { PayloadKeys } from '../common/codec';

/** Bench-only payload key: a fixed, obviously fake value, never a real secret. */
export const BENCH_PAYLOAD_KEYS: PayloadKeys = {
  currentKeyId: 'bench-key',
  keys: new Map([['bench-key', Buffer.alloc(32, 11)]]),
};

/** The same key in the PAYLOAD_KEYS env format the worker process reads. */
export function payloadKeysEnv(): string {
  return [...BENCH_PAYLOAD_KEYS.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
}
