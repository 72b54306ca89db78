import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';

// The attestation_batches and attestation_batch_rows tables.
@Injectable()
export class BulkAttestationsRepository {
  constructor(private readonly sql: SqlService) {}

  findBatch(brokerId: number, id: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<AttestationBatch | null> {
    return reader.manager.findOneBy(AttestationBatch, { brokerId, id });
  }

  rowsOf(batchId: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<AttestationBatchRow[]> {
    return reader.manager.find(AttestationBatchRow, { where: { batchId }, order: { rowNumber: 'ASC' } });
  }
}
