import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ATTESTATION_STATES, STATE_LABELS, type AttestationState } from '../../attestations/attestation-state';
import type { Attestation } from '../../attestations/attestation.record';
import type { timeline } from '../../attestations/attestation-view';
import { MAX_ID } from '../../common/ids';
import { RejectUnknownFields } from '../../common/validation.pipe';
import { TENANT_STATUS_LABELS } from '../../tenants/tenant-status';
import type { TenantSummary } from '../../tenants/tenants.repository';

const TEXT = { message: 'Send this field as a JSON string' };
const YES_NO = { message: 'Send this field as true or false' };

// The create form's fields, as JSON. The types are checked here; what the values must be (required, lengths, a
// valid email, a country from the list) is the form's own check (parseAttestationInput), with the form's words.
@RejectUnknownFields()
export class CreateAttestationBody {
  @ApiProperty({ example: 42, description: 'The tenant (`id` in the tenant list)' })
  @IsInt({ message: 'Send the id of one of your tenants, a whole number' })
  @Min(1, { message: 'Send the id of one of your tenants, a whole number' })
  @Max(MAX_ID, { message: 'Send the id of one of your tenants, a whole number' })
  tenantId: number;

  @ApiProperty({ example: 'Grace', maxLength: 100 })
  @IsOptional()
  @IsString(TEXT)
  signatoryFirstName?: string;

  @ApiProperty({ example: 'Hopper', maxLength: 100 })
  @IsOptional()
  @IsString(TEXT)
  signatoryLastName?: string;

  @ApiProperty({ example: 'grace@fabrikam.example', maxLength: 254 })
  @IsOptional()
  @IsString(TEXT)
  signatoryEmail?: string;

  @ApiPropertyOptional({ example: '+1 425 555 0100', maxLength: 40, nullable: true, type: String })
  @IsOptional()
  @IsString(TEXT)
  signatoryPhone?: string | null;

  @ApiProperty({ example: 'Fabrikam, Inc.', maxLength: 300, description: 'The customer company, as it signs' })
  @IsOptional()
  @IsString(TEXT)
  companyName?: string;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 country code, from the form’s list' })
  @IsOptional()
  @IsString(TEXT)
  country?: string;

  @ApiProperty({ example: 'en-US', description: 'Language of the agreement, from the form’s list' })
  @IsOptional()
  @IsString(TEXT)
  language?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Finalize with Partner Center as soon as the customer accepts (no finalize call needed)',
  })
  @IsOptional()
  @IsBoolean(YES_NO)
  autoFinalize?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Email the acceptance link to the signatory' })
  @IsOptional()
  @IsBoolean(YES_NO)
  emailLink?: boolean;
}

export const DEFAULT_LIST_LIMIT = 50;

@RejectUnknownFields()
export class ListAttestationsQuery {
  @ApiPropertyOptional({ enum: ATTESTATION_STATES, description: 'Only attestations in this state' })
  @IsOptional()
  @IsIn(ATTESTATION_STATES, { message: `Choose one of: ${ATTESTATION_STATES.join(', ')}` })
  state?: AttestationState;

  @ApiPropertyOptional({ description: 'The `next` link of the previous page carries it; opaque' })
  @IsOptional()
  @IsString(TEXT)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: DEFAULT_LIST_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'Send a whole number from 1 to 100' })
  @Min(1, { message: 'Send a whole number from 1 to 100' })
  @Max(100, { message: 'Send a whole number from 1 to 100' })
  limit?: number;
}

export class SignatoryDto {
  @ApiProperty({ example: 'Grace' })
  firstName: string;

  @ApiProperty({ example: 'Hopper' })
  lastName: string;

  @ApiProperty({ example: 'grace@fabrikam.example' })
  email: string;

  @ApiProperty({ example: '+1 425 555 0100', nullable: true, type: String })
  phone: string | null;
}

export class AttestationTenantDto {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ example: 'Fabrikam' })
  name: string;

  @ApiProperty({ example: 'fabrikam.onmicrosoft.com' })
  domain: string;

  @ApiProperty({ example: '6c1e2f0a-4b1f-4a55-9d3e-0f5b2a1c7d9e' })
  microsoftTenantId: string;

  @ApiProperty({ enum: Object.keys(TENANT_STATUS_LABELS), example: 'pending' })
  status: string;

  @ApiProperty({ example: 'Pending acceptance', description: 'As the MCA page shows the status' })
  statusLabel: string;
}

export class TimelineStepDto {
  @ApiProperty({ example: 'attestation.created', description: 'The audit event that records the step' })
  action: string;

  @ApiProperty({ example: 'Link created' })
  label: string;

  @ApiProperty({ example: '2026-12-07T10:00:00.000Z', format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'API token "Provisioning" (mcam_AbCdEfG…)', description: 'Who did it' })
  actor: string;
}

export class AttestationSummaryDto {
  @ApiProperty({ example: 7 })
  id: number;

  @ApiProperty({ example: 42 })
  tenantId: number;

  @ApiProperty({ enum: ATTESTATION_STATES, example: 'awaiting_acceptance' })
  state: AttestationState;

  @ApiProperty({ example: 'Awaiting acceptance', description: 'As the attestation’s page shows the state' })
  stateLabel: string;

  @ApiProperty({ example: 'http://localhost:3000/agreement/2f6c…', description: 'The customer’s acceptance link' })
  acceptanceLink: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  linkExpiresAt: string | null;

  @ApiProperty({ example: '2f6c0d1e-…', description: 'Partner Center’s id of the attestation' })
  partnerCenterAttestationId: string;

  @ApiProperty({ type: SignatoryDto })
  signatory: SignatoryDto;

  @ApiProperty({ example: 'Fabrikam, Inc.' })
  companyName: string;

  @ApiProperty({ example: 'US' })
  country: string;

  @ApiProperty({ example: 'en-US' })
  language: string;

  @ApiProperty()
  autoFinalize: boolean;

  @ApiProperty()
  emailLink: boolean;

  @ApiProperty({ example: 'API token "Provisioning" (mcam_AbCdEfG…)' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  acceptedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finalizeRequestedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finalizedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  cancelledAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expiredAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  failedAt: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Why the last finalize failed, in Partner Center’s words' })
  lastError: string | null;
}

export class AttestationDto extends AttestationSummaryDto {
  @ApiProperty({ type: AttestationTenantDto })
  tenant: AttestationTenantDto;

  @ApiProperty({ type: [TimelineStepDto], description: 'The steps the attestation’s page shows, oldest first' })
  timeline: TimelineStepDto[];
}

export class AttestationListDto {
  @ApiProperty({ type: [AttestationSummaryDto] })
  data: AttestationSummaryDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    example: '/api/v1/attestations?state=accepted&limit=50&cursor=eyJsYXN0Ijo3fQ',
    description: 'The next page, or null on the last one',
  })
  next: string | null;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function attestationSummaryDto(attestation: Attestation): AttestationSummaryDto {
  return {
    id: attestation.id,
    tenantId: attestation.tenantId,
    state: attestation.state,
    stateLabel: STATE_LABELS[attestation.state],
    acceptanceLink: attestation.link,
    linkExpiresAt: iso(attestation.linkExpiresAt),
    partnerCenterAttestationId: attestation.pcAttestationId,
    signatory: {
      firstName: attestation.signatoryFirstName,
      lastName: attestation.signatoryLastName,
      email: attestation.signatoryEmail,
      phone: attestation.signatoryPhone,
    },
    companyName: attestation.companyName,
    country: attestation.country,
    language: attestation.language,
    autoFinalize: attestation.autoFinalize,
    emailLink: attestation.emailLink,
    createdBy: attestation.createdByLabel,
    createdAt: attestation.createdAt.toISOString(),
    acceptedAt: iso(attestation.acceptedAt),
    finalizeRequestedAt: iso(attestation.finalizeRequestedAt),
    finalizedAt: iso(attestation.finalizedAt),
    cancelledAt: iso(attestation.cancelledAt),
    expiredAt: iso(attestation.expiredAt),
    failedAt: iso(attestation.failedAt),
    lastError: attestation.lastError,
  };
}

export function attestationDto(
  attestation: Attestation,
  tenant: TenantSummary,
  steps: ReturnType<typeof timeline>,
): AttestationDto {
  return {
    ...attestationSummaryDto(attestation),
    tenant: {
      id: tenant.id,
      name: tenant.name,
      domain: tenant.domain,
      microsoftTenantId: tenant.microsoftTenantId,
      status: tenant.status,
      statusLabel: TENANT_STATUS_LABELS[tenant.status],
    },
    timeline: steps.map((step) => ({ action: step.action, label: step.label, at: step.iso, actor: step.actor })),
  };
}
