import type { ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { SqlService } from '../../src/database/sql.service';
import { auditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, DEFAULT_PASSWORD, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { brokerIdOf, createBroker } from '../support/tenants';
import { RESET_REQUEST_JOB } from '../../src/passwords/passwords.service';
import { createTestApp, type TestApp } from '../support/test-app';

const PUBLIC_URL = 'https://mca.example.test';
const NEW_PASSWORD = 'a brand new passphrase 42';
const RESET_LINK = /https:\/\/mca\.example\.test\/password\/reset\/([A-Za-z0-9_-]{43})/;

// Each of these hashes passwords with argon2 several times on a shared machine.
jest.setTimeout(180_000);

describe('Passwords', () => {
  let smtp: TestSmtp;
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;

  const sql = () => testApp.app.get(SqlService);
  const passwordHashOf = async (email: string) =>
    (await sql().query<{ password_hash: string }>`SELECT password_hash FROM users WHERE email = ${email}`)[0]
      .password_hash;
  const mailsTo = async (address: string) =>
    (await smtp.parsed()).filter((mail) => mail.to && !Array.isArray(mail.to) && mail.to.text === address);
  // Waits for the count-th email to `address` and returns it.
  const nthMailTo = (address: string, count: number): Promise<ParsedMail> =>
    eventually(async () => {
      const mails = await mailsTo(address);
      return mails.length >= count ? mails[count - 1] : undefined;
    });
  const tokenIn = (mail: ParsedMail) => {
    const match = RESET_LINK.exec(mail.text ?? '');
    if (!match) throw new Error(`No reset link in: ${mail.text}`);
    return match[1];
  };
  const forgot = (email: string) =>
    postForm(request.agent(testApp.server), '/password/forgot', '/password/forgot', { email });
  // The form as the link's page shows it, CSRF token included, posted once or (a replay) again.
  const resetForm = async (token: string) => {
    const agent = request.agent(testApp.server);
    const page = await agent.get('/password/forgot');
    const fields = { _csrf: csrfTokenFrom(page.text), token };
    return (password: string) =>
      agent
        .post('/password/reset')
        .type('form')
        .send({ ...fields, password });
  };
  const resetWith = async (token: string, password: string) => (await resetForm(token))(password);
  const rawPost = async (agent: TestAgent, pageUrl: string, actionUrl: string, body: string) => {
    const page = await agent.get(pageUrl);
    return agent
      .post(actionUrl)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfTokenFrom(page.text))}&${body}`);
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url, PUBLIC_URL } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await createUser(testApp, brokerId, 'otto@contoso.test', 'operator', 'Otto Operator');
    await createUser(testApp, brokerId, 'vera@contoso.test', 'viewer', 'Vera Viewer');
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  describe('Change password', () => {
    it('should be linked from the header of every signed-in page', async () => {
      const { agent } = await signIn(testApp, 'vera@contoso.test');
      for (const path of ['/', '/mca']) expect((await agent.get(path)).text).toContain('href="/account/password"');
      const page = await agent.get('/account/password');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<title>Change password · MCA Manager</title>');
      expect(page.text).toContain('name="currentPassword"');
    });

    it('should refuse bad input with a message next to the field, changing nothing', async () => {
      const { agent } = await signIn(testApp, 'vera@contoso.test');
      const before = await passwordHashOf('vera@contoso.test');
      const cases: [Record<string, string>, string, string][] = [
        [{ currentPassword: '', password: '' }, 'currentPassword-error', 'Enter your current password'],
        [{ currentPassword: DEFAULT_PASSWORD, password: '' }, 'password-error', 'Enter a password'],
        [{ currentPassword: DEFAULT_PASSWORD, password: ' '.repeat(16) }, 'password-error', 'only spaces'],
        [{ currentPassword: DEFAULT_PASSWORD, password: 'Password1234' }, 'password-error', 'commonly used passwords'],
        [
          { currentPassword: DEFAULT_PASSWORD, password: 'x'.repeat(1001) },
          'password-error',
          'at most 1000 characters',
        ],
        [{ currentPassword: 'y'.repeat(5000), password: NEW_PASSWORD }, 'currentPassword-error', 'not correct'],
        [{ currentPassword: 'not my password', password: NEW_PASSWORD }, 'currentPassword-error', 'not correct'],
        [
          { currentPassword: DEFAULT_PASSWORD, password: DEFAULT_PASSWORD },
          'password-error',
          'different from your current one',
        ],
      ];
      for (const [fields, errorId, message] of cases) {
        const response = await postForm(agent, '/account/password', '/account/password', fields);
        expect(response.status).toBe(422);
        expect(response.text).toMatch(new RegExp(`id="${errorId}">[^<]*${message}`));
        expect(response.text).not.toContain(`value="${fields.password}"`);
      }
      // Markup is only text, and bytes that are not UTF-8 are named as such.
      const html = await postForm(agent, '/account/password', '/account/password', {
        currentPassword: '<b>x</b>',
        password: '<script>alert(1)</script>',
      });
      expect(html.status).toBe(422);
      expect(html.text).not.toContain('<script>alert(1)</script>');
      const notUtf8 = await rawPost(
        agent,
        '/account/password',
        '/account/password',
        `currentPassword=${encodeURIComponent(DEFAULT_PASSWORD)}&password=caf%E9+au+lait+%FF+long`,
      );
      expect(notUtf8.status).toBe(422);
      expect(notUtf8.text).toContain('Password contains characters that are not valid text');
      expect(await passwordHashOf('vera@contoso.test')).toBe(before);
    });

    it('should change the password, end the other sessions, tell the owner, and refuse a replay', async () => {
      const { agent } = await signIn(testApp, 'otto@contoso.test');
      const other = (await signIn(testApp, 'otto@contoso.test')).agent;
      const page = await agent.get('/account/password');
      const fields = { _csrf: csrfTokenFrom(page.text), currentPassword: DEFAULT_PASSWORD, password: NEW_PASSWORD };
      const changed = await agent.post('/account/password').type('form').send(fields);
      expect(changed.status).toBe(303);
      expect((await agent.get('/')).text).toContain('Your password is changed. Your other sessions were signed out.');
      expect((await other.get('/')).headers.location).toMatch(/^\/login/);

      // The same form sent again (a replay, another tab): refused, nothing changed.
      const hash = await passwordHashOf('otto@contoso.test');
      const replay = await agent.post('/account/password').type('form').send(fields);
      expect(replay.status).toBe(403);
      const again = await postForm(agent, '/account/password', '/account/password', {
        currentPassword: DEFAULT_PASSWORD,
        password: 'yet another passphrase 43',
      });
      expect(again.status).toBe(422);
      expect(again.text).toContain('Your current password is not correct');
      expect(await passwordHashOf('otto@contoso.test')).toBe(hash);

      expect((await signIn(testApp, 'otto@contoso.test')).response.status).toBe(401);
      expect((await signIn(testApp, 'otto@contoso.test', NEW_PASSWORD)).response.status).toBe(303);
      const notice = await nthMailTo('otto@contoso.test', 1);
      expect(notice.subject).toBe('Your MCA Manager password was changed');
      const [event] = await auditEvents(testApp, 'user.password_changed');
      expect(event).toMatchObject({ subject_type: 'user', actor_type: 'user', actor_label: 'otto@contoso.test' });
      expect(JSON.parse(event.data)).toEqual({ otherSessionsEnded: 1 });
    });
  });

  describe('Forgot password', () => {
    it('should answer the same whether or not the email exists, and mail a one-time link only to an account', async () => {
      const known = await forgot('VERA@contoso.test');
      const unknown = await forgot('nobody@contoso.test');
      expect(known.status).toBe(303);
      expect(unknown.status).toBe(303);
      expect(known.headers.location).toBe('/password/forgot/sent');
      expect(unknown.headers.location).toBe(known.headers.location);
      const sent = await request(testApp.server).get('/password/forgot/sent');
      expect(sent.text).toContain('If the address you entered belongs to an account');

      const mail = await nthMailTo('vera@contoso.test', 1);
      expect(mail.subject).toBe('Reset your MCA Manager password');
      expect(mail.text).toContain('30 minutes');
      const token = tokenIn(mail);
      // Only the token's hash is stored.
      const rows = await sql().query<{ token_hash: string }>`SELECT token_hash FROM password_reset_tokens`;
      expect(rows.map((row) => row.token_hash)).toEqual([createHash('sha256').update(token).digest('hex')]);
      expect(await mailsTo('nobody@contoso.test')).toHaveLength(0);
      const [requested] = await auditEvents(testApp, 'user.password_reset_requested');
      expect(requested).toMatchObject({ subject_type: 'user', broker_id: brokerId });
    });

    it('should do the same work for a known and an unknown email while the person waits: one queued request', async () => {
      const requests = async () =>
        (
          await sql().query<{ payload: string }>`SELECT payload FROM jobs WHERE type = ${RESET_REQUEST_JOB} ORDER BY id`
        ).map((job) => JSON.parse(job.payload) as unknown);
      await createUser(testApp, brokerId, 'nina@contoso.test', 'viewer', 'Nina New');
      const before = (await requests()).length;
      await forgot('nina@contoso.test');
      await forgot('nobody-at-all@contoso.test');
      expect((await requests()).slice(before)).toEqual([
        { email: 'nina@contoso.test' },
        { email: 'nobody-at-all@contoso.test' },
      ]);
      await nthMailTo('nina@contoso.test', 1);
    });

    it('should refuse a bad email with a message next to the field', async () => {
      const cases: [string, string][] = [
        ['', 'Enter email'],
        ['   ', 'Enter email'],
        ['not-an-email', 'Enter a valid email address'],
        ['<script>alert(1)</script>@x.test', 'Enter a valid email address'],
        [`${'a'.repeat(300)}@contoso.test`, 'Email must be at most 254 characters'],
      ];
      for (const [email, message] of cases) {
        const response = await forgot(email);
        expect(response.status).toBe(422);
        expect(response.text).toMatch(new RegExp(`id="email-error">${message}`));
        expect(response.text).not.toContain('<script>alert(1)</script>');
      }
      const notUtf8 = await rawPost(
        request.agent(testApp.server),
        '/password/forgot',
        '/password/forgot',
        'email=%FF@x.test',
      );
      expect(notUtf8.status).toBe(422);
      expect(notUtf8.text).toContain('Email contains characters that are not valid text');
    });

    it('should set a new password from the link once, signing out every session, and refuse it afterwards', async () => {
      const session = (await signIn(testApp, 'vera@contoso.test')).agent;
      const token = tokenIn(await nthMailTo('vera@contoso.test', 1));
      const page = await request(testApp.server).get(`/password/reset/${token}`);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('vera@contoso.test');
      expect(page.text).toContain('<title>Choose a new password · MCA Manager</title>');

      // Bad passwords: the message next to the field, the link still good.
      for (const [password, message] of [
        ['', 'Enter a password'],
        ['      \t      ', 'only spaces'],
        ['qwerty123456', 'commonly used passwords'],
        ['x'.repeat(1001), 'at most 1000 characters'],
      ]) {
        const refused = await resetWith(token, password);
        expect(refused.status).toBe(422);
        expect(refused.text).toMatch(new RegExp(`id="password-error">[^<]*${message}`));
        expect(refused.text).toContain(`name="token" value="${token}"`);
      }
      const notUtf8 = await rawPost(
        request.agent(testApp.server),
        '/password/forgot',
        '/password/reset',
        `token=${token}&password=caf%E9+au+lait+%FF+long`,
      );
      expect(notUtf8.status).toBe(422);
      expect(notUtf8.text).toContain('Password contains characters that are not valid text');
      const before = await passwordHashOf('vera@contoso.test');

      const submit = await resetForm(token);
      const reset = await submit(NEW_PASSWORD);
      expect(reset.status).toBe(303);
      expect(reset.headers.location).toBe('/login');
      expect((await session.get('/')).headers.location).toMatch(/^\/login/);
      expect(await passwordHashOf('vera@contoso.test')).not.toBe(before);
      expect((await signIn(testApp, 'vera@contoso.test', NEW_PASSWORD)).response.status).toBe(303);
      expect((await nthMailTo('vera@contoso.test', 2)).subject).toBe('Your MCA Manager password was changed');
      const [used] = await auditEvents(testApp, 'user.password_reset_used');
      expect(used).toMatchObject({ actor_type: 'user', actor_label: 'vera@contoso.test', broker_id: brokerId });

      // Used once: the page and a replayed form both say so, and nothing changes.
      const after = await passwordHashOf('vera@contoso.test');
      const reused = await request(testApp.server).get(`/password/reset/${token}`);
      expect(reused.status).toBe(410);
      expect(reused.text).toContain('This password reset link was already used.');
      expect(reused.text).toContain('href="/password/forgot"');
      const replay = await submit(NEW_PASSWORD);
      expect(replay.status).toBe(410);
      expect(replay.text).toContain('This password reset link was already used.');
      expect(await passwordHashOf('vera@contoso.test')).toBe(after);
    });

    it('should refuse an expired, a superseded or a made-up link, changing nothing', async () => {
      await forgot('otto@contoso.test');
      const first = tokenIn(await nthMailTo('otto@contoso.test', 2));
      await forgot('otto@contoso.test');
      const second = tokenIn(await nthMailTo('otto@contoso.test', 3));
      expect((await request(testApp.server).get(`/password/reset/${first}`)).text).toContain(
        'This password reset link is not valid.',
      );

      const past = sql().dialect.encodeTimestamp(new Date(Date.now() - 60_000));
      await sql().transaction(
        (tx) => tx.query`UPDATE password_reset_tokens SET expires_at = ${past} WHERE used_at IS NULL`,
      );
      const before = await passwordHashOf('otto@contoso.test');
      const expired = await request(testApp.server).get(`/password/reset/${second}`);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('This password reset link has expired: links are valid for 30 minutes.');
      expect((await resetWith(second, NEW_PASSWORD + '!')).status).toBe(410);

      for (const token of ['x', 'A'.repeat(43), '%3Cscript%3E', 'A'.repeat(5000)]) {
        const page = await request(testApp.server).get(`/password/reset/${token}`);
        expect(page.status).toBe(410);
        expect(page.text).toContain('This password reset link is not valid.');
      }
      // Bytes that are not UTF-8 cannot even be read as a path.
      expect((await request(testApp.server).get('/password/reset/%FF%FE')).status).toBe(400);
      const noToken = await postForm(request.agent(testApp.server), '/password/forgot', '/password/reset', {
        password: NEW_PASSWORD,
      });
      expect(noToken.status).toBe(422);
      expect(noToken.text).toContain('This password reset link is not valid.');
      expect(await passwordHashOf('otto@contoso.test')).toBe(before);
    });

    it('should send at most three emails an hour to one address, with the same answer', async () => {
      // Otto has asked twice already.
      expect((await forgot('otto@contoso.test')).status).toBe(303);
      await nthMailTo('otto@contoso.test', 4);
      expect((await forgot('otto@contoso.test')).status).toBe(303);
      // A mail to another address is sent after the refused one would have been: the queue was not just slow.
      await forgot('ada@contoso.test');
      await nthMailTo('ada@contoso.test', 1);
      expect(await mailsTo('otto@contoso.test')).toHaveLength(4);
    });
  });

  describe('Reset link sent by an admin', () => {
    it('should let an admin send a user a reset link from the Users page', async () => {
      const users = await admin.get('/users');
      const otto = (await sql().query<{ id: number }>`SELECT id FROM users WHERE email = ${'otto@contoso.test'}`)[0];
      expect(users.text).toContain(`action="/users/${otto.id}/password-reset"`);
      const sent = await postForm(admin, '/users', `/users/${otto.id}/password-reset`, {});
      expect(sent.status).toBe(303);
      expect(sent.headers.location).toBe('/users');
      expect((await admin.get('/users')).text).toContain('A password reset link was sent to Otto Operator');
      const mail = await nthMailTo('otto@contoso.test', 5);
      expect(mail.text).toContain('An administrator of your organisation sent you this link');
      expect((await request(testApp.server).get(`/password/reset/${tokenIn(mail)}`)).status).toBe(200);
      const [event] = await auditEvents(testApp, 'user.password_reset_link_sent');
      expect(event).toMatchObject({ actor_type: 'user', actor_label: 'ada@contoso.test', subject_id: String(otto.id) });
    });

    it("should refuse a non-admin, another broker's user and a deactivated user", async () => {
      const viewer = (await signIn(testApp, 'vera@contoso.test', NEW_PASSWORD)).agent;
      const otto = (await sql().query<{ id: number }>`SELECT id FROM users WHERE email = ${'otto@contoso.test'}`)[0];
      expect((await postForm(viewer, '/', `/users/${otto.id}/password-reset`, {})).status).toBe(403);

      const elsewhere = await createUser(testApp, await createBroker(testApp, 'Fabrikam'), 'fay@fabrikam.test');
      expect((await postForm(admin, '/users', `/users/${elsewhere.id}/password-reset`, {})).status).toBe(404);

      const gone = await createUser(testApp, brokerId, 'gone@contoso.test', 'viewer', 'Gone User');
      expect((await postForm(admin, '/users', `/users/${gone.id}/deactivate`, {})).status).toBe(303);
      const refused = await postForm(admin, '/users', `/users/${gone.id}/password-reset`, {});
      expect(refused.status).toBe(303);
      expect((await admin.get('/users')).text).toContain('Gone User is deactivated');
      expect(await mailsTo('fay@fabrikam.test')).toHaveLength(0);
      expect(await mailsTo('gone@contoso.test')).toHaveLength(0);
    });
  });
});

describe('Forgot password requests from one address', () => {
  it('should be limited, with a Retry-After and the wait on the page', async () => {
    const testApp = await createTestApp();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++)
        statuses.push(
          (
            await postForm(request.agent(testApp.server), '/password/forgot', '/password/forgot', {
              email: `someone${i}@contoso.test`,
            })
          ).status,
        );
      expect(statuses.slice(0, 20).every((status) => status === 303)).toBe(true);
      expect(statuses[20]).toBe(429);
      const limited = await postForm(request.agent(testApp.server), '/password/forgot', '/password/forgot', {
        email: 'someone@contoso.test',
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3500);
      expect(limited.text).toContain(
        'Too many password reset requests from your network address. Try again in 60 minutes.',
      );
    } finally {
      await testApp.close();
    }
  });
});
