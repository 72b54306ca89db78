import { keysetLinks, type KeysetCursor, type KeysetPage } from '../common/keyset-page';
import { WEBHOOK_EVENT_TYPES, TEST_EVENT } from './webhook-event-types';
import type { WebhookEndpoint } from './webhook-endpoints.service';
import type { AttemptLogRow } from './webhooks.repository';

export const WEBHOOKS_PATH = '/webhooks';

const STATE_LABELS: Record<string, string> = { pending: 'Retrying', delivered: 'Delivered', failed: 'Failed' };

// The event checkboxes: as typed when a form was refused, otherwise as stored (none for a new endpoint).
function eventOptions(chosen: readonly string[]) {
  return Object.entries(WEBHOOK_EVENT_TYPES).map(([value, label], index) => ({
    value,
    label,
    id: `event-${index}`,
    checked: chosen.includes(value),
  }));
}

const typed = (body: Record<string, unknown> | null | undefined) =>
  body ? [body.events ?? []].flat().filter((v): v is string => typeof v === 'string') : null;

export function webhooksView(endpoints: WebhookEndpoint[], body: Record<string, unknown> | undefined) {
  const refused = body && Object.keys(body).length > 0 ? body : null;
  return {
    title: 'Webhooks',
    endpoints: endpoints.map((e) => ({
      ...e,
      eventLabels: e.events.join(', '),
    })),
    eventOptions: eventOptions(typed(refused) ?? []),
    enabledChecked: refused ? refused.enabled === 'on' : true,
  };
}

function attemptRow(row: AttemptLogRow) {
  const ok = row.statusCode !== null && row.statusCode >= 200 && row.statusCode < 300;
  return {
    ...row,
    ok,
    outcome: row.statusCode !== null ? `HTTP ${row.statusCode}` : (row.error ?? 'No answer'),
    // A 3xx is an answer, but not a success: redirects are not followed.
    note: row.statusCode !== null && row.statusCode >= 300 && row.statusCode < 400 ? 'Redirect not followed' : null,
    stateLabel: STATE_LABELS[row.messageState] ?? row.messageState,
    canRedeliver: row.messageState !== 'pending',
    isTest: row.eventType === TEST_EVENT,
  };
}

export function endpointView(
  endpoint: WebhookEndpoint,
  log: KeysetPage<AttemptLogRow> & { waiting: number },
  secret: string | null,
  body: Record<string, unknown> | null,
) {
  const url = (cursor: KeysetCursor) => {
    const query = cursor.before ? `?before=${cursor.before}` : cursor.after ? `?after=${cursor.after}` : '';
    return `${WEBHOOKS_PATH}/${endpoint.id}${query}#log`;
  };
  return {
    title: endpoint.description || endpoint.url,
    breadcrumbs: [{ href: WEBHOOKS_PATH, label: 'Webhooks' }],
    endpoint,
    secret,
    eventOptions: eventOptions(typed(body) ?? endpoint.events),
    enabledChecked: body ? body.enabled === 'on' : endpoint.enabled,
    attempts: log.rows.map(attemptRow),
    waiting: log.waiting,
    links: keysetLinks(log, url),
  };
}
