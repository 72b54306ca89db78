import {
  BadRequestException,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  Query,
  Render,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, type SignedInUser } from '../auth/decorators';
import { Clock } from '../common/clock';
import { isHtmxRequest } from '../common/htmx';
import {
  MAX_ROWS_ASKED,
  MCA_PATH,
  mcaUrl,
  parseMcaQuery,
  parseRowIds,
  SEARCH_MAX_LENGTH,
  type McaQuery,
  type PageCursor,
} from './mca-query';
import { McaService } from './mca.service';
import { mcaRowsView, mcaView } from './mca-view';
import { SyncStatusSource } from './sync-status';

// Sent by public/js/app.js when it reloads the results because a sync ended.
export const SUMMARY_HEADER = 'X-MCA-Summary';

// The menu's "Generate MCA report" link offers the page's filter and search to the report form.
function reportsUrl(query: McaQuery): string {
  const params = new URLSearchParams();
  if (query.status !== 'all') params.set('status', query.status);
  if (query.q !== '') params.set('q', query.q);
  const search = params.toString();
  return search ? `/reports?${search}` : '/reports';
}

// Operators and admins choose tenants for bulk actions (src/bulk-attestations); viewers see the list only.
const canSelect = (user: SignedInUser): boolean => user.role === 'admin' || user.role === 'operator';

// "Select all N matching" is a state of the page (?select=all), so that it works as a link without JavaScript; the
// selection is then the filter and search, posted as such, never the N ids.
function selectionState(req: Request, user: SignedInUser, url: string, total: number) {
  if (!canSelect(user)) return { canSelect: false };
  return {
    canSelect: true,
    allSelected: req.query.select === 'all',
    matchingText: total.toLocaleString('en'),
    selectAllUrl: `${url}${url.includes('?') ? '&' : '?'}select=all`,
    clearSelectionUrl: url,
  };
}

// The page's state from its query string, parsed by hand (a custom decorator: the global ValidationPipe skips it).
// Only a search too long to be typed is refused; anything else the page never links to falls back to its default.
const McaParams = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const params = parseMcaQuery(ctx.switchToHttp().getRequest<Request>().query);
  if (params.query.q.length > SEARCH_MAX_LENGTH)
    throw new BadRequestException(`Search for at most ${SEARCH_MAX_LENGTH} characters.`);
  return params;
});

// One URL for the page and for its results fragment (the table and the counts), which htmx swaps in.
@Controller(MCA_PATH)
export class McaController {
  constructor(
    private readonly mca: McaService,
    private readonly sync: SyncStatusSource,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('tenants/mca')
  async page(
    @Req() req: Request,
    @CurrentUser() user: SignedInUser,
    @McaParams() params: { query: McaQuery; cursor: PageCursor | null },
  ) {
    const fragment = isHtmxRequest(req);
    const data = await this.mca.load(params.query, params.cursor);
    // The fragment is the results only: the sync status around them keeps itself up to date.
    const sync = fragment ? null : await this.sync.summary();
    // After a sync the summary changed too: the page's script asks for it with the results (SUMMARY_HEADER).
    const withSummary = fragment && req.get(SUMMARY_HEADER) === 'true';
    // Added to the fresh view model rather than spread into a copy of it (the page's largest object).
    const url = mcaUrl(data.query);
    return Object.assign(mcaView(data, user.role, sync, this.clock.now()), {
      reportsUrl: reportsUrl(data.query),
      ...selectionState(req, user, url, data.total),
      fragment,
      withSummary,
      layout: fragment ? false : undefined,
    });
  }

  // The rows that wait, read again by the page's script (public/js/app.js) and swapped in by id, with the summary.
  @Get('rows')
  @Render('tenants/mca')
  async rows(@CurrentUser() user: SignedInUser, @Query('id') id: unknown) {
    const ids = parseRowIds(id);
    if (!ids) throw new BadRequestException(`Ask for 1 to ${MAX_ROWS_ASKED} tenants by id: ?id=1&id=2…`);
    const data = await this.mca.loadRows(ids);
    return Object.assign(mcaRowsView(data, user.role), {
      canSelect: canSelect(user),
      fragment: true,
      rowsOnly: true,
      withSummary: true,
      layout: false,
    });
  }
}
