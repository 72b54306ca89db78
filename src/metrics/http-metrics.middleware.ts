import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Metrics } from './metrics.service';

// How long each request took, by its route's pattern (never its path: ids would make a series each).
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration;

  constructor(metrics: Metrics) {
    this.duration = metrics.histogram(
      'http_request_duration_seconds',
      'Time to answer a request, by method, route pattern and status',
      ['method', 'route', 'status'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.duration.startTimer();
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' && !pattern.includes('*') ? pattern : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}
