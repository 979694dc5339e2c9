import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { connectClient, describeConnection, loadTemporalConfig } from '../common/temporal-config';

// A real cluster does not know our search attributes until an operator adds them (the dev
// server gets them as flags). Safe to rerun: present ones are skipped, a type clash fails.

export interface RegistrationReport {
  added: string[];
  present: string[];
}

const { IndexedValueType } = temporal.api.enums.v1;

type OperatorConnection = Pick<Connection, 'operatorService'>;

async function customAttributes(connection: OperatorConnection, namespace: string) {
  const { customAttributes: custom } = await connection.operatorService.listSearchAttributes({ namespace });
  return custom ?? {};
}

export async function registerSearchAttributes(
  connection: OperatorConnection,
  namespace: string,
): Promise<RegistrationReport> {
  const existing = await customAttributes(connection, namespace);
  const clashes: string[] = [];
  const missing: Record<string, number> = {};
  const present: string[] = [];
  for (const key of SEARCH_ATTRIBUTES) {
    const wanted = IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`];
    const have = existing[key.name];
    if (have === undefined) missing[key.name] = wanted;
    else if (have === wanted) present.push(key.name);
    else clashes.push(`${key.name} is ${typeName(have)}, not ${key.type}`);
  }
  if (clashes.length > 0) {
    throw new Error(
      `search attributes in namespace ${namespace} have the wrong type: ${clashes.join('; ')}. Remove them (temporal operator search-attribute remove) or use another namespace.`,
    );
  }
  const added = Object.keys(missing);
  if (added.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Someone else registered them meanwhile: fine if they now all match.
      const now = await customAttributes(connection, namespace);
      if (!added.every((name) => now[name] === missing[name])) throw err;
    }
  }
  return { added, present };
}

function typeName(type: number): string {
  return (IndexedValueType[type] ?? `type ${type}`).replace('INDEXED_VALUE_TYPE_', '');
}

async function main(): Promise<void> {
  const config = loadTemporalConfig();
  const namespace = config.namespace;
  const connection = await connectClient(config);
  try {
    const { added, present } = await registerSearchAttributes(connection, namespace);
    console.log(
      `search attributes on ${describeConnection(config)}: added [${added.join(', ')}], already present [${present.join(', ')}]`,
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
