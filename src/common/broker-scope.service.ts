import { Injectable } from '@nestjs/common';
import type { FindOptionsWhere, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { NotAllowedError, NotFoundInBrokerError } from './domain-errors';
import { currentBrokerId } from './request-context';

interface BrokerOwned extends ObjectLiteral {
  id: number;
  brokerId: number;
}

// The one place that confines reads and writes of broker-owned rows to the current broker.
@Injectable()
export class BrokerScope {
  brokerId(): number {
    const brokerId = currentBrokerId();
    if (brokerId === undefined) throw new NotAllowedError('No broker in this context');
    return brokerId;
  }

  query<T extends BrokerOwned>(repo: Repository<T>, alias: string): SelectQueryBuilder<T> {
    return repo
      .createQueryBuilder(alias)
      .where(`${alias}.brokerId = :scopeBrokerId`, { scopeBrokerId: this.brokerId() });
  }

  where<T extends BrokerOwned>(where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    return { ...where, brokerId: this.brokerId() } as FindOptionsWhere<T>;
  }

  // Another broker's row is reported as missing, never as forbidden: its existence is not ours to reveal.
  async findOne<T extends BrokerOwned>(repo: Repository<T>, id: number): Promise<T> {
    const row = Number.isSafeInteger(id) ? await repo.findOneBy(this.where<T>({ id } as FindOptionsWhere<T>)) : null;
    if (!row) throw new NotFoundInBrokerError();
    return row;
  }
}
