import type { UserRole } from '../auth/user-role';
import { MCA_BREADCRUMB, type Breadcrumb } from '../tenants/mca-view';
import { TENANT_STATUS_LABELS } from '../tenants/tenant-status';
import { isOpen, STATE_LABELS } from './attestation-state';
import { FAILURE_KINDS, type Attestation } from './attestation.record';
import type { TenantSummary } from '../tenants/tenants.repository';
import { countryName, languageName } from './countries-languages';
import type { AuditEventView } from '../audit/audit-trail.service';
import { customerAcceptance, type CustomerAcceptance } from './customer-acceptance';

// What each step of the timeline is called, and the audit action that records who did it.
const STEPS: { key: keyof Attestation; label: string; action: string }[] = [
  { key: 'createdAt', label: 'Link created', action: 'attestation.created' },
  { key: 'emailedAt', label: 'Link emailed to the signatory', action: 'attestation.link_emailed' },
  { key: 'remindedAt', label: 'Reminder emailed to the signatory', action: 'attestation.reminded' },
  {
    key: 'acceptedAt',
    label: 'Accepted by the customer (as Partner Center reports it)',
    action: 'attestation.accepted',
  },
  { key: 'finalizeRequestedAt', label: 'Finalize requested', action: 'attestation.finalize_requested' },
  { key: 'failedAt', label: 'Finalize failed', action: 'attestation.finalize_failed' },
  { key: 'finalizedAt', label: 'Finalized with Partner Center', action: 'attestation.finalized' },
  { key: 'cancelledAt', label: 'Cancelled', action: 'attestation.cancelled' },
  { key: 'expiredAt', label: 'Link expired', action: 'attestation.expired' },
];

export const STATE_HELP: Record<Attestation['state'], string> = {
  awaiting_acceptance:
    'The customer has not accepted yet. Send them the agreement link; this page checks Partner Center each time it opens.',
  accepted: 'The customer accepted. Finalize to confirm the acceptance to Microsoft Partner Center.',
  finalized:
    'Finalized: Partner Center has the customer agreement, and the customer shows “Acceptance provided (Attested)”.',
  cancelled: 'Cancelled by the partner. Create a new attestation to collect the acceptance.',
  expired:
    'The link expired before the customer accepted. “Create a new link” starts a new attestation with the same details.',
  finalize_failed: 'Partner Center refused to finalize. Fix the cause it gives, then Retry.',
};

const actorOf = (events: AuditEventView[], action: string): string | null =>
  events.find((event) => event.action === action)?.actorLabel ?? null;

// The customer is the one who accepted, whatever an older event names as its actor (who observed it).
const acceptedByText = (acceptance: CustomerAcceptance): string =>
  acceptance.observedBy
    ? `${acceptance.acceptedBy.label}; observed by ${acceptance.observedBy.label}`
    : acceptance.acceptedBy.label;

// Breadcrumb trails: an attestation's page hangs below the MCA page, its record, finalize and cancel pages below it.
export const ATTESTATION_TRAIL: readonly Breadcrumb[] = [MCA_BREADCRUMB];
export const belowAttestationTrail = (tenant: Pick<TenantSummary, 'id' | 'name'>): Breadcrumb[] => [
  MCA_BREADCRUMB,
  { label: `Attestation for ${tenant.name}`, href: `/tenants/${tenant.id}/attestation` },
];

export function timeline(attestation: Attestation, events: AuditEventView[]) {
  const acceptance = customerAcceptance(attestation, events);
  return STEPS.filter((step) => attestation[step.key] instanceof Date).map((step) => {
    const at = attestation[step.key] as Date;
    const actor =
      step.key === 'acceptedAt' && acceptance
        ? acceptedByText(acceptance)
        : (actorOf(events, step.action) ?? (step.key === 'createdAt' ? attestation.createdByLabel : 'system'));
    return { action: step.action, label: step.label, at, iso: at.toISOString(), actor };
  });
}

export function attestationView(
  tenant: TenantSummary,
  attestation: Attestation,
  events: AuditEventView[],
  role: UserRole,
) {
  const canChange = role !== 'viewer';
  const base = `/tenants/${tenant.id}`;
  return {
    tenant: { ...tenant, statusLabel: TENANT_STATUS_LABELS[tenant.status] },
    attestation: {
      ...attestation,
      stateLabel: STATE_LABELS[attestation.state],
      stateHelp:
        attestation.lastErrorKind === FAILURE_KINDS.contactUsed && attestation.state === 'finalize_failed'
          ? 'Partner Center refused to finalize.'
          : STATE_HELP[attestation.state],
      countryName: countryName(attestation.country),
      languageName: languageName(attestation.language),
      open: isOpen(attestation.state),
      linkUsable: attestation.state === 'awaiting_acceptance',
      // Live mode without Microsoft's component address: the customer's page cannot show the agreement yet.
      componentMissing: attestation.state === 'awaiting_acceptance' && !attestation.componentUrl,
      // 600061 about someone else's agreement: only different signatory details get a new attestation through.
      contactUsed: attestation.state === 'finalize_failed' && attestation.lastErrorKind === FAILURE_KINDS.contactUsed,
    },
    timeline: timeline(attestation, events),
    // What a cancel does, said before it is done (the confirmation dialog and page).
    cancelEffects: {
      link: `The customer’s agreement link stops working: ${attestation.signatoryFirstName} ${attestation.signatoryLastName} can no longer accept with it, and Partner Center is not asked to finalize.`,
      tenant:
        tenant.status === 'attested' || tenant.status === 'direct'
          ? `${tenant.name} keeps its status, “${TENANT_STATUS_LABELS[tenant.status]}”.`
          : `${tenant.name} goes back to “${TENANT_STATUS_LABELS.none}”.`,
    },
    can: {
      cancel: canChange && isOpen(attestation.state),
      finalize: canChange && attestation.state === 'accepted' && !attestation.finalizeRequestedAt,
      finalizing: attestation.state === 'accepted' && attestation.finalizeRequestedAt !== null,
      retry:
        canChange && attestation.state === 'finalize_failed' && attestation.lastErrorKind !== FAILURE_KINDS.contactUsed,
      renew: canChange && (attestation.state === 'expired' || attestation.state === 'cancelled'),
      create: canChange && !isOpen(attestation.state),
    },
    urls: {
      view: `${base}/attestation`,
      cancel: `${base}/attestation/cancel`,
      finalize: `${base}/attestation/finalize`,
      retry: `${base}/attestation/retry`,
      renew: `${base}/attestations/new?from=${attestation.id}`,
      record: `${base}/attestation/record`,
      recordJson: `${base}/attestation/record.json`,
    },
  };
}

// The record a partner hands to an auditor: the partner, the customer's tenant, the agreement, the signatory as
// entered, the customer's acceptance and who observed it, every time and actor, and the audit chain's hashes of
// these events (which `audit:verify` checks against the whole chain). Keys are kept; new facts get new keys.
export function attestationRecord(
  partnerName: string,
  tenant: TenantSummary,
  attestation: Attestation,
  events: AuditEventView[],
  now: Date,
) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    kind: 'mca-partner-attestation-record',
    generatedAt: now.toISOString(),
    partner: { name: partnerName },
    tenant: { name: tenant.name, microsoftTenantId: tenant.microsoftTenantId, domain: tenant.domain },
    attestation: {
      id: attestation.id,
      partnerCenterAttestationId: attestation.pcAttestationId,
      state: attestation.state,
      templateId: attestation.templateId,
      agreementDocumentLink: attestation.agreementLink,
      acceptanceLink: attestation.link,
      componentUrl: attestation.componentUrl,
      linkExpiresAt: iso(attestation.linkExpiresAt),
      autoFinalize: attestation.autoFinalize,
      lastError: attestation.lastError,
    },
    signatory: {
      firstName: attestation.signatoryFirstName,
      lastName: attestation.signatoryLastName,
      email: attestation.signatoryEmail,
      phone: attestation.signatoryPhone,
      companyName: attestation.companyName,
      country: attestation.country,
      language: attestation.language,
    },
    createdBy: attestation.createdByLabel,
    acceptance: customerAcceptance(attestation, events),
    times: {
      createdAt: iso(attestation.createdAt),
      emailedAt: iso(attestation.emailedAt),
      remindedAt: iso(attestation.remindedAt),
      acceptedAt: iso(attestation.acceptedAt),
      finalizeRequestedAt: iso(attestation.finalizeRequestedAt),
      finalizedAt: iso(attestation.finalizedAt),
      failedAt: iso(attestation.failedAt),
      cancelledAt: iso(attestation.cancelledAt),
      expiredAt: iso(attestation.expiredAt),
    },
    auditEvents: events.map((event) => ({
      id: event.id,
      action: event.action,
      actor: event.actorLabel,
      actorType: event.actorType,
      at: iso(event.createdAt),
      data: event.data,
      hash: event.hash,
      prevHash: event.prevHash,
    })),
  };
}

const ACCEPTED_AT_NOTES: Record<NonNullable<CustomerAcceptance['acceptedAtSource']>, string> = {
  partner_center: 'as Partner Center reports it',
  observed: 'Partner Center gave no time: when it was observed here',
};

// The printable record: the record itself, and the words its values need.
export function recordPageView(record: ReturnType<typeof attestationRecord>) {
  const source = record.acceptance?.acceptedAtSource;
  return {
    title: `Attestation record: ${record.tenant.name}`,
    record,
    stateLabel: STATE_LABELS[record.attestation.state],
    acceptedAtNote: source ? ACCEPTED_AT_NOTES[source] : null,
  };
}
