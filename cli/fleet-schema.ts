import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@fastify/type-provider-typebox';
import { CreateSetupBody, EndpointBody } from '../api/schemas';

/** Where a password is kept: the fleet file never holds one. */
const SecretRef = Type.Union(
  [
    Type.Object(
      { fromEnv: Type.String({ minLength: 1, description: 'environment variable holding the password' }) },
      {
        additionalProperties: false,
      },
    ),
    Type.Object(
      { fromFile: Type.String({ minLength: 1, description: 'file holding the password, relative to this file' }) },
      {
        additionalProperties: false,
      },
    ),
  ],
  { description: 'the password: { fromEnv: NAME } or { fromFile: PATH }, never the password itself' },
);

/** The API's endpoint and request schemas with the password swapped for its reference: one source, no drift. */
const FleetEndpoint = Type.Object({ ...EndpointBody.properties, password: SecretRef }, { additionalProperties: false });
const FleetSync = Type.Object(
  { ...CreateSetupBody.properties, source: FleetEndpoint, destination: FleetEndpoint },
  { additionalProperties: false, description: "one sync: POST /v1/syncs's body, passwords as references" },
);

export const FleetFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    select: Type.Optional(
      Type.Object(
        {
          namePrefix: Type.Optional(CreateSetupBody.properties.name),
          tag: Type.Optional(Type.Unsafe<string>(CreateSetupBody.properties.tags.items)),
        },
        {
          additionalProperties: false,
          description:
            'the running setups this file speaks for (plan shows the others it leaves out; apply --prune releases them); the tag is added to every sync',
        },
      ),
    ),
    syncs: Type.Array(FleetSync),
  },
  { additionalProperties: false },
);

/** The JSON Schema editors validate a fleet file with (cli/fleet.schema.json). */
export function fleetSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(FleetFile)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'redis-dts-sync fleet file',
    ...plain,
  };
}

export const FLEET_SCHEMA_PATH = join(__dirname, 'fleet.schema.json');

export function fleetSchemaText(): string {
  return `${JSON.stringify(fleetSchema(), null, 2)}\n`;
}

// `npm run fleet-schema` writes it; test/cli/fleet-schema.test.ts fails when it is out of step with the API.
if (require.main === module) writeFileSync(FLEET_SCHEMA_PATH, fleetSchemaText());
