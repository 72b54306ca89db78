import { Controller, Get, Post, Query, Render, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../auth/decorators';
import { ConflictError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { isHtmxRequest } from '../common/htmx';
import { parseId, PathId } from '../common/ids';
import { RedirectException } from '../common/redirect.exception';
import { RESULT_CONTENT_TYPES, resultFile, resultFileName, type ResultFormat } from './batch-result-file';
import { BatchesService } from './batches.service';
import { batchPageView, batchesListView, BATCH_ROWS_PAGE } from './batch-view';

const CHANGERS = ['admin', 'operator'] as const;

// A confirmed batch: its page (progress, rows, Pause / Resume / Cancel, the result file) and the broker's list of
// batches. The preview of a draft and its upload are the upload's pages; confirming is the one step between.
@Controller('attestation-batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Get()
  @Render('bulk-attestations/index')
  async list(@Query('before') before?: string) {
    return batchesListView(await this.batches.list(parseId(before)));
  }

  // The whole page; for htmx, only its progress section (polled while the batch runs).
  @Get(':id')
  @Render('bulk-attestations/show')
  async page(@Req() req: Request, @PathId('id') id: number, @Query('after') after?: string) {
    const batch = await this.batches.batch(id);
    if (batch.status === 'draft') throw new RedirectException(`/attestation-batches/${batch.id}/preview`);
    const progress = await this.batches.progress(batch);
    const fragment = isHtmxRequest(req);
    const rows = fragment ? [] : await this.batches.rows(batch, parseId(after) ?? 0, BATCH_ROWS_PAGE + 1);
    return { ...batchPageView(batch, progress, rows, req.path), fragment, layout: fragment ? false : undefined };
  }

  // Exactly once: a second confirm (another tab, a replay) changes nothing and shows the batch as it is.
  @Post(':id/confirm')
  @Roles(...CHANGERS)
  async confirm(@Req() req: Request, @PathId('id') id: number) {
    const batch = await this.batches.batch(id);
    if (await this.batches.confirm(batch.id))
      flash(req, 'success', 'Batch confirmed: the agreement links are being created and emailed.');
    else flash(req, 'info', 'This batch was already confirmed: here is where it stands.');
    throw new RedirectException(`/attestation-batches/${batch.id}`);
  }

  @Post(':id/pause')
  @Roles(...CHANGERS)
  async pause(@Req() req: Request, @PathId('id') id: number) {
    await this.act(req, id, () => this.batches.pause(id), 'Batch paused: no more rows are sent until you resume it.');
  }

  @Post(':id/resume')
  @Roles(...CHANGERS)
  async resume(@Req() req: Request, @PathId('id') id: number) {
    await this.act(req, id, () => this.batches.resume(id), 'Batch resumed.');
  }

  @Post(':id/cancel')
  @Roles(...CHANGERS)
  async cancel(@Req() req: Request, @PathId('id') id: number) {
    await this.act(
      req,
      id,
      () => this.batches.cancel(id),
      'Batch cancelled: the rows not yet sent will not be sent. Rows already being sent finish.',
    );
  }

  @Get(':id/results.csv')
  resultsCsv(@PathId('id') id: number, @Res({ passthrough: true }) res: Response) {
    return this.results(id, 'csv', res);
  }

  @Get(':id/results.xlsx')
  resultsXlsx(@PathId('id') id: number, @Res({ passthrough: true }) res: Response) {
    return this.results(id, 'xlsx', res);
  }

  private async results(id: number, format: ResultFormat, res: Response): Promise<StreamableFile> {
    const batch = await this.batches.batch(id);
    res.set('Cache-Control', 'private, no-store');
    return new StreamableFile(resultFile(format, this.batches.allRows(batch)), {
      type: RESULT_CONTENT_TYPES[format],
      disposition: `attachment; filename="${resultFileName(batch.id, format)}"`,
    });
  }

  // A button without a form of its own: done or refused, the batch page says which.
  private async act(req: Request, id: number, action: () => Promise<void>, done: string): Promise<never> {
    const batch = await this.batches.batch(id);
    try {
      await action();
      flash(req, 'success', done);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', error.message);
    }
    throw new RedirectException(`/attestation-batches/${batch.id}`);
  }
}
