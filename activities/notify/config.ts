import type { EnvReader } from '../../common/env';
import type { NoticeLinks } from './message';

export const DESTINATION_KINDS = ['webhook', 'dingtalk', 'feishu', 'slack'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/**
 * A configured destination. Its URL and secret live only in the worker's configuration: workflows and
 * histories name it by `kind` alone (a chat tool's webhook URL carries its token, so it is a secret too).
 */
export interface NotifyDestination {
  kind: DestinationKind;
  url: string;
  secret?: string;
}

export interface NotifyConfig {
  destinations: NotifyDestination[];
  links: Omit<NoticeLinks, 'namespace'>;
}

const LOOPBACK_URL = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/**
 * NOTIFY_*: one destination per kind, each set by its URL (and secret where the kind signs). Destinations come
 * only from here, so a request cannot make the worker post anywhere else.
 */
export function readNotifyConfig(env: EnvReader): NotifyConfig {
  // Each name written out: the docs test finds the variables the code reads by their literal names.
  const given: [DestinationKind, string, string | undefined, string, string | undefined][] = [
    [
      'webhook',
      'NOTIFY_WEBHOOK_URL',
      env.optional('NOTIFY_WEBHOOK_URL'),
      'NOTIFY_WEBHOOK_SECRET',
      env.optional('NOTIFY_WEBHOOK_SECRET'),
    ],
    [
      'dingtalk',
      'NOTIFY_DINGTALK_URL',
      env.optional('NOTIFY_DINGTALK_URL'),
      'NOTIFY_DINGTALK_SECRET',
      env.optional('NOTIFY_DINGTALK_SECRET'),
    ],
    [
      'feishu',
      'NOTIFY_FEISHU_URL',
      env.optional('NOTIFY_FEISHU_URL'),
      'NOTIFY_FEISHU_SECRET',
      env.optional('NOTIFY_FEISHU_SECRET'),
    ],
    ['slack', 'NOTIFY_SLACK_URL', env.optional('NOTIFY_SLACK_URL'), '', undefined],
  ];
  const destinations: NotifyDestination[] = [];
  for (const [kind, urlName, url, secretName, secret] of given) {
    if (!url) {
      if (secret) env.problem(`${secretName} is set but ${urlName} is not`);
      continue;
    }
    // The URL is never echoed: a chat tool's webhook URL carries its access token.
    if (!url.startsWith('https://') && !LOOPBACK_URL.test(url))
      env.problem(`${urlName} must be an https URL (plain http only on loopback)`);
    // An unsigned generic webhook lets anyone who learns the URL forge events.
    if (kind === 'webhook' && !secret) env.problem(`${secretName} is required with ${urlName} (deliveries are signed)`);
    if (kind === 'webhook' && secret !== undefined && secret.length < 16)
      env.problem(`${secretName} must be at least 16 characters`);
    destinations.push({ kind, url, ...(secret ? { secret } : {}) });
  }
  const apiUrl = env.optional('NOTIFY_API_URL');
  const uiUrl = env.optional('NOTIFY_UI_URL');
  for (const [name, value] of [
    ['NOTIFY_API_URL', apiUrl],
    ['NOTIFY_UI_URL', uiUrl],
  ] as const)
    if (value !== undefined && !/^https?:\/\/[^\s/]+/.test(value))
      env.problem(`${name} must be an http(s) URL (got "${value}")`);
  return {
    destinations,
    links: {
      ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, '') } : {}),
      ...(uiUrl ? { uiUrl: uiUrl.replace(/\/+$/, '') } : {}),
    },
  };
}
