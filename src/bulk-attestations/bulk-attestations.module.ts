import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';
import { BulkAttestationsRepository } from './bulk-attestations.repository';
import { BulkUploadController } from './bulk-upload.controller';
import { BulkUploadService } from './bulk-upload.service';
import { TenantsModule } from '../tenants/tenants.module';
import { AttestationsModule } from '../attestations/attestations.module';

// Bulk attestation: tenants chosen on the MCA list or listed in a spreadsheet, previewed, then created in the
// background as one batch with progress and a result file.
@Module({
  imports: [TypeOrmModule.forFeature([AttestationBatch, AttestationBatchRow]), TenantsModule, AttestationsModule],
  controllers: [BulkUploadController],
  providers: [BulkAttestationsRepository, BulkUploadService],
  exports: [BulkAttestationsRepository],
})
export class BulkAttestationsModule {}
