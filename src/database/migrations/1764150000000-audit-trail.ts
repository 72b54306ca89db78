import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, isPostgres, timestampColumn } from './schema-helpers';

// The audit trail: append-only events, hash-chained per broker (chain_id = broker id, 0 for events without one).
// No foreign key to brokers: deleting a broker must not delete (or break) the record of what happened.
export class AuditTrail1764150000000 implements MigrationInterface {
  name = 'AuditTrail1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          idColumn(),
          { name: 'chain_id', type: 'integer' },
          { name: 'seq', type: 'integer' },
          { name: 'broker_id', type: 'integer', isNullable: true },
          { name: 'actor_type', type: 'varchar', length: '16' },
          { name: 'actor_id', type: 'integer', isNullable: true },
          { name: 'actor_label', type: 'varchar', length: '300' },
          { name: 'action', type: 'varchar', length: '100' },
          { name: 'subject_type', type: 'varchar', length: '64', isNullable: true },
          { name: 'subject_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'data', type: 'text' },
          timestampColumn(queryRunner, 'created_at'),
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
        indices: [
          // A second event with the same place in a chain is refused by the database itself: the chain cannot fork.
          new TableIndex({ name: 'uq_audit_events_chain_seq', columnNames: ['chain_id', 'seq'], isUnique: true }),
          // The audit page: a broker's events, newest first, optionally by action.
          new TableIndex({ name: 'ix_audit_events_broker_id', columnNames: ['broker_id', 'id'] }),
          new TableIndex({ name: 'ix_audit_events_broker_action', columnNames: ['broker_id', 'action', 'id'] }),
          new TableIndex({ name: 'ix_audit_events_subject', columnNames: ['subject_type', 'subject_id', 'id'] }),
        ],
      }),
    );
    // One row per chain: its last seq and hash. Appending updates it in the same transaction, so the row lock
    // (PostgreSQL) or the single writer (SQLite) orders every append of a chain, across app instances.
    await queryRunner.createTable(
      new Table({
        name: 'audit_chain_heads',
        columns: [
          { name: 'chain_id', type: 'integer', isPrimary: true },
          { name: 'seq', type: 'integer' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    if (isPostgres(queryRunner)) {
      await queryRunner.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
      await queryRunner.query(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    } else {
      await queryRunner.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`);
      await queryRunner.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_chain_heads');
    await queryRunner.dropTable('audit_events');
    if (isPostgres(queryRunner)) await queryRunner.query('DROP FUNCTION audit_events_append_only()');
  }
}
