import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { ReportBuilder } from './report-builder';
import { ReportGenerateHandler } from './report-generate.handler';
import { ReportPruneHandler } from './report-prune.handler';
import { ReportScheduleTickHandler } from './report-schedule-tick.handler';
import { ReportRefusals } from './report-refusals';
import { ReportRequestsService } from './report-requests.service';
import { ReportSchedulesController } from './report-schedules.controller';
import { ReportSchedulesService } from './report-schedules.service';
import { ReportSettingsController } from './report-settings.controller';
import { ReportSettingsService } from './report-settings.service';
import { ReportsController } from './reports.controller';

@Module({
  controllers: [ReportsController, ReportSchedulesController, ReportSettingsController],
  providers: [
    ReportBuilder,
    ReportRequestsService,
    ReportSchedulesService,
    ReportSettingsService,
    ReportRefusals,
    ReportGenerateHandler,
    ReportScheduleTickHandler,
    ReportPruneHandler,
  ],
})
export class ReportsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly generate: ReportGenerateHandler,
    private readonly tick: ReportScheduleTickHandler,
    private readonly prune: ReportPruneHandler,
  ) {}

  onModuleInit(): void {
    for (const handler of [this.generate, this.tick, this.prune]) this.registry.register(handler);
  }
}
