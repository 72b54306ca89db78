// The events an endpoint may ask for, in the words the page shows. `webhook.test` is sent only by "Send test event".
export const WEBHOOK_EVENT_TYPES = {
  'tenant.status_changed': 'A tenant’s status changed',
  'attestation.created': 'An attestation was created',
  'attestation.accepted': 'The customer accepted',
  'attestation.finalized': 'An attestation was finalized',
  'attestation.failed': 'A finalize failed',
  'attestation.link_expired': 'An agreement link expired',
  'report.ready': 'A report is ready',
  'sync.finished': 'A sync from Microsoft finished',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const TEST_EVENT = 'webhook.test';

export const isWebhookEventType = (value: string): value is WebhookEventType =>
  Object.hasOwn(WEBHOOK_EVENT_TYPES, value);

// The API addresses of the objects an event is about, for the integrator to read more.
export const apiPaths = {
  tenant: (id: number) => `/api/v1/tenants/${id}`,
  attestation: (id: number) => `/api/v1/attestations/${id}`,
  report: (id: number) => `/api/v1/reports/${id}`,
};
