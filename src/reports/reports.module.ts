import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { ReportBuilder } from './report-builder';
import { ReportGenerateHandler } from './report-generate.handler';
import { ReportRequestsService } from './report-requests.service';
import { ReportsController } from './reports.controller';

@Module({
  controllers: [ReportsController],
  providers: [ReportBuilder, ReportRequestsService, ReportGenerateHandler],
})
export class ReportsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly generate: ReportGenerateHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.generate);
  }
}
