import { DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';

export interface Secret {
  /** Printed instead of the value, so a report never repeats the secret. */
  label: string;
  value: string | Buffer;
}

export interface SecretHit {
  label: string;
  offset: number;
  /** A few bytes either side, the secret itself masked. */
  context: string;
}

/**
 * Every occurrence of every secret in text or raw bytes (byte-exact, UTF-8 for strings).
 * Bytes, not parsed JSON: a secret hidden in a proto field or a failure message counts too.
 */
export function findSecrets(haystack: string | Uint8Array, secrets: Secret[]): SecretHit[] {
  const bytes =
    typeof haystack === 'string'
      ? Buffer.from(haystack, 'utf8')
      : Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  const hits: SecretHit[] = [];
  for (const { label, value } of secrets) {
    const needle = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (needle.length === 0) continue;
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
      const before = printable(bytes.subarray(Math.max(0, at - 24), at));
      const after = printable(bytes.subarray(at + needle.length, at + needle.length + 24));
      hits.push({ label, offset: at, context: `${before}<${label}>${after}` });
    }
  }
  return hits;
}

function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}

// The run's test values. They are duplicated from test/support/stack.ts on purpose: this file is
// imported by the global setup (main process), where stack.ts (Runtime.install, inject) must not
// load. test/security/no-secrets.int.test.ts checks the two stay equal.
export const TEST_TOKEN_VALUE = 'test-token-0123456789abcdef';
export const TEST_PAYLOAD_KEY_BYTES = Buffer.alloc(32, 7);

/**
 * What must never appear in clear anywhere the run leaves a trace. Every test and demo Redis
 * password contains "-Pa55" (e.g. demo-source-Pa55, src-<id>-Pa55), so the marker finds them all.
 * Five bytes: a chance match inside ciphertext is ~1 in 2^40 per byte scanned.
 */
export const TEST_SECRETS: Secret[] = [
  { label: 'redis-password(-Pa55)', value: '-Pa55' },
  { label: 'dts-access-key-secret', value: DEFAULT_ACCESS_KEY_SECRET },
  { label: 'api-bearer-token', value: TEST_TOKEN_VALUE },
  { label: 'payload-key(base64)', value: TEST_PAYLOAD_KEY_BYTES.toString('base64') },
  { label: 'payload-key(raw)', value: TEST_PAYLOAD_KEY_BYTES },
];

export function describeHits(where: string, hits: SecretHit[]): string[] {
  return hits.map((h) => `${where}: ${h.label} at byte ${h.offset}: …${h.context}…`);
}
