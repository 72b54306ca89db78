import type { Dialect } from '../database/dialect';
import type { AttestationInput } from './attestation-input';
import type { AttestationState } from './attestation-state';

// One attestation as stored (table `attestations`), in the app's terms: what the partner entered, and its life.
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

export const columnOf = (property: string): string => property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Raw = Record<string, unknown>;

export function toAttestation(raw: Raw, dialect: Dialect): Attestation {
  const date = (key: string) => dialect.decodeTimestamp(raw[key]);
  const text = (key: string) => (raw[key] === null || raw[key] === undefined ? null : String(raw[key]));
  return {
    id: Number(raw.id),
    brokerId: Number(raw.broker_id),
    tenantId: Number(raw.tenant_id),
    pcAttestationId: String(raw.pc_attestation_id),
    requestToken: String(raw.request_token),
    signatoryFirstName: String(raw.signatory_first_name),
    signatoryLastName: String(raw.signatory_last_name),
    signatoryEmail: String(raw.signatory_email),
    signatoryPhone: text('signatory_phone'),
    companyName: String(raw.company_name),
    country: String(raw.country),
    language: String(raw.language),
    autoFinalize: Boolean(Number(raw.auto_finalize) || raw.auto_finalize === true),
    emailLink: Boolean(Number(raw.email_link) || raw.email_link === true),
    state: raw.state as AttestationState,
    link: String(raw.link),
    componentUrl: text('component_url'),
    linkExpiresAt: date('link_expires_at'),
    templateId: text('template_id'),
    agreementLink: text('agreement_link'),
    createdByUserId: raw.created_by_user_id === null ? null : Number(raw.created_by_user_id),
    createdByLabel: String(raw.created_by_label),
    createdAt: date('created_at') as Date,
    acceptedAt: date('accepted_at'),
    finalizeRequestedAt: date('finalize_requested_at'),
    finalizedAt: date('finalized_at'),
    failedAt: date('failed_at'),
    cancelledAt: date('cancelled_at'),
    expiredAt: date('expired_at'),
    lastError: text('last_error'),
    lastErrorKind: text('last_error_kind'),
    lastPolledAt: date('last_polled_at'),
    nextPollAt: date('next_poll_at'),
    emailedAt: date('emailed_at'),
    remindedAt: date('reminded_at'),
  };
}
