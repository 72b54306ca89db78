import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';
import { BulkAttestationsRepository } from './bulk-attestations.repository';

// Bulk attestation: tenants chosen on the MCA list or listed in a spreadsheet, previewed, then created in the
// background as one batch with progress and a result file.
@Module({
  imports: [TypeOrmModule.forFeature([AttestationBatch, AttestationBatchRow])],
  providers: [BulkAttestationsRepository],
  exports: [BulkAttestationsRepository],
})
export class BulkAttestationsModule {}
