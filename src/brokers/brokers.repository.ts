import { Injectable } from '@nestjs/common';
import { SqlService, templateOf, type SqlReader, type Tx } from '../database/sql.service';

export interface BrokerRecord {
  id: number;
  name: string;
}

interface BrokerRow {
  id: number;
  name: string;
}

const toBroker = (row: BrokerRow): BrokerRecord => ({ id: row.id, name: row.name });

// A broker's name by its id, or null: also read outside the app's modules (the bench's bare server, through the
// users' session lookup).
export async function readBrokerName(reader: SqlReader, brokerId: number): Promise<string | null> {
  const [row] = await templateOf(reader)<BrokerRow>`SELECT id, name FROM brokers WHERE id = ${brokerId}`;
  return row ? toBroker(row).name : null;
}

// The brokers table: every other feature asks here, by a broker's id or name, and never reads the table itself.
@Injectable()
export class BrokersRepository {
  constructor(private readonly sql: SqlService) {}

  nameOf(brokerId: number, reader: SqlReader = this.sql): Promise<string | null> {
    return readBrokerName(reader, brokerId);
  }

  async exists(brokerId: number): Promise<boolean> {
    return (await this.nameOf(brokerId)) !== null;
  }

  async ids(): Promise<number[]> {
    const rows = await this.sql.query<BrokerRow>`SELECT id, name FROM brokers ORDER BY id`;
    return rows.map((row) => toBroker(row).id);
  }

  async findByName(name: string, reader: SqlReader = this.sql): Promise<BrokerRecord | null> {
    const [row] = await templateOf(
      reader,
    )<BrokerRow>`SELECT id, name FROM brokers WHERE name = ${name} ORDER BY id LIMIT 1`;
    return row ? toBroker(row) : null;
  }

  // The first `limit` names in alphabetical order (what a mistyped name is compared with).
  async names(limit: number): Promise<string[]> {
    const rows = await this.sql.query<BrokerRow>`SELECT id, name FROM brokers ORDER BY name LIMIT ${limit}`;
    return rows.map((row) => toBroker(row).name);
  }

  async create(tx: Tx, name: string): Promise<BrokerRecord> {
    const [row] = await tx.query<BrokerRow>`INSERT INTO brokers (name) VALUES (${name}) RETURNING id, name`;
    return toBroker(row);
  }
}
