/**
 * A value read off the wire as text: strings as they are, numbers and booleans as `String()` writes them,
 * anything else (missing, null, objects, arrays) the fallback — never '[object Object]'.
 */
export function text(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return fallback;
}
