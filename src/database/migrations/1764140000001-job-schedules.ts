import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampColumn } from './schema-helpers';

export class JobSchedules1764140000001 implements MigrationInterface {
  name = 'JobSchedules1764140000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'job_schedules',
        columns: [
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'type', type: 'varchar', length: '100' },
          { name: 'payload', type: 'text' },
          { name: 'every_ms', type: 'bigint', isNullable: true },
          { name: 'cron', type: 'varchar', length: '100', isNullable: true },
          { name: 'time_zone', type: 'varchar', length: '64' },
          timestampColumn(queryRunner, 'next_run_at'),
          timestampColumn(queryRunner, 'updated_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('job_schedules');
  }
}
