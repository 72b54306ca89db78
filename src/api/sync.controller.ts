import { Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SyncService } from '../sync/sync.service';
import type { SyncSummary } from '../tenants/sync-status';
import { API_VERSION_PATH, ApiController } from './api-controller.decorator';
import { ApiProblems } from './api-docs';
import { SyncStatusDto } from './dto/sync.dto';

const SYNC_PATH = `/${API_VERSION_PATH}/sync`;

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

function syncJson(sync: SyncSummary): SyncStatusDto {
  return {
    running: sync.running,
    startedAt: iso(sync.startedAt),
    progress: sync.progress,
    lastSuccessAt: iso(sync.lastSuccessAt),
    lastFailure: sync.lastFailure ? { at: sync.lastFailure.at.toISOString(), message: sync.lastFailure.message } : null,
    unusual: sync.unusual,
    unread: sync.unread,
  };
}

// The broker's sync from Microsoft: start one as the MCA page's button does, and follow it.
@ApiTags('Sync')
@ApiController('sync')
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @Get()
  @ApiOperation({ operationId: 'getSync', summary: 'Read the status of the current or last sync' })
  @ApiOkResponse({ type: SyncStatusDto })
  @ApiProblems('unauthenticated', 'rate-limited')
  async status(): Promise<SyncStatusDto> {
    return syncJson(await this.sync.summary());
  }

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'startSync',
    summary: 'Start a sync from Microsoft',
    description:
      'Queues a sync of every tenant from Partner Center. Refused while one is queued or running, and when Partner ' +
      'Center is not set up. Follow it at `GET /api/v1/sync` (the `Location` header).',
  })
  @ApiAcceptedResponse({ type: SyncStatusDto, description: 'Queued; the status as it is now' })
  @ApiProblems('unauthenticated', 'forbidden', 'conflict', 'rate-limited', 'upstream-unavailable')
  async start(@Res({ passthrough: true }) res: Response): Promise<SyncStatusDto> {
    await this.sync.startNew('manual');
    res.location(SYNC_PATH);
    return syncJson(await this.sync.summary());
  }
}
