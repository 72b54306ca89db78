import { Allow } from 'class-validator';
import { AttestationForm } from '../../attestations/dto/attestation-form.dto';
import type { SelectionFields } from '../tenant-selection';

// The selection as the MCA list's form and the selection page send it (read by parseSelection), with the single
// form's signatory fields when one person signs for every selected tenant (read by parseAttestationInput).
export class SelectionForm extends AttestationForm implements SelectionFields {
  @Allow()
  tenant?: unknown;

  @Allow()
  matching?: unknown;

  @Allow()
  status?: unknown;

  @Allow()
  q?: unknown;
}

export class TemplateQuery implements SelectionFields {
  @Allow()
  format?: unknown;

  @Allow()
  tenant?: unknown;

  @Allow()
  matching?: unknown;

  @Allow()
  status?: unknown;

  @Allow()
  q?: unknown;
}
