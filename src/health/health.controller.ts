import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators';

@Controller('healthz')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const started = performance.now();
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'error', database: { status: 'down' } };
    }
    return {
      status: 'ok',
      database: {
        status: 'up',
        driver: this.dataSource.options.type,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
      },
    };
  }
}
