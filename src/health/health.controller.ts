import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/decorators';
import { ShutdownState } from '../common/shutdown-state';
import { SqlService } from '../database/sql.service';

@Controller('healthz')
export class HealthController {
  constructor(
    private readonly sql: SqlService,
    private readonly shutdown: ShutdownState,
  ) {}

  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    // A draining instance is not to be sent new requests, though it still answers the ones it has.
    if (this.shutdown.draining) {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'draining' };
    }
    const started = performance.now();
    try {
      await this.sql.run('SELECT 1', []);
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'error', database: { status: 'down' } };
    }
    return {
      status: 'ok',
      database: {
        status: 'up',
        driver: this.sql.dialect.name,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
      },
    };
  }
}
