import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FLEET_SCHEMA_PATH, fleetSchemaText } from '../../cli/fleet-schema';

const schema = JSON.parse(readFileSync(FLEET_SCHEMA_PATH, 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const example = parse(readFileSync(join(__dirname, '../../cli/examples/fleet.yaml'), 'utf8')) as {
  syncs: Record<string, any>[];
};

describe('fleet file JSON Schema', () => {
  it('is the one generated from the API schemas (npm run fleet-schema writes it)', () => {
    expect(readFileSync(FLEET_SCHEMA_PATH, 'utf8')).toBe(fleetSchemaText());
  });

  it('accepts the example fleet and refuses a password written in the file, naming the field', () => {
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const leaked = structuredClone(example);
    leaked.syncs[0]!.source.password = 'hunter2-hunter2';
    expect(validate(leaked)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/syncs/0/source/password');
    const typo = structuredClone(example);
    typo.syncs[1]!.jobClas = 'small';
    expect(validate(typo)).toBe(false);
  });
});
