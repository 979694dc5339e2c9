import type { PayloadKeys } from '../../shared/codec';

/**
 * The same test-only key as TEST_PAYLOAD_KEYS in test/support/stack.ts (which imports vitest
 * and so cannot load in a plain `tsx` script). test/replay/replay.test.ts checks they match.
 */
export const CHAOS_PAYLOAD_KEYS: PayloadKeys = { currentKeyId: 'test-key', keys: new Map([['test-key', Buffer.alloc(32, 7)]]) };

/** PAYLOAD_KEYS for a worker process: id:base64key,… */
export function payloadKeysEnv(keys: PayloadKeys = CHAOS_PAYLOAD_KEYS): string {
  return [...keys.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
}
