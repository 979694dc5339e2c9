import type { Client } from '@temporalio/client';
import { familyOf, type DtsFamilies } from '../dts/family';
import type { RkvstoreClient } from '../rkvstore/client';
import {
  preflightDescribeInstance,
  preflightListDtsDirections,
  preflightListOwnDirections,
  type DescribeInstanceInput,
  type ListDirectionsInput,
} from './reads';

/** The preflight's activities, on the DTS task queue with the others (workflows/preflight.ts). */
export function createPreflightActivities({
  families,
  client,
  rkvstore,
}: {
  families: DtsFamilies;
  client: Client;
  rkvstore: RkvstoreClient;
}) {
  return {
    preflightDescribeInstance: (input: DescribeInstanceInput) => preflightDescribeInstance(rkvstore, input),
    preflightListDtsDirections: (input: ListDirectionsInput) =>
      preflightListDtsDirections(familyOf(families, input.api), input),
    preflightListOwnDirections: (input: { instanceIds: string[] }) => preflightListOwnDirections(client, input),
  };
}

/** The R-KVStore reads alone, for the `.rkvstore` queue (worker/workers.ts). */
export function createRkvstoreActivities(rkvstore: RkvstoreClient) {
  return { preflightDescribeInstance: (input: DescribeInstanceInput) => preflightDescribeInstance(rkvstore, input) };
}

export type PreflightActivities = ReturnType<typeof createPreflightActivities>;
