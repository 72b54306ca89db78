import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AttestationsService } from '../attestations/attestations.service';
import { PathId } from '../common/ids';
import { AcceptanceCheckService } from '../sync/acceptance-check.service';
import { DEFAULT_DIRECTION, DEFAULT_MCA_QUERY, parseSearchParam, type McaQuery } from '../tenants/mca-query';
import { McaService } from '../tenants/mca.service';
import { ApiController } from './api-controller.decorator';
import { ApiProblems } from './api-docs';
import { decodeCursor } from './cursor';
import { limitOf } from './dto/list.dto';
import { TenantDetailDto, TenantListDto, TenantListQueryDto } from './dto/tenant.dto';
import { TENANT_CURSOR_KEYS, tenantDetailJson, tenantListJson } from './tenants.view';

// The MCA page's list and a tenant's acceptance, as JSON: the same service and the same statements as the page.
@ApiTags('Tenants')
@ApiController('tenants')
export class TenantsController {
  constructor(
    private readonly mca: McaService,
    private readonly acceptance: AcceptanceCheckService,
    private readonly attestations: AttestationsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listTenants',
    summary: "List the broker's tenants",
    description:
      "The MCA page's list: its status filters, search and sort. Follow `next` for the following page (it keeps " +
      'the filter); the list is read from the last row shown on, so a page costs the same wherever it is.',
  })
  @ApiOkResponse({ type: TenantListDto })
  @ApiProblems('unauthenticated', 'validation-failed', 'rate-limited')
  async list(@Query() params: TenantListQueryDto): Promise<TenantListDto> {
    const sort = params.sort ?? DEFAULT_MCA_QUERY.sort;
    const position = params.cursor ? decodeCursor(params.cursor, TENANT_CURSOR_KEYS) : null;
    const query: McaQuery = {
      status: params.status ?? DEFAULT_MCA_QUERY.status,
      q: parseSearchParam(params.q),
      sort,
      dir: params.dir ?? DEFAULT_DIRECTION[sort],
      page: position?.page ?? 1,
      size: limitOf(params),
    };
    const data = await this.mca.load(query, position ? { direction: 'after', id: position.after } : null);
    return tenantListJson(data, query.page);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getTenant',
    summary: 'Read one tenant',
    description:
      'Its acceptance as last read from Partner Center (the sync, or a check on its page), the agreement version, ' +
      'and its attestations.',
  })
  @ApiParam({ name: 'id', type: 'integer', description: 'The tenant id' })
  @ApiOkResponse({ type: TenantDetailDto })
  @ApiProblems('unauthenticated', 'not-found', 'rate-limited')
  async one(@PathId('id') id: number): Promise<TenantDetailDto> {
    const tenant = await this.acceptance.tenant(id);
    return tenantDetailJson(tenant, await this.attestations.historyOf(id));
  }
}
