import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { SqlService } from '../../src/database/sql.service';
import { auditEvents, tamperWithAuditEvents } from '../support/audit';
import { cli as runCli } from '../support/cli';
import { setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp } from '../support/test-app';

const cli = (dataDir: string, args: string[], password?: string) =>
  runCli(dataDir, args, password === undefined ? {} : { MCA_USER_PASSWORD: password });

describe('npm run cli -- user:create', () => {
  it('should create a user who can sign in, and refuse bad input with one line per field', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mca-cli-'));
    const created = await cli(dataDir, [
      'user:create',
      '--email',
      'Script@Contoso.test',
      '--name',
      'Script User',
      '--role',
      'operator',
      '--broker',
      'Contoso Cloud',
      '--create-broker',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created operator script@contoso.test in broker "Contoso Cloud"');

    const refused = await cli(
      dataDir,
      ['user:create', '--email', 'nope', '--name', '', '--role', 'root', '--broker', 'Contoso Cloud'],
      'short',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('email: Enter a valid email address');
    expect(refused.stderr).toContain('role: Choose a role');
    expect(refused.stderr).toContain('password: Password must be at least 12 characters');

    const testApp = await createTestApp({ dataDir });
    try {
      expect((await signIn(testApp, 'script@contoso.test')).response.status).toBe(303);
      // On PostgreSQL the CLI ran against the database as an earlier test file left it (its broker may exist).
      const recorded = (await auditEvents(testApp)).slice(-3);
      expect(recorded.map((event) => [event.action, event.actor_type, event.actor_label])).toEqual(
        expect.arrayContaining([
          ['user.created', 'system', 'command line (user:create)'],
          ['auth.signed_in', 'user', 'script@contoso.test'],
        ]),
      );
      if (!process.env.DATABASE_URL)
        expect(recorded[0]).toMatchObject({ action: 'broker.created', actor_label: 'command line (user:create)' });
    } finally {
      await testApp.close();
    }
  });

  it('should not create a broker from a typo: it lists the existing ones unless --create-broker is given', async () => {
    // A new install (on PostgreSQL the shared test database is emptied), migrated before the CLI runs on it.
    const fresh = await createTestApp();
    const dataDir = fresh.dataDir;
    await fresh.close();
    const user = (email: string) => ['user:create', '--email', email, '--name', 'Someone', '--role', 'viewer'];

    const none = await cli(dataDir, [...user('first@contoso.test'), '--broker', 'Contoso Cloud']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('broker: No broker exists yet: add --create-broker');

    expect(
      (await cli(dataDir, [...user('first@contoso.test'), '--broker', 'Contoso Cloud', '--create-broker'])).code,
    ).toBe(0);
    expect(
      (await cli(dataDir, [...user('second@fabrikam.test'), '--broker', 'Fabrikam', '--create-broker'])).code,
    ).toBe(0);

    const typo = await cli(dataDir, [...user('typo@contoso.test'), '--broker', 'Contoso Clod']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('No broker named "Contoso Clod". Existing brokers: "Contoso Cloud", "Fabrikam".');
    expect(typo.stderr).toContain('--create-broker');
    expect(typo.stdout).toBe('');

    const existing = await cli(dataDir, [...user('typo@contoso.test'), '--broker', 'Contoso Cloud']);
    expect(existing.code).toBe(0);
    expect(existing.stdout).toContain('in broker "Contoso Cloud"');

    const testApp = await createTestApp({ dataDir });
    try {
      const brokers = await testApp.app.get(SqlService).query<{ name: string }>`SELECT name FROM brokers ORDER BY name`;
      expect(brokers.map((broker) => broker.name)).toEqual(['Contoso Cloud', 'Fabrikam']);
    } finally {
      await testApp.close();
    }
  });
});

describe('npm run cli -- audit:verify', () => {
  it('should report every chain as intact, then name the event that was edited in the database', async () => {
    const testApp = await createTestApp();
    let tampered: number;
    try {
      await setUpFirstAdmin(testApp);
      await signIn(testApp, 'ada@contoso.test');
      const sql = testApp.app.get(SqlService);
      const audit = testApp.app.get(AuditTrail);
      for (const [i, brokerId] of [1, 1, null, 1].entries())
        await sql.transaction((tx) => audit.record(tx, { action: 'test.event', brokerId, data: { i } }));
      expect((await auditEvents(testApp)).length).toBeGreaterThanOrEqual(4);
    } finally {
      await testApp.close();
    }

    const intact = await cli(testApp.dataDir, ['audit:verify']);
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^Audit trail OK: 2 chains, \d+ events\./);
    expect(intact.stdout).toMatch(/events without a broker: 1 events, last hash [0-9a-f]{64}/);
    expect(intact.stdout).toMatch(/broker 1: \d+ events/);

    const reopened = await createTestApp({ dataDir: testApp.dataDir });
    try {
      const events = (await auditEvents(reopened, 'test.event')).filter((event) => event.broker_id === 1);
      tampered = events[1].id;
      const p = reopened.app.get(SqlService).dialect.placeholder;
      await tamperWithAuditEvents(reopened, `UPDATE audit_events SET actor_label = ${p(1)} WHERE id = ${p(2)}`, [
        'someone else',
        tampered,
      ]);
    } finally {
      await reopened.close();
    }

    const broken = await cli(testApp.dataDir, ['audit:verify']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`Audit trail BROKEN in the chain of broker 1`);
    expect(broken.stderr).toContain(`event #${tampered} (test.event) does not match its hash`);
  });

  // On PostgreSQL the database is named by its URL, not found in DATA_DIR.
  (process.env.DATABASE_URL ? it.skip : it)(
    'should refuse to back up or verify a DATA_DIR that holds no installation, and create none',
    async () => {
      const empty = mkdtempSync(join(tmpdir(), 'mca-cli-'));
      for (const args of [['backup', join(empty, 'x.mcabackup')], ['audit:verify']]) {
        const refused = await cli(empty, args);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`No database at ${join(empty, 'mca-manager.sqlite')}: check DATA_DIR`);
      }
      expect(readdirSync(empty)).toEqual([]);
    },
  );

  it('should print the usage for an unknown command', async () => {
    const unknown = await cli(mkdtempSync(join(tmpdir(), 'mca-cli-')), ['audit:nothing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('npm run cli -- audit:verify');
  });
});
