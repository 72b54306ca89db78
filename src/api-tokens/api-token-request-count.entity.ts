import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// How many requests a token made in one minute: the API's rate limit, counted where every instance sees it.
@Entity('api_token_request_counts')
export class ApiTokenRequestCount {
  @PrimaryColumn({ name: 'token_id', type: 'integer' })
  tokenId: number;

  @Index('ix_api_token_request_counts_window')
  @PrimaryColumn({ name: 'window_start', type: TIMESTAMP })
  windowStart: Date;

  @Column({ type: 'integer' })
  requests: number;
}
