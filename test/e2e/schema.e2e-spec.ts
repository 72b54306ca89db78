import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqlService } from '../../src/database/sql.service';
import { describeSchema } from '../support/schema';
import { createTestApp, type TestApp } from '../support/test-app';

// The schema the migrations make on a fresh database, compared with the committed snapshot of that database: a
// migration that changes more (or less) than its author meant shows up here. After a deliberate change,
// `npm run schema:snapshot` rewrites both snapshots (SCHEMA_SNAPSHOT=update).
describe('The migrated schema', () => {
  let testApp: TestApp;
  let sql: SqlService;
  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
  });
  afterAll(() => testApp.close());

  it('should match the committed snapshot of this database', async () => {
    const file = join(__dirname, 'schema', `${sql.dialect.name}.schema.txt`);
    const actual = await describeSchema(sql);
    if (process.env.SCHEMA_SNAPSHOT === 'update') writeFileSync(file, actual);
    expect(existsSync(file)).toBe(true);
    // On a mismatch: if the change is meant, run `npm run schema:snapshot` and commit the snapshot files.
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });
});
