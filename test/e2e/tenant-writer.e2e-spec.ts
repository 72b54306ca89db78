import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NotFoundInBrokerError } from '../../src/common/domain-errors';
import { runForBroker } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import type { FetchedCustomer } from '../../src/tenants/tenant-merge';
import {
  MERGE_BATCH,
  PartialMergeError,
  TenantWriter,
  type AttestationState,
  type MergeCounts,
} from '../../src/tenants/tenant-writer';
import { createTestApp, type TestApp } from '../support/test-app';
import { createBroker, seedTenants } from '../support/tenants';

describe('TenantWriter.setAttestationState', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let writer: TenantWriter;
  let brokerId: number;
  let otherBrokerId: number;

  const reload = (id: number) => testApp.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ id });
  const setState = (id: number, state: AttestationState, broker = brokerId) =>
    runForBroker(broker, () => sql.transaction((tx) => writer.setAttestationState(tx, id, state)));
  const counts = async (broker: number) =>
    Object.fromEntries(
      (
        await sql.query<{ status: string; tenant_count: number }>`
          SELECT status, tenant_count FROM tenant_status_counts WHERE broker_id = ${broker} AND tenant_count > 0`
      ).map((row) => [row.status, Number(row.tenant_count)]),
    );

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
    writer = testApp.app.get(TenantWriter);
    brokerId = await createBroker(testApp, 'Writer Partner');
    otherBrokerId = await createBroker(testApp, 'Other Partner');
  });
  afterAll(() => testApp.close());

  it('should make a tenant pending, then attested with the time of finalizing, keeping the counts right', async () => {
    const [tenant] = await seedTenants(testApp, brokerId, [{ status: 'none' }]);
    await setState(tenant.id, 'pending');
    expect(await reload(tenant.id)).toMatchObject({ status: 'pending', acceptedAt: null });
    expect(await counts(brokerId)).toEqual({ pending: 1 });

    const before = Date.now();
    await setState(tenant.id, 'attested');
    const attested = await reload(tenant.id);
    expect(attested.status).toBe('attested');
    expect(attested.acceptedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await counts(brokerId)).toEqual({ attested: 1 });

    // Finalized again (a retried job): nothing moves.
    await setState(tenant.id, 'attested');
    expect((await reload(tenant.id)).acceptedAt).toEqual(attested.acceptedAt);
  });

  it("should leave a directly signed tenant direct while an attestation is open, and go back to Partner Center's word", async () => {
    const [direct, unsigned] = await seedTenants(testApp, brokerId, [{ status: 'direct' }, { status: 'none' }]);
    await setState(direct.id, 'pending');
    expect(await reload(direct.id)).toMatchObject({ status: 'direct', acceptedAt: direct.acceptedAt });
    await setState(direct.id, 'none');
    expect(await reload(direct.id)).toMatchObject({ status: 'direct', acceptedAt: direct.acceptedAt });

    await setState(unsigned.id, 'pending');
    await setState(unsigned.id, 'none');
    expect(await reload(unsigned.id)).toMatchObject({ status: 'none', acceptedAt: null });
  });

  it("should refuse another broker's tenant as not found, and change nothing", async () => {
    const [theirs] = await seedTenants(testApp, otherBrokerId, [{ status: 'none' }]);
    await expect(setState(theirs.id, 'attested')).rejects.toBeInstanceOf(NotFoundInBrokerError);
    await expect(setState(2 ** 40, 'attested')).rejects.toBeInstanceOf(NotFoundInBrokerError);
    expect(await reload(theirs.id)).toMatchObject({ status: 'none', acceptedAt: null });
  });

  it("should undo the change with the caller's transaction", async () => {
    const [tenant] = await seedTenants(testApp, brokerId, [{ status: 'none' }]);
    await expect(
      runForBroker(brokerId, () =>
        sql.transaction(async (tx) => {
          await writer.setAttestationState(tx, tenant.id, 'pending');
          throw new Error('the attestation could not be recorded');
        }),
      ),
    ).rejects.toThrow('could not be recorded');
    expect((await reload(tenant.id)).status).toBe('none');
  });
});

describe('TenantWriter.mergeInBatches', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let writer: TenantWriter;
  let brokerId: number;

  const customers = (count: number, prefix: string): FetchedCustomer[] =>
    Array.from({ length: count }, (_, i) => ({
      tenantId: randomUUID(),
      companyName: `${prefix} ${String(i).padStart(5, '0')}`,
      domain: `${prefix.toLowerCase()}${i}.onmicrosoft.com`,
      directlySigned: i % 3 === 0,
      dateAgreed: null,
    }));
  const stored = async () =>
    (await sql.query<{ n: number | string }>`SELECT count(*) AS n FROM tenants WHERE broker_id = ${brokerId}`)[0].n;
  const removed = async () =>
    (
      await sql.query<{ n: number | string }>`
        SELECT count(*) AS n FROM tenants WHERE broker_id = ${brokerId} AND removed_at IS NOT NULL`
    )[0].n;

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
    writer = testApp.app.get(TenantWriter);
    brokerId = await createBroker(testApp, 'Batch Partner');
  });
  afterAll(() => testApp.close());

  it('should write a large merge in short transactions that other writes get between', async () => {
    const fetched = customers(10 * MERGE_BATCH + 50, 'Large');
    const progress: MergeCounts[] = [];
    let merging = true;
    const merge = writer
      .mergeInBatches(brokerId, fetched, new Date(), async (_tx, counts) => void progress.push(counts))
      .finally(() => (merging = false));
    // Another writer all along (a session being saved, say): each of its transactions waits at most for one batch.
    // The wait is measured in this process's CPU time, which is what it lasts on a machine of its own; on a shared
    // CI machine the clock also counts every other process's turns.
    const cpuMs = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    };
    const waits: number[] = [];
    while (merging) {
      const asked = cpuMs();
      await sql.transaction((tx) => tx.query`SELECT 1`);
      waits.push(cpuMs() - asked);
    }
    await expect(merge).resolves.toEqual({ created: fetched.length, updated: 0, removed: 0 });
    expect(progress).toHaveLength(11);
    expect(progress.map((counts) => counts.created)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => (i + 1) * 100),
      1050,
    ]);
    expect(Number(await stored())).toBe(fetched.length);
    expect(waits.length).toBeGreaterThanOrEqual(progress.length - 1);
    expect(Math.max(...waits)).toBeLessThan(100);

    // The next run finds half of them gone: they are marked removed, in batches too, and the rest left as they are.
    const kept = fetched.slice(0, 525);
    await expect(writer.mergeInBatches(brokerId, kept, new Date(), async () => undefined)).resolves.toEqual({
      created: 0,
      updated: 0,
      removed: fetched.length - kept.length,
    });
    expect(Number(await removed())).toBe(fetched.length - kept.length);
  });

  it('should keep the batches written before a failure, and say what they wrote', async () => {
    const before = Number(await stored());
    const fetched = customers(5 * MERGE_BATCH, 'Failing');
    let batches = 0;
    const failure = await writer
      .mergeInBatches(brokerId, fetched, new Date(), async () => {
        batches += 1;
        if (batches === 3) throw new Error('the lease was lost');
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PartialMergeError);
    expect((failure as PartialMergeError).written).toEqual({ created: 2 * MERGE_BATCH, updated: 0, removed: 0 });
    expect(((failure as PartialMergeError).cause as Error).message).toBe('the lease was lost');
    expect(Number(await stored())).toBe(before + 2 * MERGE_BATCH);
  });
});
