import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Never encrypted, so never a secret. Registered by the dev server flags (scripts/) and by
// scripts/register-search-attributes.ts on a real cluster.
export const DtsJobIdKey = defineSearchAttributeKey('DtsJobId', SearchAttributeType.KEYWORD);
export const SyncPhaseKey = defineSearchAttributeKey('SyncPhase', SearchAttributeType.KEYWORD);
export const SyncTopologyKey = defineSearchAttributeKey('SyncTopology', SearchAttributeType.KEYWORD);
export const SourceInstanceIdKey = defineSearchAttributeKey('SourceInstanceId', SearchAttributeType.KEYWORD);
export const DestinationInstanceIdKey = defineSearchAttributeKey('DestinationInstanceId', SearchAttributeType.KEYWORD);
// Set once at start by the API, for the fleet view's filters and summary (GET /v1/syncs).
export const SyncNameKey = defineSearchAttributeKey('SyncName', SearchAttributeType.KEYWORD);
export const SyncRegionKey = defineSearchAttributeKey('SyncRegion', SearchAttributeType.KEYWORD);
export const SyncTagsKey = defineSearchAttributeKey('SyncTags', SearchAttributeType.KEYWORD_LIST);

export const SEARCH_ATTRIBUTES = [
  DtsJobIdKey,
  SyncPhaseKey,
  SyncTopologyKey,
  SourceInstanceIdKey,
  DestinationInstanceIdKey,
  SyncNameKey,
  SyncRegionKey,
  SyncTagsKey,
];

/**
 * Memo key of a setup's status (SetupStatus), upserted by the workflow with every change of it: describe() reads
 * it without a worker. Memos are encrypted like every payload, unlike search attributes.
 */
export const STATUS_MEMO = 'status';
