import { Controller, ForbiddenException, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../common/decorators';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { Metrics } from './metrics.service';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const sameText = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// Prometheus's text format, for the machine itself or whoever holds METRICS_TOKEN. A request that came through a
// proxy is not the machine's own even when the proxy runs on it.
@Controller('metrics')
export class MetricsController {
  private readonly token: string | undefined;

  constructor(
    private readonly metrics: Metrics,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.token = config.metricsToken;
  }

  @Public()
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.allowed(req)) throw new ForbiddenException('Metrics are for this machine, or with METRICS_TOKEN.');
    const body = await this.metrics.registry.metrics();
    res.type(this.metrics.registry.contentType).send(body);
  }

  private allowed(req: Request): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (this.token && bearer) return sameText(bearer, this.token);
    const proxied = req.get('x-forwarded-for') !== undefined || req.get('forwarded') !== undefined;
    return !proxied && LOOPBACK.test(req.socket.remoteAddress ?? '');
  }
}
