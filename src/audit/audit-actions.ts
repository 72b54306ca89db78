// The one place that names audit actions in words: the trail's rows and its action filter both read it. The part
// of a code before its first dot is its family; the filter offers each family and each action.
const FAMILIES: Record<string, { name: string; actions: Record<string, string> }> = {
  auth: {
    name: 'Sign-in',
    actions: {
      'auth.signed_in': 'Signed in',
      'auth.sign_in_failed': 'Sign-in refused',
      'auth.signed_out': 'Signed out',
    },
  },
  broker: {
    name: 'Organisation',
    actions: {
      'broker.set_up': 'Organisation set up',
      'broker.created': 'Organisation created',
    },
  },
  user: {
    name: 'Users',
    actions: {
      'user.created': 'User created',
      'user.role_changed': 'Role changed',
      'user.deactivated': 'User deactivated',
      'user.reactivated': 'User reactivated',
      'user.password_changed': 'Password changed',
      'user.password_reset_requested': 'Password reset asked for',
      'user.password_reset_link_sent': 'Password reset link sent',
      'user.password_reset_used': 'Password reset with a link',
    },
  },
  api_token: {
    name: 'API access',
    actions: {
      'api_token.created': 'API token created',
      'api_token.revoked': 'API token revoked',
    },
  },
  partner_center: {
    name: 'Partner Center',
    actions: {
      'partner_center.settings_saved': 'Partner Center settings saved',
      'partner_center.connected': 'Partner Center user connected',
      'partner_center.disconnected': 'Partner Center user disconnected',
      'partner_center.acceptance_policy_saved': 'Acceptance policy saved',
    },
  },
  sync: {
    name: 'Sync from Microsoft',
    actions: {
      'sync.requested': 'Sync asked for',
      'sync.started': 'Sync started',
      'sync.succeeded': 'Sync finished',
      'sync.failed': 'Sync failed',
    },
  },
  tenant: {
    name: 'Tenants',
    actions: {
      'tenant.acceptance_checked': 'Acceptance checked with Microsoft',
    },
  },
  attestation: {
    name: 'Attestations',
    actions: {
      'attestation.created': 'Attestation created',
      'attestation.link_emailed': 'Agreement link emailed',
      'attestation.reminded': 'Reminder sent',
      'attestation.accepted': 'Customer accepted',
      'attestation.finalize_requested': 'Finalize asked for',
      'attestation.finalized': 'Attestation finalized',
      'attestation.finalize_failed': 'Finalize failed',
      'attestation.expired': 'Attestation expired',
      'attestation.cancelled': 'Attestation cancelled',
    },
  },
  attestation_batch: {
    name: 'Attestation batches',
    actions: {
      'attestation_batch.confirmed': 'Attestation batch confirmed',
      'attestation_batch.paused': 'Attestation batch paused',
      'attestation_batch.resumed': 'Attestation batch resumed',
      'attestation_batch.cancelled': 'Attestation batch cancelled',
      'attestation_batch.finished': 'Attestation batch sent',
    },
  },
  report: {
    name: 'Reports',
    actions: {
      'report.requested': 'Report asked for',
      'report.sent': 'Report sent',
      'report.ready': 'Report ready to download',
      'report.failed': 'Report failed',
      'report.request_refused': 'Report request refused',
      'report.recipients_skipped': 'Report recipients left out',
      'report.recipient_domains_saved': 'Report recipient domains saved',
    },
  },
  report_schedule: {
    name: 'Report schedules',
    actions: {
      'report_schedule.created': 'Report schedule created',
      'report_schedule.updated': 'Report schedule changed',
      'report_schedule.paused': 'Report schedule paused',
      'report_schedule.resumed': 'Report schedule resumed',
      'report_schedule.deleted': 'Report schedule deleted',
      'report_schedule.run': 'Scheduled report started',
    },
  },
  webhook: {
    name: 'Webhooks',
    actions: {
      'webhook.endpoint_created': 'Webhook endpoint registered',
      'webhook.endpoint_updated': 'Webhook endpoint changed',
      'webhook.secret_rotated': 'Webhook signing secret rotated',
      'webhook.endpoint_deleted': 'Webhook endpoint deleted',
      'webhook.test_sent': 'Webhook test event sent',
      'webhook.redelivered': 'Webhook message redelivered',
    },
  },
  backup: {
    name: 'Backups',
    actions: {
      'backup.created': 'Backup made',
      'backup.failed': 'Backup failed',
      'backup.restored': 'Backup restored',
      'backup.settings_saved': 'Backup settings saved',
    },
  },
};

const NAMES: Record<string, string> = Object.assign(
  {},
  ...Object.values(FAMILIES).map((family) => family.actions),
) as Record<string, string>;

// "password_reset_used" → "Password reset used": an action recorded before it was named here still reads as words.
export const inWords = (code: string): string => {
  const words = code.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export function actionName(action: string): string {
  return Object.hasOwn(NAMES, action) ? NAMES[action] : inWords(action);
}

export interface ActionOption {
  value: string;
  label: string;
  selected: boolean;
}

// The filter's choices, family by family: "<family> (all)" first, then its actions. A value the list lacks (an
// action recorded before it was named here, or a link from elsewhere) is kept as a choice of its own, so the
// filter still shows what it filters by.
export function actionOptions(selected: string): { groups: { label: string; options: ActionOption[] }[] } {
  const option = (value: string, label: string) => ({ value, label, selected: value === selected });
  const groups = Object.entries(FAMILIES).map(([code, family]) => ({
    label: family.name,
    options: [
      option(code, `${family.name} (all)`),
      ...Object.entries(family.actions).map(([action, name]) => option(action, name)),
    ],
  }));
  const known = selected === '' || Object.hasOwn(FAMILIES, selected) || Object.hasOwn(NAMES, selected);
  if (!known) groups.push({ label: 'Other', options: [option(selected, inWords(selected))] });
  return { groups };
}
