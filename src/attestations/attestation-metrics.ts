import { Injectable } from '@nestjs/common';
import { SqlService } from '../database/sql.service';
import { Metrics } from '../metrics/metrics.service';

// Attestations by broker and state, read at each scrape.
@Injectable()
export class AttestationMetrics {
  constructor(metrics: Metrics, sql: SqlService) {
    metrics.gauge('mca_attestations', 'Attestations by broker and state', ['broker', 'state'], async (set) => {
      const rows = await sql.query<{ broker_id: number | string; state: string; n: number | string }>`
        SELECT broker_id, state, count(*) AS n FROM attestations GROUP BY broker_id, state`;
      for (const row of rows) set({ broker: String(row.broker_id), state: row.state }, Number(row.n));
    });
  }
}
