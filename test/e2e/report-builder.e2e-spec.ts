import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqlService } from '../../src/database/sql.service';
import { REPORT_COLUMNS } from '../../src/reports/report-columns';
import { ReportBuilder } from '../../src/reports/report-builder';
import { NO_FILTER, type ReportFilter } from '../../src/reports/report-filter';
import { filteredCountStatement, TenantsRepository } from '../../src/tenants/tenants.repository';
import { TENANT_STATUS_LABELS, TENANT_STATUSES } from '../../src/tenants/tenant-status';
import { setUpFirstAdmin } from '../support/http';
import { readCsv, readXlsx } from '../support/report-files';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants, type TenantSeed } from '../support/tenants';

const TRICKY = 'Trickster, "The" AB\nsecond line';
const FORMULA = '=HYPERLINK("http://evil.test","click")';

describe(ReportBuilder.name, () => {
  let testApp: TestApp;
  let builder: ReportBuilder;
  let brokerId: number;
  let expected: { name: string; tenantId: string; status: string; acceptedAt: Date | null }[];

  beforeAll(async () => {
    testApp = await createTestApp();
    await setUpFirstAdmin(testApp);
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    const other = await createBroker(testApp, 'Other Partner');
    // Enough rows for several keyset batches, every status, and names a spreadsheet could misread.
    const seeds: TenantSeed[] = Array.from({ length: 2345 }, (_, i) => ({ status: TENANT_STATUSES[i % 4] }));
    seeds.push(
      { name: TRICKY, status: 'none' },
      { name: FORMULA, status: 'direct' },
      { name: 'Åsa Ström AB', status: 'pending' },
      { name: 'Gone Tenant AB', status: 'attested', removedAt: new Date('2026-11-02T08:00:00Z') },
    );
    const tenants = await seedTenants(testApp, brokerId, seeds);
    await seedTenants(testApp, other, [{ name: 'Not ours' }]);
    expected = tenants
      .sort((a, b) => a.id - b.id)
      .map((t) => ({ name: t.name, tenantId: t.microsoftTenantId, status: t.status, acceptedAt: t.acceptedAt }));
    builder = testApp.app.get(ReportBuilder);
  });

  afterAll(() => testApp.close());

  const neutral = (name: string) => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);

  it('should write every tenant of the broker to a CSV file with a BOM, a header and ISO dates in UTC', async () => {
    const file = join(testApp.dataDir, 'reports', 'all.csv');
    const progress: [number, number][] = [];
    const result = await builder.build(brokerId, NO_FILTER, 'csv', file, async (done, total) => {
      progress.push([done, total]);
    });
    expect(result.rows).toBe(expected.length);
    const csv = readCsv(readFileSync(file));
    expect(csv.bom).toBe(true);
    expect(csv.header).toEqual(REPORT_COLUMNS.map((c) => c.header));
    expect(csv.rows).toHaveLength(expected.length);
    expect(csv.rows.map((r) => [r[0], r[1], r[3], r[5]])).toEqual(
      expected.map((t) => [
        neutral(t.name),
        t.tenantId,
        TENANT_STATUS_LABELS[t.status as keyof typeof TENANT_STATUS_LABELS],
        t.acceptedAt ? t.acceptedAt.toISOString().replace('.000Z', 'Z') : '',
      ]),
    );
    expect(csv.rows.map((r) => r[0])).toEqual(expect.arrayContaining([TRICKY, `'${FORMULA}`, 'Åsa Ström AB']));
    expect(csv.rows.some((r) => r[0] === 'Not ours')).toBe(false);
    // Progress after each batch of 1,000, up to the total.
    expect(progress[0]).toEqual([0, expected.length]);
    expect(progress.at(-1)).toEqual([expected.length, expected.length]);
    expect(progress.length).toBeGreaterThanOrEqual(4);
  });

  it("should give each tenant its latest attestation's signatory, creator, times and state", async () => {
    const sql = testApp.app.get(SqlService);
    const [tenant] = await sql.query<{ id: number }>`SELECT id FROM tenants WHERE name = ${'Åsa Ström AB'}`;
    const insert = (token: string, first: string, state: string, createdAt: Date, finalizedAt: Date | null) =>
      sql.transaction(
        (tx) => tx.query`INSERT INTO attestations (broker_id, tenant_id, pc_attestation_id, request_token,
          signatory_first_name, signatory_last_name, signatory_email, company_name, country, language, state, link,
          link_expires_at, created_by_label, created_at, finalized_at)
          VALUES (${brokerId}, ${tenant.id}, ${`pc-${token}`}, ${token}, ${first}, ${'Ström'}, ${'asa@strom.test'},
            ${'Åsa Ström AB'}, ${'SE'}, ${'sv-SE'}, ${state}, ${'https://accept.test/x'},
            ${sql.dialect.encodeTimestamp(new Date('2026-12-08T00:00:00Z'))}, ${'ada@contoso.test'},
            ${sql.dialect.encodeTimestamp(createdAt)}, ${finalizedAt && sql.dialect.encodeTimestamp(finalizedAt)})`,
      );
    await insert('older', 'Old', 'cancelled', new Date('2026-11-01T09:00:00Z'), null);
    await insert('newer', 'Åsa', 'finalized', new Date('2026-11-20T09:00:00Z'), new Date('2026-11-21T10:30:00Z'));
    const file = join(testApp.dataDir, 'reports', 'attested.csv');
    await builder.build(brokerId, NO_FILTER, 'csv', file, async () => undefined);
    const csv = readCsv(readFileSync(file));
    const column = (header: string) => csv.header.indexOf(header);
    const row = csv.rows.find((r) => r[0] === 'Åsa Ström AB') as string[];
    expect(row[column('Signatory (latest attestation)')]).toBe('Åsa Ström');
    expect(row[column('Signatory email')]).toBe('asa@strom.test');
    expect(row[column('Attestation created by')]).toBe('ada@contoso.test');
    expect(row[column('Attestation created at (UTC)')]).toBe('2026-11-20T09:00:00Z');
    expect(row[column('Attestation finalized at (UTC)')]).toBe('2026-11-21T10:30:00Z');
    expect(row[column('Attestation Status')]).toMatch(/finalized/i);
    const other = csv.rows.find((r) => r[0] === TRICKY) as string[];
    expect(other[column('Signatory (latest attestation)')]).toBe('');
  });

  it('should write an XLSX file with a frozen header row, filters, widths and date cells', async () => {
    const file = join(testApp.dataDir, 'reports', 'all.xlsx');
    await builder.build(brokerId, NO_FILTER, 'xlsx', file, async () => undefined);
    const xlsx = await readXlsx(readFileSync(file));
    expect(xlsx.header).toEqual(REPORT_COLUMNS.map((c) => c.header));
    expect(xlsx.rows).toHaveLength(expected.length);
    expect(xlsx.rows.map((r) => [r[0], r[1], r[3], r[5]])).toEqual(
      expected.map((t) => [
        neutral(t.name),
        t.tenantId,
        TENANT_STATUS_LABELS[t.status as keyof typeof TENANT_STATUS_LABELS],
        t.acceptedAt,
      ]),
    );
    expect(xlsx.frozen).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(xlsx.autoFilter).toBeTruthy();
    expect(xlsx.widths).toEqual(REPORT_COLUMNS.map((c) => c.width));
  });

  it('should count what it lists once a report, from the counts the triggers keep when it does not search', async () => {
    const file = join(testApp.dataDir, 'reports', 'counted.csv');
    const count = jest.spyOn(testApp.app.get(TenantsRepository), 'countFiltered');
    const filters: ReportFilter[] = [
      NO_FILTER,
      { status: 'none', q: '' },
      { status: 'attested', q: '' },
      { status: 'ready', q: '' },
      { status: 'all', q: 'tenant' },
      { status: 'pending', q: 'tenant' },
    ];
    for (const filter of filters) {
      const totals = new Set<number>();
      const result = await builder.build(brokerId, filter, 'csv', file, async (_, total) => {
        totals.add(total);
      });
      expect(result.rows).toBeGreaterThan(0);
      expect([...totals]).toEqual([result.rows]);
    }
    expect(count).toHaveBeenCalledTimes(filters.length);
    count.mockRestore();
    const { dialect } = testApp.app.get(SqlService);
    for (const status of ['all', 'direct'] as const)
      expect(filteredCountStatement(dialect, brokerId, { status, q: '' }).sql).toMatch(
        /FROM tenant_status_counts WHERE/,
      );
  });

  it("should apply the status filter and the search of the MCA page, every match and not only the page's first ones", async () => {
    const file = join(testApp.dataDir, 'reports', 'filtered.csv');
    const none = expected.filter((t) => t.status === 'none');
    await builder.build(brokerId, { status: 'none', q: '' }, 'csv', file, async () => undefined);
    expect(readCsv(readFileSync(file)).rows.map((r) => r[1])).toEqual(none.map((t) => t.tenantId));

    await builder.build(brokerId, { status: 'all', q: 'tenant' }, 'csv', file, async () => undefined);
    expect(readCsv(readFileSync(file)).rows).toHaveLength(expected.filter((t) => /tenant/i.test(t.name)).length);

    await builder.build(brokerId, { status: 'none', q: 'trick' }, 'csv', file, async () => undefined);
    expect(readCsv(readFileSync(file)).rows.map((r) => r[0])).toEqual([TRICKY]);

    await builder.build(brokerId, { status: 'all', q: 'Ås' }, 'csv', file, async () => undefined);
    expect(readCsv(readFileSync(file)).rows.map((r) => r[0])).toEqual(['Åsa Ström AB']);
    expect(testApp.app.get(SqlService).dialect.name).toBeDefined();
  });
});
