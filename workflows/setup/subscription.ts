import { ApplicationFailure, log, patched, workflowInfo } from '@temporalio/workflow';
import { tagPair, type ChangeRecord } from '../../core/changes';
import { OWNER_TAG_KEY, renewalShows, type RenewTerm } from '../../core/renewal';
import { SyncTagsKey } from '../../core/search-attributes';
import { backoffMs, DTS_CALL, MAX_BACKOFF_MS } from '../../core/timing';
import { errorSummary, hasDtsAnswer, isNetworkFailure, isPermanent } from './failures';
import { RENEW_TAGS_PATCH } from './patches';
import type { Setup } from './setup';

/** RenewInstance places an order and takes no ClientToken: one attempt per activity, a lost answer is looked at. */
const ORDER = { startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } } as const;

/** The tag that names the setup owning the instance: the second proof of ownership beside the claim. */
function ownerTag(): { key: string; value: string } {
  return { key: OWNER_TAG_KEY, value: workflowInfo().workflowId };
}

/** The setup's tags (the request's `tags`, kept as the search attribute SyncTags). */
export function setupTags(): string[] {
  return [...(workflowInfo().typedSearchAttributes.get(SyncTagsKey) ?? [])];
}

/**
 * Right after the purchase: the request's tags and the owner tag on the instance (TagResources overwrites a
 * key, so a retry or a new run after a crash between purchase and tagging just tags again). An adopted job is
 * someone else's: it is not tagged.
 */
export async function tagAfterPurchase(setup: Setup): Promise<void> {
  if (setup.request.adopt || setup.state.tagged || !setup.status.dtsJobId) return;
  if (!patched(RENEW_TAGS_PATCH)) return;
  await setup.callWithRetries(() =>
    setup.dts('Tag the DTS instance', DTS_CALL).tagInstance({
      dtsJobId: setup.status.dtsJobId!,
      regionId: setup.request.region,
      tags: setupTags(),
      owner: ownerTag(),
    }),
  );
  setup.state.tagged = true;
}

/** A `tags` change on the instance: the new and changed keys tagged, the dropped ones untagged (never the owner's). */
export async function retag(setup: Setup, record: ChangeRecord, wanted: string[]): Promise<void> {
  const keysOf = (tags: string[]) => new Set(tags.map((t) => tagPair(t).key));
  const dropped = [...keysOf(setupTags())].filter((k) => !keysOf(wanted).has(k) && k !== OWNER_TAG_KEY);
  const where = { dtsJobId: setup.status.dtsJobId!, regionId: setup.request.region };
  if (!record.applied.includes('tag instance')) {
    await setup.callWithRetries(() =>
      setup.dts('Tag the DTS instance', DTS_CALL).tagInstance({ ...where, tags: wanted, owner: ownerTag() }),
    );
    record.applied.push('tag instance');
  }
  if (dropped.length > 0 && !record.applied.includes('untag instance')) {
    await setup.callWithRetries(() =>
      setup.dts('Untag the DTS instance', DTS_CALL).untagInstance({ ...where, keys: dropped }),
    );
    record.applied.push('untag instance');
  }
}

/**
 * A `renew` change: one RenewInstance order. No answer (a timeout, a worker gone): ExpireTime is read again
 * and an order that shows is never placed a second time; a refusal is the change's failure.
 */
export async function renew(setup: Setup, record: ChangeRecord, term: RenewTerm): Promise<void> {
  const before = setup.status.expiresAt ?? (await readExpiry(setup));
  const label = `renew ${term.usedTime} ${term.period}`;
  for (let attempt = 0; !record.applied.includes(label); attempt += 1) {
    setup.checkStop();
    try {
      await setup.dts(`Renew the DTS instance for ${term.usedTime} ${term.period}`, ORDER).renewInstance({
        ...setup.instance(),
        ...term,
      });
      setup.clearPassingError();
      record.applied.push(label);
    } catch (err) {
      if (isPermanent(err)) throw err;
      setup.updateStatus({ error: errorSummary(err) });
      // No answer (a timeout, a dropped connection): the order may have been placed. Look before another.
      const unknown = !hasDtsAnswer(err) || isNetworkFailure(err);
      if (unknown && renewalShows(before, await readExpiry(setup), term)) record.applied.push(label);
      else await setup.pause(backoffMs(attempt, MAX_BACKOFF_MS), { wakeOnDtsChange: false });
    }
  }
  const after = await readExpiry(setup);
  if (!renewalShows(before, after, term))
    throw ApplicationFailure.nonRetryable(`DTS accepted the renewal but reports the instance ending at ${after}`);
  log.info('renewed', { before, after });
}

/** ExpireTime by the setup's own read (its family's), retried until DTS answers: the status keeps it. */
async function readExpiry(setup: Setup): Promise<string | undefined> {
  await setup.callWithRetries(async () => {
    const { snapshot, failure } = await setup.read('Forward');
    if (!snapshot || failure) throw failure;
  });
  return setup.status.expiresAt;
}
