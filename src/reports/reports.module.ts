import { Module, OnModuleInit } from '@nestjs/common';
import { AttestationsModule } from '../attestations/attestations.module';
import { JobRegistry } from '../jobs/job-registry';
import { MailAttachments } from '../mail/mail-attachments';
import { UsersModule } from '../users/users.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ReportBuilder } from './report-builder';
import { REPORT_FILE_ATTACHMENTS, ReportFiles } from './report-files';
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
  imports: [UsersModule, TenantsModule, AttestationsModule],
  controllers: [ReportsController, ReportSchedulesController, ReportSettingsController],
  providers: [
    ReportBuilder,
    ReportFiles,
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
    private readonly attachments: MailAttachments,
    private readonly files: ReportFiles,
  ) {}

  onModuleInit(): void {
    for (const handler of [this.generate, this.tick, this.prune]) this.registry.register(handler);
    this.attachments.register(REPORT_FILE_ATTACHMENTS, (ref) => this.files.openAttachment(ref));
  }
}
