import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';
import { PartnerCenterSettings } from './partner-center-settings.entity';

// All the SQL of partner_center_settings: one row per broker, read and written whole through its entity.
@Injectable()
export class PartnerCenterSettingsRepository {
  constructor(private readonly sql: SqlService) {}

  // The broker's row, or null; inside `tx` when given.
  ofBroker(brokerId: number, tx?: Tx): Promise<PartnerCenterSettings | null> {
    return (tx?.manager ?? this.sql.manager).findOneBy(PartnerCenterSettings, { brokerId });
  }

  async requiredFrom(brokerId: number): Promise<Date | null> {
    const row = await this.sql.manager.findOne(PartnerCenterSettings, {
      where: { brokerId },
      select: { id: true, requireAcceptedFrom: true },
    });
    return row?.requireAcceptedFrom ?? null;
  }

  // A row not yet stored, with the columns' defaults.
  create(fields: Pick<PartnerCenterSettings, 'brokerId' | 'mode'>): PartnerCenterSettings {
    return this.sql.manager.create(PartnerCenterSettings, { ...fields, tenantId: '', appId: '' });
  }

  save(tx: Tx, row: PartnerCenterSettings): Promise<PartnerCenterSettings> {
    return tx.manager.save(row);
  }

  // The broker's first row, unless it has one already (two first requests at once: one insert wins, the other
  // reads what it wrote). Returns the new row's id, or null when there was one.
  async insertFirst(tx: Tx, row: PartnerCenterSettings): Promise<number | null> {
    if (await tx.manager.existsBy(PartnerCenterSettings, { brokerId: row.brokerId })) return null;
    const inserted = await tx.manager
      .createQueryBuilder()
      .insert()
      .into(PartnerCenterSettings)
      .values(row)
      .orIgnore()
      .execute();
    const id = (inserted.identifiers[0] as { id?: unknown } | undefined)?.id;
    return id === undefined || id === null ? null : Number(id);
  }
}
