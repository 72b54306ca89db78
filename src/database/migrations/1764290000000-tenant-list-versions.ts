import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { isPostgres } from './schema-helpers';

// Issue 25: a deep page of a 1,000,000-tenant broker is read from a page anchor (src/tenants/page-anchors.ts), the
// sort key at every Nth position of the broker's list, kept in memory. An anchor holds while no tenant of the broker
// has come, gone, been renamed or changed status: the database counts those changes per broker here, in triggers,
// so that every writer (the sync, an attestation, the bulk jobs) invalidates the anchors without code. A change of
// a mark (attestation_state, reacceptance) counts too: the marks' counts are kept in memory by the same version.
export class TenantListVersions1764290000000 implements MigrationInterface {
  name = 'TenantListVersions1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'tenant_list_versions',
        columns: [
          { name: 'broker_id', type: 'integer', isPrimary: true },
          { name: 'version', type: 'integer', default: 0 },
        ],
        foreignKeys: [
          {
            columnNames: ['broker_id'],
            referencedTableName: 'brokers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    const statements = isPostgres(queryRunner)
      ? [
          `CREATE FUNCTION tenant_list_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP IN ('UPDATE', 'DELETE') THEN
               UPDATE tenant_list_versions SET version = version + 1 WHERE broker_id = OLD.broker_id;
             END IF;
             IF TG_OP IN ('UPDATE', 'INSERT') THEN
               INSERT INTO tenant_list_versions (broker_id, version) VALUES (NEW.broker_id, 1)
               ON CONFLICT (broker_id) DO UPDATE SET version = tenant_list_versions.version + 1;
             END IF;
             RETURN NULL;
           END $$`,
          'CREATE TRIGGER tenants_list_version AFTER INSERT OR DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION tenant_list_version_bump()',
          `CREATE TRIGGER tenants_list_version_update AFTER UPDATE OF broker_id, name, status, attestation_state, reacceptance ON tenants FOR EACH ROW
           WHEN (OLD.broker_id IS DISTINCT FROM NEW.broker_id OR OLD.name IS DISTINCT FROM NEW.name OR OLD.status IS DISTINCT FROM NEW.status
             OR OLD.attestation_state IS DISTINCT FROM NEW.attestation_state OR OLD.reacceptance IS DISTINCT FROM NEW.reacceptance)
           EXECUTE FUNCTION tenant_list_version_bump()`,
        ]
      : [
          `CREATE TRIGGER tenants_list_version_insert AFTER INSERT ON tenants BEGIN
             INSERT INTO tenant_list_versions (broker_id, version) VALUES (new.broker_id, 1)
             ON CONFLICT (broker_id) DO UPDATE SET version = version + 1;
           END`,
          `CREATE TRIGGER tenants_list_version_delete AFTER DELETE ON tenants BEGIN
             UPDATE tenant_list_versions SET version = version + 1 WHERE broker_id = old.broker_id;
           END`,
          `CREATE TRIGGER tenants_list_version_update AFTER UPDATE OF broker_id, name, status, attestation_state, reacceptance ON tenants
           WHEN old.broker_id IS NOT new.broker_id OR old.name IS NOT new.name OR old.status IS NOT new.status
             OR old.attestation_state IS NOT new.attestation_state OR old.reacceptance IS NOT new.reacceptance
           BEGIN
             UPDATE tenant_list_versions SET version = version + 1 WHERE broker_id = old.broker_id;
             INSERT INTO tenant_list_versions (broker_id, version) VALUES (new.broker_id, 1)
             ON CONFLICT (broker_id) DO UPDATE SET version = version + 1;
           END`,
        ];
    for (const sql of statements) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const statements = isPostgres(queryRunner)
      ? [
          'DROP TRIGGER tenants_list_version_update ON tenants',
          'DROP TRIGGER tenants_list_version ON tenants',
          'DROP FUNCTION tenant_list_version_bump()',
        ]
      : [
          'DROP TRIGGER tenants_list_version_update',
          'DROP TRIGGER tenants_list_version_delete',
          'DROP TRIGGER tenants_list_version_insert',
        ];
    for (const sql of statements) await queryRunner.query(sql);
    await queryRunner.dropTable('tenant_list_versions');
  }
}
