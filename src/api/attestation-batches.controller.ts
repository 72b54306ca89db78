import { Body, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiPrincipal } from '../api-tokens/api-tokens.service';
import type { AttestationBatch } from '../bulk-attestations/attestation-batch.entity';
import { BatchesService } from '../bulk-attestations/batches.service';
import { PathId } from '../common/ids';
import { API_VERSION_PATH, ApiController } from './api-controller.decorator';
import { decodeKeyCursor, encodeKeyCursor, nextLink } from './cursor';
import { ApiProblems } from './api-docs';
import { Principal } from './api-principal';
import {
  AttestationBatchDto,
  AttestationBatchQueryDto,
  CreateAttestationBatchDto,
  type AttestationBatchRowDto,
} from './dto/attestation-batch.dto';

const DEFAULT_LIMIT = 50;

// Bulk attestation through the API: one call creates a batch from rows and confirms it; its progress and rows are
// read back while it runs in the background.
@ApiController('attestation-batches')
@ApiTags('Attestation batches')
export class AttestationBatchesApiController {
  constructor(private readonly batches: BatchesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'createAttestationBatch',
    summary: 'Create attestations for many tenants: the batch is checked, stored and started in one call',
  })
  @ApiAcceptedResponse({ type: AttestationBatchDto })
  @ApiProblems('bad-request', 'unauthenticated', 'forbidden', 'validation-failed', 'unsupported-media-type')
  async create(
    @Body() body: CreateAttestationBatchDto,
    @Principal() principal: ApiPrincipal,
  ): Promise<AttestationBatchDto> {
    const batch = await this.batches.createConfirmed(body.rows, {
      createdByUserId: null,
      createdByLabel: `API token "${principal.name}"`,
    });
    return this.view(batch, 0, DEFAULT_LIMIT);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getAttestationBatch', summary: "A batch's progress and its rows, a page at a time" })
  @ApiOkResponse({ type: AttestationBatchDto })
  @ApiProblems('bad-request', 'unauthenticated', 'forbidden', 'not-found')
  async show(@PathId('id') id: number, @Query() query: AttestationBatchQueryDto): Promise<AttestationBatchDto> {
    return this.view(await this.batches.batch(id), decodeKeyCursor(query.cursor) ?? 0, query.limit ?? DEFAULT_LIMIT);
  }

  private async view(batch: AttestationBatch, after: number, limit: number): Promise<AttestationBatchDto> {
    // The page's own figures, less what only the page needs (its bar's width, whether it refreshes itself).
    const { status, percent: _percent, active: _active, ...progress } = await this.batches.progress(batch);
    const page = await this.batches.rows(batch, after, limit + 1);
    const shown = page.slice(0, limit);
    const data: AttestationBatchRowDto[] = shown.map(({ row, attestation }) => ({
      rowNumber: row.rowNumber,
      microsoftTenantId: row.microsoftTenantId,
      companyName: row.companyName,
      signatoryEmail: row.signatoryEmail,
      status: row.status,
      attestationId: row.attestationId,
      attestationState: attestation?.state ?? null,
      acceptanceLink: attestation?.link ?? null,
      error: row.error ?? row.skipReason,
    }));
    const last = shown[shown.length - 1];
    return {
      id: batch.id,
      status,
      source: batch.source,
      rowCount: batch.rowCount,
      createdAt: batch.createdAt.toISOString(),
      confirmedAt: batch.confirmedAt?.toISOString() ?? null,
      finishedAt: batch.finishedAt?.toISOString() ?? null,
      progress,
      rows: {
        data,
        next: nextLink(
          `/${API_VERSION_PATH}/attestation-batches/${batch.id}`,
          { limit },
          page.length > limit && last ? encodeKeyCursor(last.row.rowNumber) : null,
        ),
      },
    };
  }
}
