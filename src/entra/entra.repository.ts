import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';
import { EntraSettings } from './entra-settings.entity';

// The entra_settings table: one row per broker that has ever saved its "Sign in with Microsoft".
@Injectable()
export class EntraRepository {
  constructor(private readonly sql: SqlService) {}

  forBroker(brokerId: number, tx?: Tx): Promise<EntraSettings | null> {
    return (tx ?? this.sql).manager.findOneBy(EntraSettings, { brokerId });
  }

  // The broker's row to change, or a new one with the defaults (not yet stored).
  async forChange(tx: Tx, brokerId: number): Promise<EntraSettings> {
    return (
      (await this.forBroker(brokerId, tx)) ??
      tx.manager.create(EntraSettings, {
        brokerId,
        enabled: false,
        tenantId: '',
        clientId: '',
        allowNewUsers: false,
        passwordSignIn: true,
      })
    );
  }

  save(tx: Tx, row: EntraSettings): Promise<EntraSettings> {
    return tx.manager.save(row);
  }

  enabledFor(brokerId: number): Promise<EntraSettings | null> {
    return this.sql.manager.findOneBy(EntraSettings, { brokerId, enabled: true });
  }

  async enabledBrokerIds(): Promise<number[]> {
    const rows = await this.sql.manager.find(EntraSettings, { where: { enabled: true }, select: { brokerId: true } });
    return rows.map((row) => row.brokerId);
  }

  allowsNewUsers(brokerId: number): Promise<boolean> {
    return this.sql.manager.existsBy(EntraSettings, { brokerId, enabled: true, allowNewUsers: true });
  }

  anyEnabled(): Promise<boolean> {
    return this.sql.manager.existsBy(EntraSettings, { enabled: true });
  }

  // Null when the broker never saved its settings.
  async passwordSignIn(brokerId: number): Promise<boolean | null> {
    const row = await this.sql.manager.findOne(EntraSettings, {
      where: { brokerId },
      select: { id: true, passwordSignIn: true },
    });
    return row?.passwordSignIn ?? null;
  }

  async setAdminSignedInAt(brokerId: number, at: Date): Promise<void> {
    await this.sql.transaction((tx) => tx.manager.update(EntraSettings, { brokerId }, { adminSignedInAt: at }));
  }
}
