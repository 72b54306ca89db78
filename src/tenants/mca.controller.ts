import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser } from '../common/decorators';
import { isHtmxRequest } from '../common/htmx';
import type { CurrentUser as SignedInUser } from '../common/request-context';
import { McaQueryDto, toMcaQuery, toPageCursor } from './dto/mca-query.dto';
import { MCA_PATH, type McaQuery } from './mca-query';
import { McaService } from './mca.service';
import { mcaView } from './mca-view';
import { SyncStatusSource } from './sync-status';

// The menu's "Generate MCA report" link offers the page's filter and search to the report form.
function reportsUrl(query: McaQuery): string {
  const params = new URLSearchParams();
  if (query.status !== 'all') params.set('status', query.status);
  if (query.q !== '') params.set('q', query.q);
  const search = params.toString();
  return search ? `/reports?${search}` : '/reports';
}

// One URL for the page and for its results fragment (the table and the counts), which htmx swaps in.
@Controller(MCA_PATH)
export class McaController {
  constructor(
    private readonly mca: McaService,
    private readonly sync: SyncStatusSource,
  ) {}

  @Get()
  @Render('tenants/mca')
  async page(@Req() req: Request, @CurrentUser() user: SignedInUser, @Query() dto: McaQueryDto) {
    const fragment = isHtmxRequest(req);
    const data = await this.mca.load(toMcaQuery(dto), toPageCursor(dto));
    // The fragment is the results only: the sync status around them keeps itself up to date.
    const sync = fragment ? null : await this.sync.summary();
    return {
      ...mcaView(data, user.role, sync),
      reportsUrl: reportsUrl(data.query),
      fragment,
      layout: fragment ? false : undefined,
    };
  }
}
