import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { BATCH_SOURCES, BATCH_STATUSES, BATCH_ROW_STATUSES } from '../../bulk-attestations/batch-status';
import { RejectUnknownFields } from '../../common/validation.pipe';

export const API_BATCH_MAX_ROWS = 1000;

// One row: the fields are checked with the single attestation form's rules and words (422 with `rows[i].field`).
@RejectUnknownFields()
export class AttestationBatchRowInputDto {
  @ApiProperty({ example: '2f7c1d43-8f1a-4a0e-9a3b-0c1d2e3f4a5b', description: "The customer's Microsoft tenant ID" })
  @IsString()
  @MaxLength(100)
  microsoftTenantId: string;

  @ApiProperty({ example: 'Grace', maxLength: 100 })
  @IsString()
  @MaxLength(1000)
  signatoryFirstName: string;

  @ApiProperty({ example: 'Hopper', maxLength: 100 })
  @IsString()
  @MaxLength(1000)
  signatoryLastName: string;

  @ApiProperty({ example: 'grace@fabrikam.example', maxLength: 254 })
  @IsString()
  @MaxLength(1000)
  signatoryEmail: string;

  @ApiPropertyOptional({ example: '+1 425 555 0100', maxLength: 40, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  signatoryPhone?: string | null;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 country code' })
  @IsString()
  @MaxLength(100)
  country: string;

  @ApiProperty({ example: 'en-US', description: 'A language of the agreement, as the create form lists them' })
  @IsString()
  @MaxLength(100)
  language: string;

  @ApiPropertyOptional({ default: false, description: 'Finalize on its own once the customer accepts' })
  @IsOptional()
  @IsBoolean()
  autoFinalize?: boolean;
}

@RejectUnknownFields()
export class CreateAttestationBatchDto {
  @ApiProperty({ type: [AttestationBatchRowInputDto], minItems: 1, maxItems: API_BATCH_MAX_ROWS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_BATCH_MAX_ROWS)
  @ValidateNested({ each: true })
  @Type(() => AttestationBatchRowInputDto)
  rows: AttestationBatchRowInputDto[];
}

@RejectUnknownFields()
export class AttestationBatchQueryDto {
  @ApiPropertyOptional({ description: "The `next` link's cursor, for the following page of rows" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50, description: 'Rows per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class AttestationBatchProgressDto {
  @ApiProperty({ description: 'Rows the batch sends (the valid ones)' })
  toSend: number;

  @ApiProperty({ description: 'Rows with an outcome: created, failed or cancelled' })
  done: number;

  @ApiProperty()
  queued: number;

  @ApiProperty()
  sending: number;

  @ApiProperty()
  created: number;

  @ApiProperty({ description: 'Links emailed to their signatory' })
  emailed: number;

  @ApiProperty({ description: 'Accepted by the customer (finalized ones included)' })
  accepted: number;

  @ApiProperty()
  finalized: number;

  @ApiProperty()
  failed: number;

  @ApiProperty({ description: 'Not sent because the batch was cancelled' })
  cancelled: number;

  @ApiProperty({ description: 'Left out: the tenant accepted already or has an open attestation' })
  skipped: number;

  @ApiProperty()
  invalid: number;
}

export class AttestationBatchRowDto {
  @ApiProperty({ description: "The row's place in the request (from 1) or line in the uploaded file" })
  rowNumber: number;

  @ApiProperty()
  microsoftTenantId: string;

  @ApiProperty()
  companyName: string;

  @ApiProperty()
  signatoryEmail: string;

  @ApiProperty({ enum: BATCH_ROW_STATUSES })
  status: string;

  @ApiPropertyOptional({ type: Number, nullable: true })
  attestationId: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The attestation state, as customers accept' })
  attestationState: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: "The customer's acceptance link" })
  acceptanceLink: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why the row failed or was skipped' })
  error: string | null;
}

export class AttestationBatchRowPageDto {
  @ApiProperty({ type: [AttestationBatchRowDto] })
  data: AttestationBatchRowDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '/api/v1/attestation-batches/7?limit=50&cursor=eyJsYXN0Ijo1MH0',
  })
  next: string | null;
}

export class AttestationBatchDto {
  @ApiProperty()
  id: number;

  @ApiProperty({ enum: BATCH_STATUSES })
  status: string;

  @ApiProperty({ enum: BATCH_SOURCES })
  source: string;

  @ApiProperty()
  rowCount: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  confirmedAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: AttestationBatchProgressDto })
  progress: AttestationBatchProgressDto;

  @ApiProperty({ type: AttestationBatchRowPageDto })
  rows: AttestationBatchRowPageDto;
}
