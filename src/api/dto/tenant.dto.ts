import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ATTESTATION_STATES, type AttestationState } from '../../attestations/attestation-state';
import { RejectUnknownFields } from '../../common/validation.pipe';
import {
  SEARCH_MAX_LENGTH,
  SORT_DIRECTIONS,
  SORT_KEYS,
  STATUS_FILTERS,
  type SortDirection,
  type SortKey,
  type StatusFilter,
} from '../../tenants/mca-query';
import { SEARCH_MATCH_CAP } from '../../tenants/tenants.repository';
import { TENANT_STATUSES, type TenantStatus } from '../../tenants/tenant-status';
import { ListQueryDto } from './list.dto';

// The MCA page's filter, search and sort, refused by name when they are not one the page offers (the page itself
// falls back to its defaults, but a program should hear about its mistake).
@RejectUnknownFields()
export class TenantListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    enum: STATUS_FILTERS,
    default: 'all',
    description:
      'A status, or a part of the wait: `ready` (accepted, ready to finalize), `expired` (link expired), ' +
      '`reaccept` (acceptance older than the broker requires)',
  })
  @IsOptional()
  @IsIn(STATUS_FILTERS, { message: `status must be one of ${STATUS_FILTERS.join(', ')}` })
  status?: StatusFilter;

  @ApiPropertyOptional({
    description:
      'Search: three characters or more anywhere in the name, the domain or the Microsoft tenant id; fewer at the ' +
      `start of the name. At most the first ${SEARCH_MATCH_CAP.toLocaleString('en-GB')} matches are listed.`,
    maxLength: SEARCH_MAX_LENGTH,
  })
  @IsOptional()
  @IsString({ message: 'q must be text' })
  @MaxLength(SEARCH_MAX_LENGTH, { message: `Search for at most ${SEARCH_MAX_LENGTH} characters.` })
  q?: string;

  @ApiPropertyOptional({ enum: SORT_KEYS, default: 'name', description: '`date` is the date of acceptance' })
  @IsOptional()
  @IsIn(SORT_KEYS, { message: `sort must be one of ${SORT_KEYS.join(', ')}` })
  sort?: SortKey;

  @ApiPropertyOptional({
    enum: SORT_DIRECTIONS,
    description: "Default: the sort's own (names A to Z, statuses needing attention first, newest acceptance first)",
  })
  @IsOptional()
  @IsIn(SORT_DIRECTIONS, { message: `dir must be one of ${SORT_DIRECTIONS.join(', ')}` })
  dir?: SortDirection;
}

export class TenantDto {
  @ApiProperty({ type: 'integer', example: 42 })
  id: number;

  @ApiProperty({ example: 'Contoso Ltd' })
  name: string;

  @ApiProperty({ example: 'contoso.onmicrosoft.com' })
  domain: string;

  @ApiProperty({ format: 'uuid', example: '8f4c2a1e-0d7b-4b8e-9a55-3f1d2c6b7e90' })
  microsoftTenantId: string;

  @ApiProperty({ enum: TENANT_STATUSES, example: 'pending' })
  status: TenantStatus;

  @ApiProperty({ example: 'Attestation pending', description: 'The status in the words of the MCA page' })
  statusLabel: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'accepted',
    description: "A pending tenant's part of the wait: awaiting_acceptance, accepted, expired, finalize_failed",
  })
  attestationState: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the acceptance was given' })
  acceptedAt: string | null;

  @ApiProperty({ description: 'The customer accepted the agreement themselves' })
  directlySigned: boolean;

  @ApiProperty({ description: 'Partner Center holds an acceptance the partner confirmed (an attestation)' })
  partnerAccepted: boolean;

  @ApiProperty({ description: 'The partner-confirmed acceptance was made outside this app' })
  attestedOutside: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe <jane@contoso.com>' })
  agreementSignatory: string | null;

  @ApiProperty({ description: 'Every acceptance is older than the broker requires: the customer must accept again' })
  reacceptanceNeeded: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why Partner Center could not confirm the acceptance at the last check',
  })
  unconfirmed: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Gone from Partner Center since' })
  removedAt: string | null;

  @ApiProperty({ example: '/api/v1/tenants/42' })
  url: string;
}

export class TenantListDto {
  @ApiProperty({ type: [TenantDto] })
  data: TenantDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: '/api/v1/tenants?status=none&cursor=eyJwYWdlIjoyLCJhZnRlciI6NDJ9',
    description: 'The next page, with the same filter; null on the last page',
  })
  next: string | null;
}

export class DirectAcceptanceDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When Partner Center first showed it',
  })
  seenAt: string | null;
}

export class PartnerAcceptanceDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  agreedAt: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe <jane@contoso.com>' })
  signatory: string | null;

  @ApiProperty({ description: 'Made outside this app' })
  outside: boolean;
}

export class AcceptanceDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The acceptance the status rests on' })
  acceptedAt: string | null;

  @ApiProperty({ type: DirectAcceptanceDto, nullable: true, description: 'The customer accepted themselves' })
  direct: DirectAcceptanceDto | null;

  @ApiProperty({ type: PartnerAcceptanceDto, nullable: true, description: 'An acceptance the partner confirmed' })
  partner: PartnerAcceptanceDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Last read from Partner Center' })
  checkedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why Partner Center could not confirm it at that check' })
  unconfirmed: string | null;

  @ApiProperty()
  reacceptanceNeeded: boolean;
}

export class AttestationSummaryDto {
  @ApiProperty({ type: 'integer', example: 7 })
  id: number;

  @ApiProperty({ enum: ATTESTATION_STATES, example: 'awaiting_acceptance' })
  status: AttestationState;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ example: '/api/v1/attestations/7' })
  url: string;
}

export class TenantDetailDto {
  @ApiProperty({ type: 'integer', example: 42 })
  id: number;

  @ApiProperty({ example: 'Contoso Ltd' })
  name: string;

  @ApiProperty({ example: 'contoso.onmicrosoft.com' })
  domain: string;

  @ApiProperty({ format: 'uuid' })
  microsoftTenantId: string;

  @ApiProperty({ enum: TENANT_STATUSES })
  status: TenantStatus;

  @ApiProperty({ example: 'Attestation pending' })
  statusLabel: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Gone from Partner Center since' })
  removedAt: string | null;

  @ApiProperty({ type: AcceptanceDto })
  acceptance: AcceptanceDto;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The agreement version (Partner Center's template id) of the partner-confirmed acceptance",
  })
  agreementVersion: string | null;

  @ApiProperty({
    type: [AttestationSummaryDto],
    description: 'Newest first, the most recent 100; each is read in full at its `url`',
  })
  attestations: AttestationSummaryDto[];
}
