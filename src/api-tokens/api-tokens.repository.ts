import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';
import { ApiToken } from './api-token.entity';

// The api_tokens table.
@Injectable()
export class ApiTokensRepository {
  constructor(private readonly sql: SqlService) {}

  insert(tx: Tx, token: Omit<ApiToken, 'id' | 'lastUsedAt' | 'revokedAt'>): Promise<ApiToken> {
    return tx.manager.save(ApiToken, tx.manager.create(ApiToken, { ...token, lastUsedAt: null, revokedAt: null }));
  }

  // Read on every API request: one unique-index lookup.
  findByHash(tokenHash: string): Promise<ApiToken | null> {
    return this.sql.manager.findOneBy(ApiToken, { tokenHash });
  }

  findInBroker(brokerId: number, id: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<ApiToken | null> {
    return reader.manager.findOneBy(ApiToken, { brokerId, id });
  }

  listForBroker(brokerId: number): Promise<ApiToken[]> {
    return this.sql.manager.find(ApiToken, { where: { brokerId }, order: { id: 'DESC' } });
  }

  async markRevoked(tx: Tx, id: number, at: Date): Promise<void> {
    await tx.manager.update(ApiToken, { id }, { revokedAt: at });
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.sql.manager.update(ApiToken, { id }, { lastUsedAt: at });
  }
}
