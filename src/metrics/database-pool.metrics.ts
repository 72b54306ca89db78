import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Metrics } from './metrics.service';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

// PostgreSQL's connection pool: open, idle, and requests waiting for a connection. (SQLite has no pool: one
// connection for reads and one for writes.)
@Injectable()
export class DatabasePoolMetrics {
  constructor(metrics: Metrics, @InjectDataSource() dataSource: DataSource) {
    metrics.gauge('mca_db_pool_connections', 'Database pool connections, by state', ['state'], (set) => {
      const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
      if (dataSource.options.type !== 'postgres' || !pool) return;
      set({ state: 'open' }, pool.totalCount);
      set({ state: 'idle' }, pool.idleCount);
      set({ state: 'waiting' }, pool.waitingCount);
    });
  }
}
