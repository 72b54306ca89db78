import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/decorators';
import { HealthService } from './health.service';

// For a proxy, systemd or an orchestrator; neither answer names a secret, a path or a connection string.
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  // Liveness: the process answers. No database: a locked or lost database must not get a live process restarted.
  @Public()
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  live() {
    return { status: 'ok' };
  }

  // Readiness: whether this instance can do its work now; 503 names the check that failed.
  @Public()
  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response) {
    const readiness = await this.health.readiness();
    if (readiness.status !== 'ready') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
