import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { TenantStatus } from '../src/tenants/tenant-status';

// Company-like names from word lists: searching a word finds a few percent of the tenants, a pair far fewer.
const FIRST = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Adventure',
  'Tailspin',
  'Wingtip',
  'Litware',
  'Proseware',
  'Woodgrove',
  'Coho',
  'Lucerne',
  'Margie',
  'Alpine',
  'Blue Yonder',
  'Trey',
  'Humongous',
  'Wide World',
  'Fourth Coffee',
  'Graphic',
  'Relecloud',
  'Adatum',
  'Datum',
  'Munson',
  'Olympia',
  'Southridge',
  'VanArsdel',
  'Bellows',
  'Consolidated',
  'Lamna',
  'Nod',
];
const SECOND = [
  'Traders',
  'Works',
  'Systems',
  'Health',
  'Foods',
  'Logistics',
  'Labs',
  'Energy',
  'Bank',
  'Travel',
  'Media',
  'Studios',
  'Partners',
  'Insurance',
  'Retail',
  'Motors',
  'Farms',
  'Dental',
  'Legal',
  'Consulting',
  'Pharma',
  'Airlines',
  'Hotels',
  'Brewing',
  'Robotics',
];
const CITY = [
  'Amsterdam',
  'Berlin',
  'Chicago',
  'Dublin',
  'Essen',
  'Florence',
  'Geneva',
  'Houston',
  'Izmir',
  'Jakarta',
  'Kyoto',
  'Lyon',
  'Madrid',
  'Nairobi',
  'Oslo',
  'Porto',
  'Quebec',
  'Riga',
  'Sydney',
  'Turin',
  'Utrecht',
  'Vienna',
  'Warsaw',
  'York',
  'Zurich',
];
const SUFFIX = ['Ltd', 'GmbH', 'Inc', 'BV', 'SA', 'AB', 'Oy', 'LLC', 'plc', 'AG'];
// 35% none, 15% pending, 35% direct, 15% attested: the mix of a partner part-way through collecting acceptance.
const STATUSES: TenantStatus[] = [
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
  'pending',
  'pending',
  'pending',
  'direct',
  'direct',
  'direct',
  'direct',
  'direct',
  'direct',
  'direct',
  'attested',
  'attested',
  'attested',
];

// TypeORM's storage format for SQLite datetimes.
const sqliteDate = (date: Date): string => date.toISOString().replace('T', ' ').replace('Z', '');

// Inserts `count` tenants for a broker straight into the SQLite file, in batches of one transaction each. The
// triggers of the schema keep the counts and the search index, as they do for every writer.
export function seedTenants(databaseFile: string, brokerId: number, count: number, batchSize = 5000): void {
  const db = new Database(databaseFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `INSERT INTO tenants (broker_id, microsoft_tenant_id, name, domain, status, directly_signed, accepted_at, removed_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = sqliteDate(new Date());
  const start = Date.UTC(2023, 0, 1);
  const insertBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const name = `${FIRST[i % FIRST.length]} ${SECOND[Math.floor(i / FIRST.length) % SECOND.length]} ${CITY[Math.floor(i / 750) % CITY.length]} ${SUFFIX[i % SUFFIX.length]}`;
      const status = STATUSES[(i * 7) % STATUSES.length];
      const accepted =
        status === 'direct' || status === 'attested'
          ? sqliteDate(new Date(start + ((i * 7919) % 1000) * 86_400_000 + (i % 86_400) * 1000))
          : null;
      const domain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}${i}.onmicrosoft.com`;
      insert.run(
        brokerId,
        randomUUID(),
        name,
        domain,
        status,
        status === 'direct' ? 1 : 0,
        accepted,
        i % 100 === 99 ? now : null,
        now,
        now,
      );
    }
  });
  for (let from = 0; from < count; from += batchSize) insertBatch(from, Math.min(count, from + batchSize));
  db.close();
}
