import { Injectable } from '@nestjs/common';
import { Metrics } from '../metrics/metrics.service';
import { AttestationsRepository } from './attestations.repository';

// Attestations by broker and state, read at each scrape.
@Injectable()
export class AttestationMetrics {
  constructor(metrics: Metrics, repository: AttestationsRepository) {
    metrics.gauge('mca_attestations', 'Attestations by broker and state', ['broker', 'state'], async (set) => {
      for (const row of await repository.countsByBrokerAndState())
        set({ broker: String(row.brokerId), state: row.state }, row.count);
    });
  }
}
