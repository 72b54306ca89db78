import { Allow } from 'class-validator';

// The create form as sent. Its fields are checked together by parseAttestationInput (attestation-input.ts), after
// the tenant is found, so that every refused field gets its message next to it on that tenant's form.
export class AttestationForm {
  @Allow()
  signatoryFirstName?: unknown;

  @Allow()
  signatoryLastName?: unknown;

  @Allow()
  signatoryEmail?: unknown;

  @Allow()
  signatoryPhone?: unknown;

  @Allow()
  companyName?: unknown;

  @Allow()
  country?: unknown;

  @Allow()
  language?: unknown;

  @Allow()
  autoFinalize?: unknown;

  @Allow()
  emailLink?: unknown;

  @Allow()
  requestToken?: unknown;
}

// An action on the attestation's page (finalize, retry, cancel): the id of the attestation the page showed, read by
// formId (src/common/ids.ts).
export class AttestationActionForm {
  @Allow()
  attestationId?: unknown;
}
