import type { PayloadKeys } from '../../common/codec';
import { TEST_PAYLOAD_KEY_BYTES } from '../support/secret-scan';

/**
 * TEST_PAYLOAD_KEYS of test/support/stack.ts, which imports vitest and so cannot load in a plain
 * `tsx` script (the chaos run, the history recorder). test/replay/replay.int.test.ts checks they match.
 */
export const CHAOS_PAYLOAD_KEYS: PayloadKeys = {
  currentKeyId: 'test-key',
  keys: new Map([['test-key', TEST_PAYLOAD_KEY_BYTES]]),
};

/** PAYLOAD_KEYS for a worker process: id:base64key,… */
export function payloadKeysEnv(keys: PayloadKeys = CHAOS_PAYLOAD_KEYS): string {
  return [...keys.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
}
