import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { ReportBuilder } from './report-builder';
import { ReportGenerateHandler } from './report-generate.handler';
import { ReportRequestsService } from './report-requests.service';
import { ReportSchedulesController } from './report-schedules.controller';
import { ReportSchedulesService } from './report-schedules.service';
import { ReportsController } from './reports.controller';

@Module({
  controllers: [ReportsController, ReportSchedulesController],
  providers: [ReportBuilder, ReportRequestsService, ReportSchedulesService, ReportGenerateHandler],
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
