import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../common/decorators';
import { SqlService } from '../database/sql.service';

@Controller('healthz')
export class HealthController {
  constructor(private readonly sql: SqlService) {}

  @Public()
  @SkipThrottle()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
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
