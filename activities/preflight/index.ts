import type { Client } from '@temporalio/client';
import { familyOf, type DtsFamilies } from '../dts/family';
import type { RkvstoreClient } from '../rkvstore/client';
import {
  preflightDescribeInstance,
  preflightListDtsDirections,
  preflightListOwnDirections,
  type DescribeInstanceInput,
  type ListDirectionsInput,
  type PreflightDtsList,
} from './reads';

/** The preflight's activities, on the DTS task queue with the others (workflows/preflight.ts). */
export function createPreflightActivities({
  families,
  client,
  rkvstore,
  dtsList,
}: {
  families: DtsFamilies;
  client: Client;
  rkvstore: RkvstoreClient;
  dtsList?: PreflightDtsList;
}) {
  return {
    preflightDescribeInstance: (input: DescribeInstanceInput) => preflightDescribeInstance(rkvstore, input),
    preflightListDtsDirections: (input: ListDirectionsInput) =>
      preflightListDtsDirections(familyOf(families, input.api), input, dtsList),
    ...createOwnSetupsActivities(client),
  };
}

/**
 * The look at our own running setups: a visibility read, no cloud call. Also on the workflows' own queue, where a
 * preflight since patch preflight-pair-reads-v1 asks it, so it does not wait behind the DTS queue's rate limit.
 */
export function createOwnSetupsActivities(client: Client) {
  return {
    preflightListOwnDirections: (input: { instanceIds: string[] }) => preflightListOwnDirections(client, input),
  };
}

/**
 * The preflight's DTS and visibility reads on its own queue (since patch preflight-own-queue-v1): DTS's calls in
 * the limiter's answer lane (`dts` is DtsClient.forAnswers()), ahead of the setups' calls, within the same budget.
 */
export function createAnswerActivities({
  families,
  client,
  dtsList,
}: {
  families: DtsFamilies;
  client: Client;
  dtsList?: PreflightDtsList;
}) {
  return {
    preflightListDtsDirections: (input: ListDirectionsInput) =>
      preflightListDtsDirections(familyOf(families, input.api), input, dtsList),
    ...createOwnSetupsActivities(client),
  };
}

/** The R-KVStore reads alone, for the `.rkvstore` queue (worker/workers.ts). */
export function createRkvstoreActivities(rkvstore: RkvstoreClient) {
  return { preflightDescribeInstance: (input: DescribeInstanceInput) => preflightDescribeInstance(rkvstore, input) };
}

export type PreflightActivities = ReturnType<typeof createPreflightActivities>;
