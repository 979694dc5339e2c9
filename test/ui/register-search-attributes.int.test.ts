import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerSearchAttributes } from '../../scripts/register-search-attributes';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';

const names = SEARCH_ATTRIBUTES.map((k) => k.name);
let connection: Connection;

/** A namespace of its own, so the first run really adds (the run's `default` has them already). */
async function freshNamespace(): Promise<string> {
  const namespace = `sa-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
  });
  // The server's namespace cache picks it up shortly after.
  for (let tries = 0; ; tries++) {
    try {
      await connection.operatorService.listSearchAttributes({ namespace });
      return namespace;
    } catch (err) {
      if (tries > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await connection?.close();
});

describe('register-search-attributes', () => {
  it('adds the attributes with their types, then finds them all present on a second run', async () => {
    const namespace = await freshNamespace();
    expect(await registerSearchAttributes(connection, namespace)).toEqual({ added: names, present: [] });
    expect(await registerSearchAttributes(connection, namespace)).toEqual({ added: [], present: names });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const key of SEARCH_ATTRIBUTES)
      expect(customAttributes?.[key.name]).toBe(
        key.type === 'KEYWORD_LIST'
          ? temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
          : temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );
  });

  it('refuses, naming the attribute, when one exists with another type', async () => {
    const namespace = await freshNamespace();
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: { SyncPhase: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT },
    });
    await expect(registerSearchAttributes(connection, namespace)).rejects.toThrow(/SyncPhase is INT, not KEYWORD/);
    // Nothing half-done: the clash stops the whole registration.
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(customAttributes?.DtsJobId).toBeUndefined();
  });
});
