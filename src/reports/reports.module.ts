import { Module } from '@nestjs/common';
import { ReportBuilder } from './report-builder';

@Module({
  providers: [ReportBuilder],
})
export class ReportsModule {}
