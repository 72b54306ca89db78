import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ROOT, startAppProcess, stopAppProcess } from '../support/app-process';
import { JAVASCRIPT_MODES, useBrowserSuite } from '../support/browser';
import { DEFAULT_PASSWORD, postForm } from '../support/http';
import { eventually } from '../support/jobs';

const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };
const SHOTS = process.env.SCREENSHOT_DIR;
// The app runs as a process of its own (needs `npx nest build`) so that its clock can be set to a zone neither a
// constant nor the browsers below would give.
const SERVER_ZONE = 'Australia/Adelaide';
const LONG_ADDRESS = 'accounts-receivable.reporting@contoso-holdings-international.example';

const pageWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

describe.each(JAVASCRIPT_MODES)('Report and schedule pages with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite(async (after) => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = startAppProcess(join(ROOT, 'dist', 'main.js'), {
      PORT: String(port),
      TZ: SERVER_ZONE,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'mca-test-')),
      JOB_WORKER: 'off',
      LOGIN_LIMIT_PER_EMAIL: '1000',
    });
    after(() => stopAppProcess(app));
    await eventually(() =>
      fetch(`${baseUrl}/healthz`).then(
        (response) => (response.ok ? true : undefined),
        () => undefined,
      ),
    );
    const agent = request.agent(baseUrl);
    const setUp = await postForm(agent, '/setup', '/setup', {
      brokerName: 'Contoso Cloud',
      name: 'Ada Admin',
      email: 'ada@contoso.test',
      password: DEFAULT_PASSWORD,
    });
    expect(setUp.status).toBe(303);
    const allowed = await postForm(agent, '/settings/reports', '/settings/reports', {
      recipientDomains: 'contoso.test\ncontoso-holdings-international.example',
    });
    expect(allowed.status).toBe(303);
    for (const [name, frequency] of [
      ['Monthly to the board of Contoso Holdings International', 'monthly'],
      ['Weekly to sales', 'weekly'],
    ]) {
      const saved = await postForm(agent, '/reports/schedules/new', '/reports/schedules', {
        name,
        frequency,
        weekday: '3',
        dayOfMonth: '31',
        time: '07:00',
        timeZone: 'America/Argentina/ComodRivadavia',
        recipients: `${LONG_ADDRESS}\nboss@contoso.test`,
        format: 'xlsx',
        status: 'none',
      });
      expect(saved.status).toBe(303);
    }
    const requested = await postForm(agent, '/reports', '/reports', {
      email: LONG_ADDRESS,
      format: 'xlsx',
      scope: 'all',
    });
    expect(requested.status).toBe(303);
    return { baseUrl };
  });

  const signedIn = (options: { viewport?: typeof PHONE; timezoneId?: string } = {}) =>
    suite.open({ javaScriptEnabled, ...options, signInAs: 'ada@contoso.test' });

  const shot = async (page: Page, name: string) => {
    if (SHOTS)
      await page.screenshot({
        path: `${SHOTS}/${name}-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
        fullPage: true,
      });
  };

  it.each(['America/New_York', 'Asia/Tokyo'])(
    'should start a new schedule daily, in the browser zone %s with JavaScript and the server zone without',
    async (timezoneId) => {
      const { page, consoleErrors } = await signedIn({ timezoneId });
      await page.goto('/reports/schedules/new');
      await expect(page.getByLabel('Daily').isChecked()).resolves.toBe(true);
      const zone = page.getByLabel('Time zone');
      await expect(zone.inputValue()).resolves.toBe(javaScriptEnabled ? timezoneId : SERVER_ZONE);
      // The time is described without a clock the browser's own rendering of the field could contradict.
      await expect(page.locator('main').textContent()).resolves.not.toMatch(/24-hour|12-hour|\bAM\b|\bPM\b/);
      await expect(page.locator('#time').getAttribute('aria-describedby')).resolves.toBe('time-hint');
      await expect(page.locator('#time-hint').textContent()).resolves.toBe('The time of day, in the time zone below.');

      // Saved as shown; its edit form, and the form sent back with an error, keep the zone that was chosen.
      await page.getByLabel('Name').fill(`Daily in ${timezoneId}`);
      await page.getByLabel('Recipients').fill('ops@contoso.test');
      await page.getByRole('button', { name: 'Save schedule' }).click();
      await page.getByText(`The schedule “Daily in ${timezoneId}” is saved.`).waitFor();
      const row = page.locator('tr', { hasText: `Daily in ${timezoneId}` });
      await expect(row.textContent()).resolves.toContain(
        `Every day at 07:00 ${javaScriptEnabled ? timezoneId : SERVER_ZONE}`,
      );
      await row.getByRole('link', { name: /^Edit/ }).click();
      await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe(
        javaScriptEnabled ? timezoneId : SERVER_ZONE,
      );

      await page.goto('/reports/schedules/new');
      await page.getByLabel('Time zone').fill('Europe/Lisbon');
      await page.getByRole('button', { name: 'Save schedule' }).click();
      await page.locator('#name-error').waitFor();
      await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/Lisbon');
      expect(consoleErrors.filter((message) => !message.includes('status of 422'))).toEqual([]);
    },
  );

  it('should keep the report, recent report and schedule pages within a phone, and show one main heading', async () => {
    const { page, consoleErrors } = await signedIn({ viewport: PHONE });
    const expected: Record<string, string[]> = {
      '/reports': ['MCA reports'],
      '/reports/recent': ['Recent reports'],
      '/reports/schedules': ['Scheduled reports'],
      '/reports/schedules/new': ['New scheduled report'],
      '/settings/reports': ['Report recipients'],
    };
    const headings: Record<string, string[]> = {};
    const tooWide: Record<string, number> = {};
    for (const path of Object.keys(expected)) {
      await page.goto(path);
      await shot(page, `phone${path.replaceAll('/', '-')}`);
      const width = await pageWidth(page);
      if (width > PHONE.width) tooWide[path] = width;
      headings[path] = await page.locator('h1').allTextContents();
    }
    expect(tooWide).toEqual({});
    expect(headings).toEqual(expected);

    // The report form in the MCA page's dialog (JavaScript) or on its page (without).
    await page.goto('/mca');
    await page.locator('summary', { hasText: 'Reports menu' }).click();
    await page.getByRole(javaScriptEnabled ? 'menuitem' : 'link', { name: 'Generate MCA report' }).click();
    await page.getByLabel('Email address').waitFor();
    await page.locator('#recent-reports tbody tr').first().waitFor();
    await shot(page, 'phone-report-request');
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.width);
    await expect(page.locator('h1').count()).resolves.toBe(1);
    expect(consoleErrors).toEqual([]);
  });

  it('should lay the schedules and recent reports out as tables on a desk', async () => {
    const { page } = await signedIn({ viewport: DESK });
    for (const path of ['/reports/schedules', '/reports/recent']) {
      await page.goto(path);
      await shot(page, `desk${path.replaceAll('/', '-')}`);
      await expect(page.locator('thead').isVisible()).resolves.toBe(true);
      const cells = page.locator('tbody tr').first().locator('td');
      const [first, second] = [await cells.nth(0).boundingBox(), await cells.nth(1).boundingBox()];
      expect(second!.x).toBeGreaterThan(first!.x + first!.width - 1);
      expect(second!.y).toBe(first!.y);
    }
  });

  it.each([
    ['phone', PHONE],
    ['desk', DESK],
  ])('should say next to the field why a report or a domain is refused, within a %s', async (name, viewport) => {
    const { page, consoleErrors } = await signedIn({ viewport });
    await page.goto('/reports');
    await page.getByLabel('Email address').fill('tenants@evil.test');
    await page.getByRole('button', { name: 'Email me the report when ready' }).click();
    await expect(page.locator('#email-error').textContent()).resolves.toBe(
      'Reports go only to your own address (ada@contoso.test) or to an address at contoso.test, contoso-holdings-international.example.',
    );
    await expect(page.getByLabel('Email address').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot(page, `${name}-report-refused`);
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(viewport.width);

    await page.goto('/settings/reports');
    await page.getByLabel('Allowed domains').fill('contoso.test\n*.contoso.test');
    await page.getByRole('button', { name: 'Save domains' }).click();
    await expect(page.locator('#recipientDomains-error').textContent()).resolves.toContain(
      '*.contoso.test: no wildcards',
    );
    await shot(page, `${name}-report-settings`);
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(viewport.width);
    await expect(page.locator('h1').count()).resolves.toBe(1);
    expect(consoleErrors.filter((message) => !message.includes('status of 422'))).toEqual([]);
  });
});
