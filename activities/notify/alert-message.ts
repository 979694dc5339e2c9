import type { AlertNotice } from '../../core/notify';
import type { Outgoing } from './formats';
import type { NoticeMessage } from './message';

/** A group of Prometheus alerts as a message: each alert's summary, labels that say where, and its runbook. */
export function alertOutgoing(alert: AlertNotice): Outgoing {
  const name = alert.groupLabels.alertname ?? alert.alerts[0]?.labels.alertname ?? 'alert';
  const firing = alert.alerts.filter((a) => a.status === 'firing').length;
  const facts: NoticeMessage['facts'] = alert.alerts.slice(0, 10).map((a) => {
    const where = ['setup', 'direction', 'instance', 'task_queue']
      .filter((l) => a.labels[l])
      .map((l) => `${l}=${a.labels[l]}`)
      .join(' ');
    const label = `${a.status === 'firing' ? 'Firing' : 'Resolved'}${a.labels.severity ? ` (${a.labels.severity})` : ''}`;
    return [label, `${a.annotations.summary ?? a.labels.alertname ?? 'alert'}${where ? ` — ${where}` : ''}`];
  });
  if (alert.alerts.length > 10) facts.push(['More', `${alert.alerts.length - 10} more alerts in this group`]);
  facts.push(['Since', alert.alerts[0]?.startsAt ?? '']);
  const runbook = alert.alerts.find((a) => a.annotations.runbook)?.annotations.runbook;
  const links: NoticeMessage['links'] = [];
  // The rules name a section of this repository's docs; a URL becomes a link.
  if (runbook && /^https?:/.test(runbook)) links.push(['Runbook', runbook]);
  else if (runbook) facts.push(['Runbook', runbook]);
  const source = alert.alerts.find((a) => a.generatorURL)?.generatorURL;
  if (source) links.push(['Prometheus', source]);
  if (alert.externalURL) links.push(['Alertmanager', alert.externalURL]);
  const message: NoticeMessage = {
    title: alert.status === 'firing' ? `[FIRING${firing > 1 ? `:${firing}` : ''}] ${name}` : `[RESOLVED] ${name}`,
    severity: alert.status === 'firing' ? 'bad' : 'good',
    facts,
    next:
      alert.status === 'firing'
        ? 'Follow the runbook; the setups that need a human also have their own notifications.'
        : 'Nothing to do.',
    links,
  };
  return { id: alert.id, message, facts: { event: 'alert', ...alert } };
}
