import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttestationsModule } from '../attestations/attestations.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';
import { BatchRunHandler } from './batch-run.handler';
import { BatchRunner } from './batch-runner.service';
import { BatchSummaryMail } from './batch-summary-mail';
import { BatchesController } from './batches.controller';
import { BatchesService } from './batches.service';
import { BulkAttestationsRepository } from './bulk-attestations.repository';
import { BulkUploadController } from './bulk-upload.controller';
import { BulkUploadService } from './bulk-upload.service';

// Bulk attestation: tenants chosen on the MCA list or listed in a spreadsheet, previewed, then created in the
// background as one batch with progress and a result file.
@Module({
  imports: [
    TypeOrmModule.forFeature([AttestationBatch, AttestationBatchRow]),
    AttestationsModule,
    TenantsModule,
    UsersModule,
  ],
  controllers: [BulkUploadController, BatchesController],
  providers: [
    BulkAttestationsRepository,
    BulkUploadService,
    BatchesService,
    BatchRunner,
    BatchRunHandler,
    BatchSummaryMail,
  ],
  exports: [BulkAttestationsRepository, BatchesService],
})
export class BulkAttestationsModule {}
