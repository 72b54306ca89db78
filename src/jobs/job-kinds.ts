// The one place that names job types in words, for Background work's rows and its kind filter. A type without
// words here (a new one, or a test's) reads as its code in words.
const KIND_NAMES: Record<string, string> = {
  'tenant.sync': 'Sync from Microsoft',
  'tenant.sync.schedule': 'Schedule the syncs',
  'tenants.reacceptance': 'Mark tenants for re-acceptance',
  'attestation.poll': 'Check open agreement links',
  'attestation.finalize': 'Finalize an attestation',
  'attestation_batch.run': 'Create a batch of attestations',
  'mail.send': 'Send an email',
  'password.reset_request': 'Answer a forgotten password',
  'report.generate': 'Build and send a report',
  'report.schedule-tick': 'Start scheduled reports',
  'report.prune': 'Delete old report files',
  'jobs.prune': 'Delete old finished jobs',
  'api-token.counts-prune': 'Delete past API request counts',
  'api.idempotency-prune': 'Forget API Idempotency-Keys older than a day',
  'audit.anchor': 'Write the audit chain heads to the log',
  'backup.run': 'Scheduled backup',
  'webhook.deliver': 'Deliver a webhook',
};

export const NAMED_JOB_KINDS = Object.keys(KIND_NAMES);

export function jobKindName(type: string): string {
  if (Object.hasOwn(KIND_NAMES, type)) return KIND_NAMES[type];
  const words = type.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
