import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { DatabasePoolMetrics } from './database-pool.metrics';
import { EventLoopDelayMetrics } from './event-loop-delay.metrics';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

// /metrics, and the registry every feature declares its series in.
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, DatabasePoolMetrics, EventLoopDelayMetrics],
  exports: [Metrics],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
