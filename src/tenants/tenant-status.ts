export const TENANT_STATUSES = ['attested', 'direct', 'pending', 'none'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

// Exact labels from the design; the list shows these words.
export const TENANT_STATUS_LABELS: Record<TenantStatus, string> = {
  attested: 'Acceptance provided (Attested)',
  direct: 'Acceptance provided (Direct)',
  pending: 'Attestation pending',
  none: 'No acceptance provided',
};

export interface TenantStatusFacts {
  hasFinalizedAttestation: boolean;
  directlySigned: boolean;
  hasOpenAttestation: boolean;
}

// The one rule that turns what we know of a tenant into its status, in the design's order of precedence.
export function deriveTenantStatus(facts: TenantStatusFacts): TenantStatus {
  if (facts.hasFinalizedAttestation) return 'attested';
  if (facts.directlySigned) return 'direct';
  if (facts.hasOpenAttestation) return 'pending';
  return 'none';
}

// Which part of the wait a pending tenant is in (tenants.attestation_state, kept by the attestations feature).
export const ATTESTATION_WAIT_LABELS: Record<string, string> = {
  awaiting_acceptance: 'Awaiting acceptance',
  accepted: 'Ready to finalize',
  expired: 'Link expired',
  finalize_failed: 'Finalize failed',
};

// The parts of the wait the app leaves without the partner: the customer accepts (learned by polling Partner
// Center), then auto-finalize or a finalize asked for makes it Attested. The list refreshes these rows by itself.
export const REFRESHING_STATES: readonly string[] = ['awaiting_acceptance', 'accepted'];

// The legend under the list: each status's meaning, in the help page's words.
// `withWaits`: the parts of the wait (WAIT_MEANINGS) are explained under this status.
export const STATUS_MEANINGS: { label: string; meaning: string; withWaits?: true }[] = [
  {
    label: TENANT_STATUS_LABELS.attested,
    meaning:
      'Partner Center holds a partner attestation of the customer’s acceptance of the Microsoft Customer Agreement: finalized here, or made elsewhere (Partner Center, the bulk tool, another portal), then marked “made outside MCA Manager”.',
  },
  {
    label: TENANT_STATUS_LABELS.direct,
    meaning: 'the customer’s global admin accepted the Microsoft Customer Agreement in the Microsoft 365 admin center.',
  },
  {
    label: TENANT_STATUS_LABELS.pending,
    meaning: 'an attestation exists and is not finalized yet. The row says where it stands:',
    withWaits: true,
  },
  {
    label: TENANT_STATUS_LABELS.none,
    meaning:
      'this customer will have highly restricted capabilities for managing subscriptions until the Microsoft Customer Agreement is accepted, directly or through a partner attestation.',
  },
];

export const WAIT_MEANINGS: { label: string; meaning: string }[] = [
  { label: 'Awaiting acceptance', meaning: 'the customer has not accepted through the agreement link yet.' },
  {
    label: 'Ready to finalize',
    meaning: 'the customer accepted; finalize the attestation to confirm it to Microsoft.',
  },
  {
    label: 'Link expired',
    meaning: 'the link ran out before the customer accepted: “Create a new link” from the attestation.',
  },
  {
    label: 'Finalize failed',
    meaning: 'Partner Center refused to finalize; view the attestation for its message, then retry.',
  },
];

// The marks beside a status, explained under the list too.
export const MARK_MEANINGS: { label: string; meaning: string }[] = [
  {
    label: 'Re-acceptance needed',
    meaning:
      'every acceptance of the customer is older than your organisation requires (Partner Center settings, “Require acceptance on or after”): not counted as compliant.',
  },
  {
    label: 'Not confirmed by Microsoft',
    meaning:
      'Partner Center did not answer for this customer at the last sync: the status shown is the last one it confirmed.',
  },
  {
    label: 'New attestation',
    meaning: 'an attestation waits on a tenant that has already accepted: its status stays as it is.',
  },
];
