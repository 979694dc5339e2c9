// One setup event told to every configured destination. A workflow of its own (a child the setup abandons):
// deliveries outlive the setup's run, a continue-as-new and any worker, and a receiver that is down delays only
// this workflow. Its id is the event's id (core/notify.ts), so an event is announced once.
import { ActivityFailure, ApplicationFailure, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify/deliver';
import type { DestinationKind } from '../activities/notify/config';
import type { AlertNotice, Notice } from '../core/notify';

export interface NoticeDelivery {
  destination: string;
  outcome: 'delivered' | 'failed';
  error?: string;
}

/** Retried with backoff up to a day, each attempt bounded; a refusal is not retried. */
const DELIVERY = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2m' },
} as const;

export async function setupNotice(notice: Notice): Promise<NoticeDelivery[]> {
  return deliverToAll(`**${notice.event}** of ${notice.name}`, (destination, deliver) =>
    deliver(`${notice.event} of ${notice.name} to ${destination}`).deliverNotice({ notice, destination }),
  );
}

/** A group of Prometheus alerts relayed from Alertmanager (api/routes/alerts.ts), to the same destinations. */
export async function alertNotice(alert: AlertNotice): Promise<NoticeDelivery[]> {
  const name = alert.groupLabels.alertname ?? 'alerts';
  return deliverToAll(`**${alert.status}** ${name}`, (destination, deliver) =>
    deliver(`${alert.status} ${name} to ${destination}`).deliverAlert({ alert, destination }),
  );
}

async function deliverToAll(
  what: string,
  send: (destination: DestinationKind, deliver: (summary: string) => NotifyActivities) => Promise<unknown>,
): Promise<NoticeDelivery[]> {
  const { notifyDestinations } = proxyActivities<NotifyActivities>({
    startToCloseTimeout: '10s',
    retry: { maximumInterval: '10s' },
  });
  const destinations = await notifyDestinations();
  setCurrentDetails(`Delivering ${what} to ${destinations.join(', ') || 'no destination'}`);
  const deliver = (summary: string) => proxyActivities<NotifyActivities>({ ...DELIVERY, summary });
  const deliveries = await Promise.all(
    destinations.map(async (destination): Promise<NoticeDelivery> => {
      try {
        await send(destination, deliver);
        return { destination, outcome: 'delivered' };
      } catch (err) {
        // A failed delivery ends here, as a result: it never fails the setup.
        const cause = err instanceof ActivityFailure ? err.cause : err;
        const error = cause instanceof ApplicationFailure ? cause.message : String(cause);
        return { destination, outcome: 'failed', error };
      }
    }),
  );
  setCurrentDetails(
    deliveries.map((d) => `- ${d.destination}: ${d.outcome}${d.error ? ` (${d.error})` : ''}`).join('\n') ||
      'No destination is configured',
  );
  return deliveries;
}
