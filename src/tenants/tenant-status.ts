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
