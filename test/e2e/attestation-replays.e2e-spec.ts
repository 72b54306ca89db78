import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { attestationRows, createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { csrfTokenFrom, createUser, setUpFirstAdmin, signIn } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { brokerIdOf } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

// Cancel, finalize and retry sent again, at once, or from a page that another tab, another user or time has made
// stale: each answers with the attestation as it is now and what could not be done; nothing is written twice.
describe('Attestation actions replayed and raced', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let operator: TestAgent;
  let tenants: Tenant[];

  const rowOf = async (tenant: Tenant) =>
    (await attestationRows(testApp)).find((row: { tenant_id: number }) => row.tenant_id === tenant.id);
  const eventsOf = async (attestationId: number, action: string) =>
    testApp.app
      .get(DataSource)
      .query(
        `SELECT id FROM audit_events WHERE subject_type = 'attestation' AND subject_id = '${attestationId}' AND action = '${action}'`,
      );
  const agreementCalls = (tenant: Tenant) =>
    sandboxOf(testApp).requests.filter(
      (r) => r.method === 'POST' && r.path === `/v1/customers/${tenant.microsoftTenantId}/agreements`,
    );
  // An action form of the attestation's page as it was when `page` was loaded, posted now.
  const post = (agent: TestAgent, tenant: Tenant, action: string, page: string) =>
    agent
      .post(`/tenants/${tenant.id}/attestation/${action}`)
      .type('form')
      .send({
        _csrf: csrfTokenFrom(page),
        attestationId: /name="attestationId" value="(\d+)"/.exec(page)?.[1] ?? '',
      });
  const openPage = async (agent: TestAgent, tenant: Tenant) =>
    (await agent.get(`/tenants/${tenant.id}/attestation`)).text;
  const accepted = async (tenant: Tenant) => {
    await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
    const row = await rowOf(tenant);
    sandboxOf(testApp).acceptAttestation(row.pc_attestation_id);
    expect(await openPage(admin, tenant)).toContain('Ready to finalize');
    return row;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true, env: FAST_JOBS_ENV });
    admin = (await setUpFirstAdmin(testApp)).agent;
    await createUser(testApp, await brokerIdOf(testApp, 'ada@contoso.test'), 'otto@contoso.test', 'operator');
    operator = (await signIn(testApp, 'otto@contoso.test')).agent;
    tenants = (await syncTenants(testApp, admin)).filter((t) => t.status === 'none');
  });
  afterAll(() => testApp.close());

  it('should cancel once when cancel is sent ten times at once, and show the others the cancelled attestation', async () => {
    const tenant = tenants[0];
    await createAttestation(admin, tenant.id);
    const page = await openPage(admin, tenant);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(admin, tenant, 'cancel', page)));
    expect(answers.filter((answer) => answer.status === 303)).toHaveLength(1);
    for (const refused of answers.filter((answer) => answer.status !== 303)) {
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('This attestation is cancelled: nothing more can be done with it.');
      expect(refused.text).toContain('<span id="attestation-status">Cancelled</span>');
    }
    expect(await eventsOf((await rowOf(tenant)).id, 'attestation.cancelled')).toHaveLength(1);
    expect((await rowOf(tenant)).state).toBe('cancelled');
  });

  it('should tell a partner whose page is stale that another user finalized it, and neither finalize nor cancel again', async () => {
    const tenant = tenants[1];
    const row = await accepted(tenant);
    const adminsPage = await openPage(admin, tenant);
    expect((await post(operator, tenant, 'finalize', await openPage(operator, tenant))).status).toBe(303);
    await eventually(async () => ((await rowOf(tenant)).state === 'finalized' ? true : undefined));

    const finalize = await post(admin, tenant, 'finalize', adminsPage);
    expect(finalize.status).toBe(409);
    expect(finalize.text).toContain('This attestation is already finalized.');
    expect(finalize.text).toContain('<span id="attestation-status">Finalized</span>');
    const cancel = await post(admin, tenant, 'cancel', adminsPage);
    expect(cancel.status).toBe(409);
    expect(cancel.text).toContain('cannot be cancelled here');
    expect(cancel.text).toContain('<span id="attestation-status">Finalized</span>');

    expect(agreementCalls(tenant)).toHaveLength(1);
    expect(await eventsOf(row.id, 'attestation.finalize_requested')).toHaveLength(1);
    expect(await eventsOf(row.id, 'attestation.cancelled')).toHaveLength(0);
    expect((await admin.get(`/mca?q=${encodeURIComponent(tenant.name)}`)).text).toContain('status-attested');
  });

  it('should refuse finalize and cancel on a link that expired meanwhile, with the way forward, changing nothing', async () => {
    const tenant = tenants[2];
    await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
    const row = await rowOf(tenant);
    const stale = await openPage(admin, tenant);
    sandboxOf(testApp).expireAttestation(row.pc_attestation_id);
    expect(await openPage(admin, tenant)).toContain('<span id="attestation-status">Link expired</span>');

    for (const action of ['finalize', 'cancel']) {
      const answer = await post(admin, tenant, action, stale);
      expect(answer.status).toBe(409);
      expect(answer.text).toContain('The link of this attestation expired: nothing more can be done with it.');
      expect(answer.text).toContain('<span id="attestation-status">Link expired</span>');
      expect(answer.text).toMatch(/<a href="[^"]+" role="button" id="renew">Create a new link<\/a>/);
    }
    expect((await rowOf(tenant)).state).toBe('expired');
    expect(await eventsOf(row.id, 'attestation.cancelled')).toHaveLength(0);
    expect(await eventsOf(row.id, 'attestation.finalize_requested')).toHaveLength(0);
  });

  it('should refuse a retry that is no longer needed, on the page as it is', async () => {
    const tenant = tenants[3];
    await accepted(tenant);
    const answer = await post(admin, tenant, 'retry', await openPage(admin, tenant));
    expect(answer.status).toBe(409);
    expect(answer.text).toContain('Nothing to retry');
    expect(answer.text).toContain('<span id="attestation-status">Ready to finalize</span>');
  });
});
