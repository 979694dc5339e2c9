import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, encryptingDataConverter, FAILURE_CONVERTER_PATH } from '../../common/codec';
import { setupWorkflowId } from '../../core/ids';
import type { RedisSyncInput } from '../../workflows/redis-sync';
import { CHAOS_PAYLOAD_KEYS } from '../chaos/keys';
import { TEST_PAYLOAD_KEYS } from '../support/stack';
import {
  CANARY_PATCH,
  DTS_FAMILY_PATCH,
  DAY_TWO_CHANGES_PATCH,
  DAY_TWO_DTSJOB_PATCH,
  NOTIFY_PATCH,
  PURCHASE_OUTCOME_KEPT_PATCH,
  STATUS_MEMO_PATCH,
  VERIFICATION_PATCH,
  WAIT_DEADLINE_UNREAD_PATCH,
  WATCHER_NEWS_PATCH,
} from '../../workflows/setup/patches';
import { historyFromJson } from './history-json';
import { PREFLIGHT_REPLAY_ID, REQUIRED_HISTORY_FILES, RETIRED_PATCHES } from './paths';
import {
  PREFLIGHT_LOCAL_READS_PATCH,
  PREFLIGHT_OWN_QUEUE_PATCH,
  PREFLIGHT_PAIR_READS_PATCH,
} from '../../workflows/preflight';

// Recorded runs of every path that matters (test/histories, re-record with
// `npx tsx test/replay/record-histories.ts`) must replay against the CURRENT workflow code:
// a change that alters the commands of a running setup would break it after a deploy.
const HISTORIES = join(__dirname, '../histories');
const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => historyFromJson(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
// Histories hold encrypted payloads; the replay worker needs the codec to read them.
const dataConverter = encryptingDataConverter(TEST_PAYLOAD_KEYS);
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

// This file's own process (forks pool): keep the replay workers' state changes (and the bite test's expected nondeterminism warning) out of the output.
Runtime.install({ logger: new DefaultLogger('ERROR') });

interface MarkerJson {
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> };
}

/** Patch ids recorded in a history (core's `core_patch` markers, JSON in base64). */
function patchIds(history: { events?: MarkerJson[] }): string[] {
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .flatMap((m) => m!.details?.['patch-data']?.payloads ?? [])
    .map((p) => (JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8')) as { id: string }).id);
}

/**
 * The id the recording ran under (record-histories.ts starts each setup under its pair's id): commands that
 * name workflows derived from it (the notifiers' ids) must match.
 */
async function recordedWorkflowId(history: ReturnType<typeof load>): Promise<string> {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name === 'preflight') return PREFLIGHT_REPLAY_ID;
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const [input] = await new AesGcmPayloadCodec(TEST_PAYLOAD_KEYS).decode(payloads);
  return setupWorkflowId(defaultPayloadConverter.fromPayload<RedisSyncInput>(input!).request);
}

describe('replay of recorded histories', () => {
  it('has the histories of every recorded path', () => {
    // A path without a recording fails here.
    expect(files).toEqual(REQUIRED_HISTORY_FILES);
    // The recorder (plain tsx, no vitest) holds its own copy of the test key.
    expect(CHAOS_PAYLOAD_KEYS).toEqual(TEST_PAYLOAD_KEYS);
  });

  it('no recording carries a patch the 1.0 baseline retired', () => {
    for (const file of files) {
      const ids = patchIds(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
      expect(
        ids.filter((id) => RETIRED_PATCHES.includes(id)),
        file,
      ).toEqual([]);
    }
  });

  it.each([
    ['wait-deadline-unread', WAIT_DEADLINE_UNREAD_PATCH],
    ['purchase-outcome-kept', PURCHASE_OUTCOME_KEPT_PATCH],
    ['watcher-news-while-unreadable', WATCHER_NEWS_PATCH],
    ['day-two-paused-resumed', DAY_TWO_CHANGES_PATCH],
    ['day-two-databases-and-class', DAY_TWO_CHANGES_PATCH],
    ['status-memo', STATUS_MEMO_PATCH],
    ['verified-on-request', VERIFICATION_PATCH],
    ['canary-released', CANARY_PATCH],
    ['notified-attention-recovered', NOTIFY_PATCH],
    ['dtsjob-twoway-released', DTS_FAMILY_PATCH],
    ['dtsjob-continued-as-new-first-run', DTS_FAMILY_PATCH],
    ['day-two-dtsjob-changes', DAY_TWO_DTSJOB_PATCH],
    ['day-two-dtsjob-rekey-retried', DAY_TWO_DTSJOB_PATCH],
    ['preflight-pair-reads', PREFLIGHT_PAIR_READS_PATCH],
    ['preflight-own-queue', PREFLIGHT_OWN_QUEUE_PATCH],
    ['preflight-local-reads', PREFLIGHT_LOCAL_READS_PATCH],
  ])('%s is recorded with its patch %s', (name, patch) => {
    expect(patchIds(JSON.parse(readFileSync(join(HISTORIES, `${name}.json`), 'utf8')))).toContain(patch);
  });

  it('notified-attention-recovered starts one notifying workflow per event, abandoned by the setup', () => {
    const history = JSON.parse(readFileSync(join(HISTORIES, 'notified-attention-recovered.json'), 'utf8')) as {
      events: {
        startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId: string; parentClosePolicy: string };
      }[];
    };
    const children = history.events.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []);
    expect(children.map((c) => c.workflowId.replace(/^.*\.notice-/, ''))).toEqual([
      '0-synchronizing',
      '1-needs-attention',
      '2-recovered',
      '3-released',
    ]);
    expect(new Set(children.map((c) => c.parentClosePolicy))).toEqual(new Set(['PARENT_CLOSE_POLICY_ABANDON']));
  });

  it.each(files)('%s replays against the current workflow bundle', async (file) => {
    const history = load(file);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter },
      history,
      await recordedWorkflowId(history),
    );
  });

  it('bites: a workflow that skips a step fails to replay', { timeout: 120_000 }, async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(__dirname, 'skips-a-step.ts'),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quiet,
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code }, dataConverter }, load('oneway-released.json')),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
