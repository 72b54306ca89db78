import type { AuditEventView } from './audit-event';
import { auditUrl, type AuditFilters } from './audit-log.query';
import type { AuditPage } from './audit-log.service';

// Words for the actions recorded today; an action without one is shown as recorded.
const ACTION_LABELS: Record<string, string> = {
  'broker.set_up': 'Organisation set up',
  'broker.created': 'Organisation created',
  'auth.signed_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in refused',
  'auth.signed_out': 'Signed out',
  'user.created': 'User created',
  'user.role_changed': 'Role changed',
  'user.deactivated': 'User deactivated',
  'user.reactivated': 'User reactivated',
  'partner_center.settings_saved': 'Partner Center settings saved',
  'partner_center.connected': 'Partner Center user connected',
  'partner_center.disconnected': 'Partner Center user disconnected',
  'partner_center.acceptance_policy_saved': 'Acceptance policy saved',
  'tenant.acceptance_checked': 'Acceptance checked with Microsoft',
};

const detailText = (value: unknown): string =>
  value === null ? '–' : typeof value === 'string' ? value : JSON.stringify(value);

function eventRow(event: AuditEventView, filters: AuditFilters) {
  return {
    id: event.id,
    createdAt: event.createdAt,
    actionLabel: ACTION_LABELS[event.action] ?? event.action,
    action: event.action,
    actorLabel: event.actorLabel,
    actorType: event.actorType,
    subject: event.subject && {
      ...event.subject,
      // Every event about the same thing, the other filters kept.
      href: auditUrl({ ...filters, subjectType: event.subject.type, subjectId: event.subject.id }),
    },
    details: Object.entries(event.data).map(([key, value]) => ({ key, value: detailText(value) })),
    shortHash: event.hash.slice(0, 12),
    hash: event.hash,
  };
}

export function auditView(page: AuditPage, filters: AuditFilters, errors: Record<string, string>) {
  const filtered = Object.values(filters).some((value) => value !== '');
  return {
    title: 'Audit trail',
    values: filters,
    errors,
    events: page.events.map((event) => eventRow(event, filters)),
    empty: page.events.length === 0,
    filtered,
    clearUrl: auditUrl({ action: '', subjectType: '', subjectId: '', actor: '', from: '', to: '' }),
    paging:
      page.newerThan !== null || page.olderThan !== null
        ? {
            newest: page.newerThan !== null ? auditUrl(filters) : null,
            newer: page.newerThan !== null ? auditUrl(filters, { after: page.newerThan }) : null,
            older: page.olderThan !== null ? auditUrl(filters, { before: page.olderThan }) : null,
          }
        : null,
  };
}
