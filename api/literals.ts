import { Type, type TSchemaOptions, type TUnsafe } from '@fastify/type-provider-typebox';

/**
 * A string that is one of a vocabulary tuple's words (core/vocabulary.ts), typed as their union. Written as
 * `{type: 'string', enum}`: the OpenAPI document lists the words, ajv refuses any other input with one error naming
 * the field, and a reply holding a word this code does not know (an old run's) is still sent, not a 500.
 */
export function oneOf<const T extends readonly string[]>(words: T, options: TSchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...words] });
}

/** A stored value (search attribute, memo) as a word of the tuple, or `unknown`. */
export function wordOr<const T extends readonly string[]>(words: T, value: unknown): T[number] | 'unknown' {
  return typeof value === 'string' && (words as readonly string[]).includes(value) ? value : 'unknown';
}
