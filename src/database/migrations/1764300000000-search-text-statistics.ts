import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from './schema-helpers';

// Issue 25: PostgreSQL chooses how to find a search's first matches from the share of rows it expects to match:
// walking the broker's rows in id order until the cap (a term in many rows) or the trigram index (a rare one). It
// estimates `search_text LIKE '%term%'` by trying the pattern on the column's histogram. With the default 100
// entries, one sampled row holding a term of 1 in 750 names made it expect 1% and walk all 100,000 rows of a broker
// (30-45 ms, against 2.5 ms through the index); with 1,000 entries it takes four such rows to mislead it. Planning
// a search costs about 0.3 ms more. SQLite's search has no such choice (FTS5 is read in rowid order).
export class SearchTextStatistics1764300000000 implements MigrationInterface {
  name = 'SearchTextStatistics1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (isPostgres(queryRunner))
      await queryRunner.query('ALTER TABLE tenants ALTER COLUMN search_text SET STATISTICS 1000');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (isPostgres(queryRunner))
      await queryRunner.query('ALTER TABLE tenants ALTER COLUMN search_text SET STATISTICS -1');
  }
}
