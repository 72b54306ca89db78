import type { AttestationInput } from './attestation-input';
import type { AttestationState } from './attestation-state';

// One attestation as stored (AttestationsRepository), in the app's terms: what the partner entered, and its life.
export interface Attestation extends AttestationInput {
  id: number;
  brokerId: number;
  tenantId: number;
  pcAttestationId: string;
  state: AttestationState;
  link: string; // the customer's: a page of this app that shows Microsoft's component (older ones: the component)
  componentUrl: string | null; // Microsoft's embeddable component for this attestation, when known
  linkExpiresAt: Date | null;
  templateId: string | null;
  agreementLink: string | null;
  createdByUserId: number | null;
  createdByLabel: string;
  createdAt: Date;
  acceptedAt: Date | null;
  finalizeRequestedAt: Date | null;
  finalizedAt: Date | null;
  failedAt: Date | null;
  cancelledAt: Date | null;
  expiredAt: Date | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastPolledAt: Date | null;
  nextPollAt: Date | null;
  emailedAt: Date | null;
  remindedAt: Date | null;
}

// The columns a transition may set, by their property names (never user input: these name columns in SQL).
export type AttestationChanges = Partial<
  Pick<
    Attestation,
    | 'acceptedAt'
    | 'finalizeRequestedAt'
    | 'finalizedAt'
    | 'failedAt'
    | 'cancelledAt'
    | 'expiredAt'
    | 'lastError'
    | 'lastErrorKind'
    | 'lastPolledAt'
    | 'nextPollAt'
    | 'emailedAt'
    | 'remindedAt'
  >
>;

// Why a finalize failed (lastErrorKind), for the page to offer what helps: different contact details, or the roles.
export const FAILURE_KINDS = { contactUsed: 'contact_already_used', forbidden: 'forbidden' } as const;
