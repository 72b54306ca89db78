import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttestationsModule } from '../attestations/attestations.module';
import { MailAttachments } from '../mail/mail-attachments';
import { UsersModule } from '../users/users.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ReportBuilder } from './report-builder';
import { ReportFileChunk } from './report-file-chunk.entity';
import { REPORT_FILE_ATTACHMENTS, ReportFiles } from './report-files';
import { ReportGenerateHandler } from './report-generate.handler';
import { ReportMetrics } from './report-metrics';
import { ReportPruneHandler } from './report-prune.handler';
import { ReportScheduleTickHandler } from './report-schedule-tick.handler';
import { ReportRefusalTally } from './report-refusal-tally.entity';
import { ReportRefusals } from './report-refusals';
import { ReportRequest } from './report-request.entity';
import { ReportRequestsService } from './report-requests.service';
import { ReportSchedulesController } from './report-schedules.controller';
import { ReportSchedule } from './report-schedule.entity';
import { ReportSchedulesService } from './report-schedules.service';
import { ReportSetting } from './report-setting.entity';
import { ReportSettingsController } from './report-settings.controller';
import { ReportSettingsService } from './report-settings.service';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';

@Module({
  imports: [
    TypeOrmModule.forFeature([ReportRequest, ReportSchedule, ReportSetting, ReportFileChunk, ReportRefusalTally]),
    UsersModule,
    TenantsModule,
    AttestationsModule,
  ],
  controllers: [ReportsController, ReportSchedulesController, ReportSettingsController],
  providers: [
    ReportsRepository,
    ReportBuilder,
    ReportFiles,
    ReportRequestsService,
    ReportSchedulesService,
    ReportSettingsService,
    ReportRefusals,
    ReportGenerateHandler,
    ReportMetrics,
    ReportScheduleTickHandler,
    ReportPruneHandler,
  ],
  exports: [ReportRequestsService],
})
export class ReportsModule implements OnModuleInit {
  constructor(
    private readonly attachments: MailAttachments,
    private readonly files: ReportFiles,
  ) {}

  onModuleInit(): void {
    this.attachments.register(REPORT_FILE_ATTACHMENTS, (ref) => this.files.openAttachment(ref));
  }
}
