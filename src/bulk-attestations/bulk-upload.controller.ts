import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  Render,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { AttestationForm } from '../attestations/dto/attestation-form.dto';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { FormView } from '../common/decorators';
import { ValidationFailedError } from '../common/domain-errors';
import type { FormViewResolver } from '../common/form-view.interceptor';
import { PathId } from '../common/ids';
import { RedirectException } from '../common/redirect.exception';
import { selectionCsv, templateCsv, templateXlsx } from './batch-template';
import { BulkUploadService, PREVIEW_SHOWS, type PreviewShow } from './bulk-upload.service';
import { UPLOAD_PATH } from './bulk-upload.middleware';
import { newBatchView, previewView, remindersText, selectionUrl, selectionView } from './bulk-upload.view';
import { SelectionForm, TemplateQuery } from './dto/selection.dto';
import { NOTHING_SELECTED, parseSelection, type TenantSelection } from './tenant-selection';
import { flash } from '../common/flash';

const CHANGERS = ['admin', 'operator'] as const;

const TEMPLATE_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

const refusedSelection: FormViewResolver<BulkUploadController> = (req, _error, controller) =>
  controller.selectionPage(parseSelection(req.body as SelectionForm));

// The first half of a bulk attestation: the upload page, the selection's page (one signatory for all, or the
// template), and the draft's preview. Confirming the draft is POST /attestation-batches/:id/confirm.
@Controller(UPLOAD_PATH.slice(1))
@Roles(...CHANGERS)
export class BulkUploadController {
  constructor(private readonly bulk: BulkUploadService) {}

  @Get('new')
  @Render('bulk-attestations/new')
  newForm() {
    return newBatchView();
  }

  // Multipart, read with the CSRF check by BulkUploadMiddleware: here is the file, or why it was not read.
  @Post()
  @FormView('bulk-attestations/new', newBatchView())
  async upload(@Req() req: Request, @CurrentUser() user: SignedInUser): Promise<never> {
    if (req.uploadRefusal) throw new ValidationFailedError({ file: req.uploadRefusal });
    const batch = await this.bulk.draftFromFile(req.file, user);
    throw new RedirectException(`${UPLOAD_PATH}/${batch.id}/preview`);
  }

  // The MCA list's "Create attestations…" (its form posts the selection): the same selection as a page of its own.
  @Post('selection')
  choose(@Body() form: SelectionForm): never {
    const selection = parseSelection(form);
    throw new RedirectException(selection ? selectionUrl(selection) : '/mca');
  }

  @Post('reminders')
  async remind(@Req() req: Request, @Body() form: SelectionForm): Promise<never> {
    const selection = parseSelection(form);
    if (!selection) {
      flash(req, 'error', NOTHING_SELECTED);
      throw new RedirectException('/mca');
    }
    const { sent, alreadyReminded } = await this.bulk.remindSelection(selection);
    flash(req, sent > 0 ? 'success' : 'info', remindersText(sent, alreadyReminded));
    throw new RedirectException('/mca');
  }

  // "Export": a filter's is the MCA report of that filter (src/reports), its form with the filter filled in; ticked
  // tenants are downloaded at once, as a spreadsheet of their statuses.
  @Post('export')
  @HttpCode(HttpStatus.OK)
  async exportSelection(
    @Req() req: Request,
    @Body() form: SelectionForm,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const selection = parseSelection(form);
    if (!selection) {
      flash(req, 'error', NOTHING_SELECTED);
      throw new RedirectException('/mca');
    }
    if (selection.kind === 'ids') {
      const content = selectionCsv(await this.bulk.exportedTenants(selection));
      res.set('Cache-Control', 'private, no-store');
      return new StreamableFile(content, {
        type: TEMPLATE_TYPES.csv,
        disposition: 'attachment; filename="selected-tenants.csv"',
        length: content.length,
      });
    }
    const params = new URLSearchParams();
    if (selection.filter.status !== 'all') params.set('status', selection.filter.status);
    if (selection.filter.q !== '') params.set('q', selection.filter.q);
    const query = params.toString();
    throw new RedirectException(query ? `/reports?${query}` : '/reports');
  }

  @Get('selection')
  @Render('bulk-attestations/selection')
  async selection(@Query() query: SelectionForm) {
    return this.selectionPage(parseSelection(query));
  }

  async selectionPage(selection: TenantSelection | null) {
    if (!selection) throw new RedirectException('/mca');
    return selectionView(selection, await this.bulk.selectionSize(selection));
  }

  @Post('selection/draft')
  @FormView('bulk-attestations/selection', refusedSelection)
  async draftFromSelection(@Body() form: SelectionForm, @CurrentUser() user: SignedInUser): Promise<never> {
    const batch = await this.bulk.draftFromSelection(parseSelection(form), form as AttestationForm, user);
    throw new RedirectException(`${UPLOAD_PATH}/${batch.id}/preview`);
  }

  // The template of the selection (or, from the upload page, of every tenant without acceptance).
  @Get('template')
  async template(@Query() query: TemplateQuery, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const format = query.format === 'xlsx' ? 'xlsx' : 'csv';
    const tenants = await this.bulk.templateTenants(parseSelection(query));
    const content = format === 'xlsx' ? await templateXlsx(tenants) : templateCsv(tenants);
    res.set('Cache-Control', 'private, no-store');
    return new StreamableFile(content, {
      type: TEMPLATE_TYPES[format],
      disposition: `attachment; filename="attestations-template.${format}"`,
      length: content.length,
    });
  }

  @Get(':id/preview')
  @Render('bulk-attestations/preview')
  async preview(@PathId('id') id: number, @Query('show') show: unknown, @Query('page') page: unknown) {
    const batch = await this.bulk.draft(id);
    // Once confirmed, the batch has its own page (its progress): the preview is of a draft only.
    if (batch.status !== 'draft') throw new RedirectException(`${UPLOAD_PATH}/${batch.id}`);
    const shown: PreviewShow = typeof show === 'string' && show in PREVIEW_SHOWS ? (show as PreviewShow) : 'all';
    const pageNumber = typeof page === 'string' && /^\d{1,6}$/.test(page) ? Number(page) : 1;
    return previewView(await this.bulk.preview(batch, shown, pageNumber), shown);
  }
}
