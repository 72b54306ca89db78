import { DataSource } from 'typeorm';
import { NotFoundInBrokerError } from '../../src/common/domain-errors';
import { runForBroker } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { TenantWriter, type AttestationState } from '../../src/tenants/tenant-writer';
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
