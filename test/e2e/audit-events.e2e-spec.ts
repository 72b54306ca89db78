import type TestAgent from 'supertest/lib/agent';
import { AuditVerifier } from '../../src/audit/audit-verifier.service';
import { SqlService } from '../../src/database/sql.service';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { auditEvents, type StoredAuditEvent } from '../support/audit';
import { DEFAULT_PASSWORD, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { connectPartnerCenterUser } from '../support/partner-center-user';
import { createTestApp, type TestApp } from '../support/test-app';

const PAGE = '/settings/partner-center';

// Every state change that exists is recorded with who did it, in the broker it belongs to.
describe('Audit events of the changes people make', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let adminId: number;
  let brokerId: number;
  let seen = 0;

  // The events recorded since the last call.
  const newEvents = async (): Promise<StoredAuditEvent[]> => {
    const events = await auditEvents(testApp);
    const fresh = events.slice(seen);
    seen = events.length;
    return fresh;
  };
  const summary = (event: StoredAuditEvent) => ({
    action: event.action,
    broker: event.broker_id,
    actor: `${event.actor_type}:${event.actor_id ?? '-'}:${event.actor_label}`,
    subject: event.subject_type ? `${event.subject_type}:${event.subject_id}` : null,
    data: JSON.parse(event.data) as Record<string, unknown>,
  });
  const userId = async (email: string) =>
    Number(
      (await testApp.app.get(SqlService).query<{ id: number }>`SELECT id FROM users WHERE email = ${email}`)[0].id,
    );

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
  });
  afterAll(() => testApp.close());

  it('should record the setup as the new admin: the broker, its first user, and their sign-in', async () => {
    admin = (await setUpFirstAdmin(testApp)).agent;
    adminId = await userId('ada@contoso.test');
    const events = (await newEvents()).map(summary);
    brokerId = events[0].broker as number;
    const ada = `user:${adminId}:ada@contoso.test`;
    expect(events).toEqual([
      {
        action: 'user.created',
        broker: brokerId,
        actor: ada,
        subject: `user:${adminId}`,
        data: { email: 'ada@contoso.test', name: 'Ada Admin', role: 'admin' },
      },
      {
        action: 'broker.set_up',
        broker: brokerId,
        actor: ada,
        subject: `broker:${brokerId}`,
        data: { name: 'Contoso Cloud' },
      },
      {
        action: 'auth.signed_in',
        broker: brokerId,
        actor: ada,
        subject: `user:${adminId}`,
        data: { ip: expect.any(String), method: 'password' },
      },
    ]);
  });

  it('should record sign-in, failed sign-in (in the broker when the email is known) and sign-out', async () => {
    const { agent } = await signIn(testApp, 'ada@contoso.test');
    await signIn(testApp, 'ada@contoso.test', 'wrong password entirely');
    await signIn(testApp, 'nobody@contoso.test');
    await postForm(agent, '/', '/logout', {});
    const events = (await newEvents()).map(summary);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'auth.signed_in',
        broker: brokerId,
        actor: `user:${adminId}:ada@contoso.test`,
        subject: `user:${adminId}`,
        data: { ip: expect.any(String), method: 'password' },
      }),
      expect.objectContaining({
        action: 'auth.sign_in_failed',
        broker: brokerId,
        actor: 'system:-:sign-in page',
        subject: `user:${adminId}`,
        data: expect.objectContaining({ email: 'ada@contoso.test', method: 'password', reason: 'wrong password' }),
      }),
      expect.objectContaining({
        action: 'auth.sign_in_failed',
        broker: null,
        subject: null,
        data: expect.objectContaining({ email: 'nobody@contoso.test', reason: 'unknown email' }),
      }),
      expect.objectContaining({
        action: 'auth.signed_out',
        broker: brokerId,
        actor: `user:${adminId}:ada@contoso.test`,
      }),
    ]);
  });

  it('should record user created, role changed, deactivated and reactivated, by the admin who did it', async () => {
    await postForm(admin, '/users/new', '/users', {
      name: 'Otto Operator',
      email: 'otto@contoso.test',
      role: 'operator',
      password: DEFAULT_PASSWORD,
    });
    const otto = await userId('otto@contoso.test');
    await postForm(admin, '/users', `/users/${otto}/role`, { role: 'viewer' });
    await postForm(admin, '/users', `/users/${otto}/role`, { role: 'viewer' });
    await postForm(admin, '/users', `/users/${otto}/deactivate`, {});
    await postForm(admin, '/users', `/users/${otto}/reactivate`, {});
    const ada = `user:${adminId}:ada@contoso.test`;
    const subject = `user:${otto}`;
    expect((await newEvents()).map(summary)).toEqual([
      {
        action: 'user.created',
        broker: brokerId,
        actor: ada,
        subject,
        data: { email: 'otto@contoso.test', name: 'Otto Operator', role: 'operator' },
      },
      // The second change to the same role changed nothing, so it records nothing.
      { action: 'user.role_changed', broker: brokerId, actor: ada, subject, data: { from: 'operator', to: 'viewer' } },
      {
        action: 'user.deactivated',
        broker: brokerId,
        actor: ada,
        subject,
        data: { email: 'otto@contoso.test', sessionsEnded: 0 },
      },
      { action: 'user.reactivated', broker: brokerId, actor: ada, subject, data: { email: 'otto@contoso.test' } },
    ]);
  });

  it('should record Partner Center settings saved, a user connected and disconnected, never the secret', async () => {
    const secret = testApp.app.get(PartnerCenterSandboxService).appRegistration().appSecret;
    await admin.get(PAGE);
    const defaults = (await newEvents()).map(summary);
    expect(defaults).toEqual([
      expect.objectContaining({
        action: 'partner_center.connected',
        broker: brokerId,
        data: expect.objectContaining({ sandboxDefault: true }),
      }),
    ]);
    await postForm(admin, PAGE, PAGE, {
      mode: 'sandbox',
      tenantId: '6F2B1A3C-0D4E-4F5A-9B8C-7D6E5F4A3B2C',
      appId: '',
      clientSecret: secret,
    });
    await postForm(admin, PAGE, PAGE, { mode: 'sandbox', tenantId: '', appId: '', clientSecret: '' });
    await connectPartnerCenterUser(admin);
    await postForm(admin, PAGE, `${PAGE}/disconnect`, {});
    await postForm(admin, PAGE, `${PAGE}/disconnect`, {});
    const events = await newEvents();
    expect(events.map((event) => event.data).join()).not.toContain(secret);
    const ada = `user:${adminId}:ada@contoso.test`;
    expect(events.map(summary)).toEqual([
      expect.objectContaining({
        action: 'partner_center.settings_saved',
        actor: ada,
        data: { mode: 'sandbox', tenantId: '6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c', appId: '', appSecretReplaced: true },
      }),
      expect.objectContaining({
        action: 'partner_center.disconnected',
        actor: ada,
        data: expect.objectContaining({ reason: 'app registration changed' }),
      }),
      expect.objectContaining({
        action: 'partner_center.settings_saved',
        data: { mode: 'sandbox', tenantId: '', appId: '', appSecretReplaced: false },
      }),
      expect.objectContaining({
        action: 'partner_center.connected',
        actor: ada,
        data: { user: expect.stringContaining('@') },
      }),
      expect.objectContaining({
        action: 'partner_center.disconnected',
        actor: ada,
        data: expect.objectContaining({ reason: 'disconnected by an admin' }),
      }),
    ]);
    expect(new Set(events.map((event) => event.broker_id))).toEqual(new Set([brokerId]));
  });

  it('should leave every chain intact', async () => {
    expect(await testApp.app.get(AuditVerifier).verify()).toMatchObject({ ok: true });
  });
});
