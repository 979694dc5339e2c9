import type { Notice, NoticeEvent } from '../../core/notify';

/** Where a message links to: the API (its base URL) and the Temporal UI, when configured. */
export interface NoticeLinks {
  apiUrl?: string;
  uiUrl?: string;
  namespace: string;
}

export type Severity = 'good' | 'bad' | 'neutral';

/** A message a person reads in a chat tool: a title, facts, what to do next, links. Plain words, no encoding. */
export interface NoticeMessage {
  title: string;
  severity: Severity;
  facts: [label: string, value: string][];
  next: string;
  links: [label: string, url: string][];
}

const TITLES: Record<NoticeEvent, string> = {
  synchronizing: 'is synchronizing',
  'needs-attention': 'needs attention',
  'delay-over-limit': 'lags above its delay limit',
  recovered: 'is synchronizing again',
  'release-failed': 'could not release its DTS instance',
  released: 'was released',
  cancelled: 'was cancelled',
  failed: 'failed',
  'verification-differs': 'has data that differs between its ends',
  expiring: 'has a DTS instance that expires soon',
};

const SEVERITY: Record<NoticeEvent, Severity> = {
  synchronizing: 'good',
  recovered: 'good',
  released: 'good',
  cancelled: 'neutral',
  'needs-attention': 'bad',
  'delay-over-limit': 'bad',
  'release-failed': 'bad',
  failed: 'bad',
  'verification-differs': 'bad',
  expiring: 'bad',
};

export function noticeMessage(notice: Notice, links: NoticeLinks): NoticeMessage {
  const facts: NoticeMessage['facts'] = [
    ['Setup', `${notice.name} (${notice.setupId})`],
    ['Phase', notice.phase],
    ['Pair', `${notice.source} ${notice.topology === 'bidirectional' ? '⇄' : '→'} ${notice.destination}`],
    ['Region', notice.region],
  ];
  if (notice.dtsJobId) facts.push(['DTS job', notice.dtsJobId]);
  if (notice.attention) {
    const kind = notice.attention.kind ? `${notice.attention.kind}, ` : '';
    facts.push(['Why', `${notice.attention.reason} (${kind}${notice.attention.direction})`]);
    if (notice.attention.dtsStatus) facts.push(['DTS says', notice.attention.dtsStatus]);
    if (notice.attention.deadline) facts.push(['Gives up at', notice.attention.deadline]);
  }
  const error = notice.event === 'release-failed' ? notice.releaseError : notice.error;
  if (error && (notice.event === 'release-failed' || notice.event === 'failed' || notice.event === 'needs-attention'))
    facts.push(['Error', `${error.type}${error.code ? ` ${error.code}` : ''}: ${error.message}`]);
  if (notice.released) facts.push(['Instance', notice.released.outcome]);
  const v = notice.verification;
  if (v) {
    facts.push([
      'Compared',
      `${v.keysCompared ?? 0} keys, ${v.keysDiffering ?? 0} differing${v.by ? ` (asked by ${v.by})` : ''}`,
    ]);
    if (v.examples?.length) facts.push(['For example', v.examples.join(', ')]);
  }
  if (notice.expiresAt) facts.push(['Expires at', notice.expiresAt]);
  facts.push(['At', notice.at]);
  const url = (base: string) => `${base}/${encodeURIComponent(notice.setupId)}`;
  const out: NoticeMessage['links'] = [];
  if (links.apiUrl)
    out.push(['API', url(`${links.apiUrl}/v1/syncs`)], ['Events', `${url(`${links.apiUrl}/v1/syncs`)}/events`]);
  if (links.uiUrl)
    out.push(['Temporal UI', url(`${links.uiUrl}/namespaces/${encodeURIComponent(links.namespace)}/workflows`)]);
  return {
    title: `Redis sync ${notice.name} ${TITLES[notice.event]}`,
    severity: SEVERITY[notice.event],
    facts,
    next: nextStep(notice),
    links: out,
  };
}

function nextStep(notice: Notice): string {
  const id = notice.setupId;
  switch (notice.event) {
    case 'synchronizing':
    case 'recovered':
      return 'Nothing to do: data flows.';
    case 'needs-attention':
      return (
        `Fix the cause above, then retry: \`redis-dts-sync retry ${id}\` (POST /v1/syncs/:id/retry). ` +
        `To give up: \`redis-dts-sync abort ${id}\`.`
      );
    case 'delay-over-limit':
      return (
        'Check the write load on the source and the DTS instance class. The setup returns to synchronizing ' +
        'by itself once the delay is within its limit.'
      );
    case 'release-failed':
      return (
        `The DTS instance may still be billed. Fix the cause above, then \`redis-dts-sync retry ${id}\`; ` +
        'the setup also retries by itself.'
      );
    case 'released':
      return 'Nothing to do.';
    case 'cancelled':
      return 'Nothing to do, unless nobody meant to stop this setup.';
    case 'failed':
      return 'The sync never ran. Fix the cause above and create the setup again.';
    case 'verification-differs':
      return (
        'The sync keeps running. Look for writes at the destination that do not come through the sync, then ' +
        `verify again: \`redis-dts-sync verify ${id}\`.`
      );
    case 'expiring':
      return (
        'The subscription ends at the time above; DTS stops the sync soon after. Renew it: ' +
        `POST /v1/syncs/${id}/renew with { "period": "Month", "usedTime": 1 }.`
      );
  }
}

/** The message as Markdown lines (DingTalk, Feishu's lark_md); Slack's mrkdwn differs in bold and links. */
export function markdownLines(message: NoticeMessage, bold = (s: string) => `**${s}**`): string[] {
  return [
    ...message.facts.map(([label, value]) => `- ${bold(label)}: ${value}`),
    '',
    `${bold('Next')}: ${message.next}`,
  ];
}
