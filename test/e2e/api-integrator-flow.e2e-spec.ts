import { acceptAsCustomer, syncTenants } from '../support/attestations';
import { apiClient, createApiToken } from '../support/api';
import { setUpFirstAdmin } from '../support/http';
import { eventually } from '../support/jobs';
import { brokerIdOf } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';
import { endpointWithSecret, verified, WEBHOOK_TEST_ENV, WebhookReceiver } from '../support/webhook-receiver';

// An integrator's whole flow, as the README tells it: a token, the tenant list, an attestation created through the
// API, the customer accepting in the Partner Center sandbox, the webhooks received by the integrator's own server
// and verified with the Standard Webhooks reference library, the finalize, and the tenant read back as Attested.
describe("An integrator's flow: token, attestation, webhooks, Attested", () => {
  let testApp: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    testApp = await createTestApp({ listen: true, env: WEBHOOK_TEST_ENV });
  });
  afterAll(async () => {
    await testApp.close();
    await receiver.stop();
  });

  it('should take an attestation from the API to Attested, with every webhook signed', async () => {
    const { agent: admin } = await setUpFirstAdmin(testApp);
    await syncTenants(testApp, admin);
    const { secret } = await endpointWithSecret(admin, `${receiver.url}/integrator`, [
      'attestation.created',
      'attestation.accepted',
      'attestation.finalized',
      'tenant.status_changed',
    ]);
    const api = apiClient(testApp, await createApiToken(testApp, await brokerIdOf(testApp, 'ada@contoso.test')));

    const list = await api.get('/api/v1/tenants?status=none&limit=5').expect(200);
    const tenant = list.body.data[0] as { id: number; name: string };
    const created = await api
      .post('/api/v1/attestations', {
        tenantId: tenant.id,
        signatoryFirstName: 'Grace',
        signatoryLastName: 'Hopper',
        signatoryEmail: 'grace@customer.test',
        companyName: tenant.name,
        country: 'US',
        language: 'en-US',
      })
      .set('Idempotency-Key', 'integrator-flow-1')
      .expect(201);
    const id = created.body.id as number;

    await acceptAsCustomer(testApp, created.body.acceptanceLink as string);
    await eventually(async () => {
      const read = await api.get(`/api/v1/attestations/${id}`).expect(200);
      return read.body.state === 'accepted' ? true : undefined;
    }, 100);
    await api.post(`/api/v1/attestations/${id}/finalize`).set('Idempotency-Key', 'integrator-finalize-1').expect(202);
    const finalized = await eventually(async () => {
      const read = await api.get(`/api/v1/attestations/${id}`).expect(200);
      return read.body.state === 'finalized' ? read.body : undefined;
    }, 100);
    expect(finalized.tenant.statusLabel).toBe('Acceptance provided (Attested)');
    const detail = await api.get(`/api/v1/tenants/${tenant.id}`).expect(200);
    expect(detail.body.status).toBe('attested');

    // Each event once, each verified by the reference library with the endpoint's secret, in the order they happened.
    const events = await eventually(() => {
      const payloads = receiver.received.filter((r) => r.path === '/integrator').map((r) => verified(secret, r));
      return payloads.some((p) => p.type === 'attestation.finalized') ? payloads : undefined;
    }, 100);
    const ofAttestation = events.filter((p) => p.type.startsWith('attestation.')).map((p) => p.type);
    expect(ofAttestation).toEqual(['attestation.created', 'attestation.accepted', 'attestation.finalized']);
    expect(events.filter((p) => p.type === 'tenant.status_changed').map((p) => p.data.status)).toEqual([
      'pending',
      'attested',
    ]);
    expect(events.every((p) => p.data.id === id || p.data.id === tenant.id)).toBe(true);
    const ids = receiver.received.filter((r) => r.path === '/integrator').map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
