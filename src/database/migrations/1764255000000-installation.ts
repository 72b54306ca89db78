import { randomUUID } from 'node:crypto';
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { isPostgres, timestampColumn } from './schema-helpers';

// The database's identity: one row, made once by this migration. DATA_DIR keeps a copy of its id (see
// src/database/installation.ts), so a database that was lost, emptied or swapped is noticed instead of replaced.
export class Installation1764255000000 implements MigrationInterface {
  name = 'Installation1764255000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'installation',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
        ],
      }),
    );
    const placeholder = isPostgres(queryRunner) ? '$1' : '?';
    await queryRunner.query(`INSERT INTO installation (id) VALUES (${placeholder})`, [randomUUID()]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('installation');
  }
}
