import { Controller, Get, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../auth/decorators';
import { ConflictError, UpstreamError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { isHtmxRequest } from '../common/htmx';
import { SYNC_ALREADY_RUNNING, SyncService } from './sync.service';

// Fired on <body> when a polled status shows the sync has ended, so the page's table can reload itself
// (hx-trigger="sync-finished from:body"). Targeted at body: the polling element is swapped out before htmx fires it.
export const SYNC_FINISHED_TRIGGER = JSON.stringify({ 'sync-finished': { target: 'body' } });

// The "sync started" message, replaced by the polled status once the sync has ended.
export const SYNC_FLASH_ID = 'flash-sync';

@Controller('sync')
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  // The same URL serves the polled fragment and, without JavaScript, a page of its own.
  @Get('status')
  @Render('sync/status')
  async status(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const sync = await this.sync.summary();
    const fragment = isHtmxRequest(req);
    if (fragment && !sync.running) res.set('HX-Trigger', SYNC_FINISHED_TRIGGER);
    return {
      title: 'Sync from Microsoft',
      sync,
      fragment,
      finished: fragment && !sync.running,
      flashId: SYNC_FLASH_ID,
      layout: fragment ? false : undefined,
    };
  }

  @Post()
  @Roles('admin', 'operator')
  @Redirect('/mca', 303)
  async start(@Req() req: Request) {
    try {
      const started = await this.sync.start('manual');
      flash(req, 'info', started ? 'Sync from Microsoft started.' : SYNC_ALREADY_RUNNING, SYNC_FLASH_ID);
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof UpstreamError)) throw error;
      flash(req, 'error', error.message, SYNC_FLASH_ID);
    }
  }
}
