import { keysetLinks } from '../common/keyset-page';
import { actionName, actionOptions, inWords } from './audit-actions';
import { detailFields } from './audit-details';
import type { AuditEventView } from './audit-event';
import { auditUrl, type AuditFilters } from './audit-log.query';
import type { AuditPage } from './audit-log.service';
import { VERIFY_LIMIT, type Verification } from './audit-verification.service';
import { describeWait } from '../rate-limits/rate-limits.service';

const NO_FILTERS: AuditFilters = { action: '', subjectType: '', subjectId: '', actor: '', from: '', to: '' };

// Enough to tell events apart at a glance; the full hash is a click (or Enter) away and in the record.
const SHORT_HASH = 10;

function eventRow(event: AuditEventView, filters: AuditFilters) {
  return {
    id: event.id,
    createdAt: event.createdAt,
    action: actionName(event.action),
    actorLabel: event.actorLabel,
    actorType: event.actorType,
    subject: event.subject && {
      label: `${inWords(event.subject.type)} ${event.subject.id}`,
      // Every event about the same thing, the other filters kept.
      href: auditUrl({ ...filters, subjectType: event.subject.type, subjectId: event.subject.id }),
    },
    details: detailFields(event.data),
    shortHash: event.hash.slice(0, SHORT_HASH),
    hash: event.hash,
    prevHash: event.prevHash,
  };
}

export function auditView(page: AuditPage, filters: AuditFilters, errors: Record<string, string>) {
  const filtered = Object.values(filters).some((value) => value !== '');
  return {
    title: 'Audit trail',
    values: filters,
    actions: actionOptions(filters.action),
    // Set by a row's subject link; shown as what the list is about, with a way back to everything.
    subjectFilter:
      filters.subjectType !== '' || filters.subjectId !== ''
        ? {
            label: [inWords(filters.subjectType), filters.subjectId].filter(Boolean).join(' '),
            clearUrl: auditUrl({ ...filters, subjectType: '', subjectId: '' }),
          }
        : null,
    errors,
    events: page.events.map((event) => eventRow(event, filters)),
    empty: page.events.length === 0,
    filtered,
    clearUrl: auditUrl(NO_FILTERS),
    paging: keysetLinks(page, (cursor) => auditUrl(filters, cursor)),
  };
}

// The result of "Verify the chain", as the page words it.
export function verificationView(verification: Verification | undefined) {
  if (!verification) return null;
  if (verification.kind === 'refused')
    return { kind: verification.kind, limit: VERIFY_LIMIT.limit, wait: describeWait(verification.retryAfterSeconds) };
  if (verification.kind === 'intact') {
    const { events } = verification;
    return { ...verification, events: `${events.toLocaleString('en-GB')} event${events === 1 ? '' : 's'}` };
  }
  const { eventId, reason } = verification;
  return {
    ...verification,
    reason: reason.charAt(0).toUpperCase() + reason.slice(1),
    eventHref: eventId === null ? null : `${auditUrl(NO_FILTERS, { before: eventId + 1 })}#audit-event-${eventId}`,
  };
}
