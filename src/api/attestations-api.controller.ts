import { Body, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { ApiPrincipal } from '../api-tokens/api-tokens.service';
import { timeline } from '../attestations/attestation-view';
import type { Attestation } from '../attestations/attestation.record';
import { AttestationsService, type AttestationCreator } from '../attestations/attestations.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokersRepository } from '../brokers/brokers.repository';
import { PathId } from '../common/ids';
import { ApiController, API_VERSION_PATH } from './api-controller.decorator';
import { decodeKeyCursor, encodeKeyCursor, nextLink } from './cursor';
import { ApiProblems } from './api-docs';
import { Principal } from './api-principal';
import {
  AttestationDto,
  attestationDto,
  AttestationListDto,
  attestationSummaryDto,
  CreateAttestationBody,
  DEFAULT_LIST_LIMIT,
  ListAttestationsQuery,
} from './dto/attestation.dto';
import { IdempotentRequestId } from './idempotency.interceptor';

const ID_PARAM = { name: 'id', type: Number, description: 'The attestation’s id', example: 7 };

// Attestations through the API: the page's service and state machine, reached with a token instead of a session.
@ApiTags('Attestations')
@ApiController('attestations')
export class AttestationsApiController {
  constructor(
    private readonly attestations: AttestationsService,
    private readonly audit: AuditTrail,
    private readonly brokers: BrokersRepository,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'createAttestation',
    summary: 'Create an attestation: Partner Center makes the customer’s acceptance link',
  })
  @ApiCreatedResponse({ type: AttestationDto })
  @ApiProblems(
    'unauthenticated',
    'forbidden',
    'not-found',
    'conflict',
    'validation-failed',
    'idempotency-key-reused',
    'upstream-refused',
    'upstream-unavailable',
  )
  async create(
    @Body() body: CreateAttestationBody,
    @Principal() principal: ApiPrincipal,
    @IdempotentRequestId() requestId: string | null,
  ): Promise<AttestationDto> {
    const { tenantId, autoFinalize, emailLink, ...fields } = body;
    const created = await this.attestations.create(
      tenantId,
      {
        ...fields,
        autoFinalize: autoFinalize ? 'yes' : 'no',
        emailLink: emailLink ? 'yes' : 'no',
        requestToken: requestId ?? randomUUID(),
      },
      await this.creator(principal),
    );
    return this.full(created);
  }

  @Get()
  @ApiOperation({
    operationId: 'listAttestations',
    summary: 'List attestations, newest first, optionally in one state',
  })
  @ApiOkResponse({ type: AttestationListDto })
  @ApiProblems('unauthenticated', 'validation-failed')
  async list(@Query() query: ListAttestationsQuery): Promise<AttestationListDto> {
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    const rows = await this.attestations.page(query.state ?? null, decodeKeyCursor(query.cursor), limit + 1);
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return {
      data: page.map(attestationSummaryDto),
      next: nextLink(
        `/${API_VERSION_PATH}/attestations`,
        { state: query.state, limit: query.limit },
        more ? encodeKeyCursor(page[page.length - 1].id) : null,
      ),
    };
  }

  // As the attestation's page does, a read while the link is open asks Partner Center where it stands first (the
  // customer may have just accepted); Partner Center out of reach, it answers what it knows.
  @Get(':id')
  @ApiOperation({ operationId: 'getAttestation', summary: 'An attestation: status, acceptance link, expiry, timeline' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: AttestationDto })
  @ApiProblems('unauthenticated', 'not-found')
  async show(@PathId('id') id: number): Promise<AttestationDto> {
    const attestation = await this.attestations.inBroker(id);
    return this.full(await this.attestations.check(attestation).catch(() => attestation));
  }

  @Post(':id/finalize')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'finalizeAttestation',
    summary: 'Finalize an accepted attestation: a job confirms it to Partner Center, then its state is finalized',
  })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({ type: AttestationDto })
  @ApiProblems('unauthenticated', 'forbidden', 'not-found', 'conflict', 'idempotency-key-reused')
  async finalize(@PathId('id') id: number): Promise<AttestationDto> {
    const attestation = await this.attestations.inBroker(id);
    return this.full(await this.attestations.requestFinalize(attestation.tenantId, attestation.id));
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'cancelAttestation', summary: 'Cancel an open attestation: its link stops working' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: AttestationDto })
  @ApiProblems('unauthenticated', 'forbidden', 'not-found', 'conflict', 'idempotency-key-reused')
  async cancel(@PathId('id') id: number): Promise<AttestationDto> {
    const attestation = await this.attestations.inBroker(id);
    return this.full(await this.attestations.cancel(attestation.tenantId, attestation.id));
  }

  @Post(':id/new-link')
  @ApiOperation({
    operationId: 'renewAttestation',
    summary: 'Create a new link: a new attestation for the same tenant with this one’s details',
  })
  @ApiParam(ID_PARAM)
  @ApiCreatedResponse({ type: AttestationDto })
  @ApiProblems(
    'unauthenticated',
    'forbidden',
    'not-found',
    'conflict',
    'idempotency-key-reused',
    'upstream-refused',
    'upstream-unavailable',
  )
  async newLink(
    @PathId('id') id: number,
    @Principal() principal: ApiPrincipal,
    @IdempotentRequestId() requestId: string | null,
  ): Promise<AttestationDto> {
    return this.full(await this.attestations.renew(id, requestId ?? randomUUID(), await this.creator(principal)));
  }

  // The token, as the record's "created by": its label names it; no user made it.
  private async creator(principal: ApiPrincipal): Promise<AttestationCreator> {
    return {
      brokerId: principal.brokerId,
      brokerName: (await this.brokers.nameOf(principal.brokerId)) ?? '',
      userId: null,
      label: principal.actor.label,
    };
  }

  private async full(attestation: Attestation): Promise<AttestationDto> {
    const tenant = await this.attestations.tenant(attestation.tenantId);
    const events = await this.audit.forSubject('attestation', attestation.id);
    return attestationDto(attestation, tenant, timeline(attestation, events));
  }
}
