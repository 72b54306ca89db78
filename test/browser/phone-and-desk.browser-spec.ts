import type { Locator, Page } from 'playwright-core';
import { JAVASCRIPT_MODES, signInWithBrowser, startTestApp, useBrowserSuite } from '../support/browser';
import { createUser, DEFAULT_PASSWORD, setUpFirstAdmin } from '../support/http';
import { brokerIdOf, seedTenants } from '../support/tenants';

const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };
const SHOTS = process.env.SCREENSHOT_DIR;

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${locator.toString()} is not shown`);
  return found;
}

async function expectInsideViewport(page: Page, locator: Locator): Promise<void> {
  const { x, y, width, height } = await box(locator);
  const viewport = page.viewportSize() ?? PHONE;
  expect(x).toBeGreaterThanOrEqual(0);
  expect(x + width).toBeLessThanOrEqual(viewport.width);
  expect(y).toBeGreaterThanOrEqual(0);
  expect(y + height).toBeLessThanOrEqual(viewport.height);
}

// The lines each text takes: its height over its line height, all read in one step in the page (the list's
// refresh may swap the rows between two steps of a test). (This project's TypeScript has no DOM types: the page
// functions reach the window through globalThis, or are written as strings.)
async function lineCounts(locator: Locator): Promise<number[]> {
  return locator.evaluateAll((elements) => {
    const { getComputedStyle } = globalThis as unknown as {
      getComputedStyle(target: unknown): { lineHeight: string; fontSize: string };
    };
    return elements.map((element) => {
      const style = getComputedStyle(element);
      const lineHeight =
        style.lineHeight === 'normal' ? parseFloat(style.fontSize) * 1.2 : parseFloat(style.lineHeight);
      const { height } = (
        element as unknown as { getBoundingClientRect(): { height: number } }
      ).getBoundingClientRect();
      return Math.round(height / lineHeight);
    });
  });
}

interface ContrastFailure {
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

// Every visible text of the page against the background it is drawn on (the backgrounds of its ancestors, blended),
// with WCAG's thresholds: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
async function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  return (await page.evaluate(`(() => {
    const canvas = document.createElement('canvas').getContext('2d');
    const rgba = (color) => {
      canvas.clearRect(0, 0, 1, 1);
      canvas.fillStyle = '#000';
      canvas.fillStyle = color;
      canvas.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = canvas.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top, bottom) => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
    };
    const luminance = ([r, g, b]) => {
      const [R, G, B] = [r, g, b].map((c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const backgroundOf = (element) => {
      const layers = [];
      for (let node = element; node; node = node.parentElement) {
        const layer = rgba(getComputedStyle(node).backgroundColor);
        if (layer[3] > 0) layers.push(layer);
        if (layer[3] === 1) break;
      }
      let result = [255, 255, 255, 1];
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const failures = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || !(node.textContent || '').trim()) continue;
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (
        rect.width <= 1 ||
        rect.height <= 1 ||
        style.visibility === 'hidden' ||
        element.closest('[hidden], svg, option')
      )
        continue;
      const background = backgroundOf(element);
      const color = over(rgba(style.color), background);
      const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      const ratio = Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed)
        failures.push({
          text: node.textContent.trim().slice(0, 40),
          ratio,
          needed,
          color: style.color,
          background: 'rgb(' + background.slice(0, 3).join(', ') + ')',
        });
    }
    return failures;
  })()`)) as ContrastFailure[];
}

describe.each(JAVASCRIPT_MODES)('The list on a phone and on a desk, with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after);
    await setUpFirstAdmin(testApp, { name: 'Ada Admin' });
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    // Three users: the third row of the Users page is a striped one, with "Never" in muted grey on it.
    await createUser(testApp, brokerId, 'bea@contoso.test', 'viewer', 'Bea Before');
    await createUser(testApp, brokerId, 'nora@contoso.test', 'viewer', 'Nora Never');
    await seedTenants(testApp, brokerId, [
      {
        name: 'Alpine Ski House International Holdings',
        status: 'pending',
        domain: 'alpineskihouseholdings.onmicrosoft.com',
      },
      { name: 'Coho Winery', status: 'direct', domain: 'cohowinery-northamerica.onmicrosoft.com' },
      { name: 'Fabrikam', status: 'attested' },
      ...Array.from({ length: 30 }, (_, i) => ({
        name: `Customer ${i + 1}`,
        status: (['none', 'pending', 'direct', 'attested'] as const)[i % 4],
      })),
    ]);
    return testApp;
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS)
      await page.screenshot({ path: `${SHOTS}/${name}-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: false });
  };

  it('should fit a phone: the header, who is signed in, the first tenant and the row menus inside the screen', async () => {
    const { page, consoleErrors, context } = await suite.open({
      javaScriptEnabled,
      viewport: PHONE,
      signInAs: 'ada@contoso.test',
    });
    await page.goto('/mca');
    await shot(page, 'phone-mca');

    const header = await box(page.locator('.app-header'));
    expect(header.height).toBeLessThan(PHONE.height / 4);
    await expectInsideViewport(page, page.locator('.app-header').getByText('Ada Admin'));
    await expectInsideViewport(page, page.locator('.mca-table tbody tr').first().locator('.tenant-name'));

    const rows = page.locator('.mca-table tbody tr');
    const firstMenu = rows.nth(0).locator('.row-menu');
    const secondMenu = rows.nth(1).locator('.row-menu');
    await firstMenu.locator('summary').click();
    await expect(firstMenu.locator('ul').isVisible()).resolves.toBe(true);
    await firstMenu.locator('ul').scrollIntoViewIfNeeded();
    await shot(page, 'phone-menu');
    await expectInsideViewport(page, firstMenu.locator('ul'));

    // One click on another row's button opens its menu and closes the first. Without JavaScript, Pico's layer
    // behind an open menu takes that click to close it; a second click opens the other.
    // A click where a person would click: Pico's layer may lie over the button.
    const secondButton = await box(secondMenu.locator('summary'));
    await page.mouse.click(secondButton.x + secondButton.width / 2, secondButton.y + secondButton.height / 2);
    if (!javaScriptEnabled) {
      await expect(firstMenu.locator('ul').isVisible()).resolves.toBe(false);
      await secondMenu.locator('summary').click();
    }
    await expect(secondMenu.locator('ul').isVisible()).resolves.toBe(true);
    await expect(firstMenu.locator('ul').isVisible()).resolves.toBe(false);
    await secondMenu.locator('ul').scrollIntoViewIfNeeded();
    await expectInsideViewport(page, secondMenu.locator('ul'));

    // Signing out from the phone's header removes the signed-in session's cookie from the browser (the sign-in
    // page then starts an anonymous one of its own for its form).
    await page.reload();
    const sessionCookie = async () => (await context.cookies()).find((cookie) => cookie.name === 'mca.sid')?.value;
    const signedIn = await sessionCookie();
    expect(signedIn).toBeDefined();
    const signOut = page.waitForResponse((response) => response.url().endsWith('/logout'));
    await page.locator('.app-header').getByRole('button', { name: 'Sign out' }).click();
    expect(await (await signOut).headerValue('set-cookie')).toMatch(/^mca\.sid=;.*Expires=Thu, 01 Jan 1970/);
    await page.waitForURL(/\/login$/);
    expect(await sessionCookie()).not.toBe(signedIn);
    expect(consoleErrors).toEqual([]);
  });

  it('should keep the header short, the Status column on one line and domains whole on a desk', async () => {
    const { page, consoleErrors } = await suite.open({
      javaScriptEnabled,
      viewport: DESK,
      signInAs: 'ada@contoso.test',
    });
    await page.goto('/mca');
    await shot(page, 'desk-mca');
    // An admin's header in one row: the links (the admin's pages behind one menu) beside who is signed in.
    const links = await box(page.locator('.app-nav'));
    const account = await box(page.locator('.app-account'));
    expect(Math.abs(links.y + links.height / 2 - (account.y + account.height / 2))).toBeLessThan(10);
    expect((await box(page.locator('.app-header'))).height).toBeLessThan(DESK.height / 6);
    await page.locator('.mca-table tbody tr').nth(3).scrollIntoViewIfNeeded();
    await shot(page, 'desk-table');
    const statuses = await lineCounts(page.locator('.mca-table .status'));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((lines) => lines === 1)).toBe(true);
    const domains = await lineCounts(page.locator('.mca-table .tenant-domain'));
    expect(domains.length).toBeGreaterThan(0);
    expect(domains.every((lines) => lines === 1)).toBe(true);
    const table = await box(page.locator('.mca-table'));
    expect(table.x + table.width).toBeLessThanOrEqual(DESK.width);

    const menu = page.locator('.mca-table tbody tr').first().locator('.row-menu');
    await menu.locator('summary').click();
    await expectInsideViewport(page, menu.locator('ul'));
    expect(consoleErrors).toEqual([]);
  });

  it('should apply a new rows-per-page choice with its own button', async () => {
    const { page } = await suite.open({ javaScriptEnabled, viewport: PHONE, signInAs: 'ada@contoso.test' });
    await page.goto('/mca');
    await page.getByLabel('Rows per page').selectOption('10');
    if (javaScriptEnabled) {
      await expect(page.getByRole('button', { name: 'Apply' }).isVisible()).resolves.toBe(false);
    } else {
      await page.getByRole('button', { name: 'Apply' }).click();
    }
    await page.waitForURL(/size=10/);
    await page.locator('.mca-table tbody tr').nth(9).waitFor();
    await expect(page.locator('.mca-table tbody tr').count()).resolves.toBe(10);
  });

  if (javaScriptEnabled) {
    it.each([
      ['/mca', PHONE],
      ['/mca', DESK],
      ['/users', DESK],
      ['/users', PHONE],
      ['/', PHONE],
      ['/settings/partner-center', DESK],
    ])('should give every text of %s at %o AA contrast, light and dark', async (path, viewport) => {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, context } = await suite.open({ javaScriptEnabled, viewport });
        await page.emulateMedia({ colorScheme });
        await signInWithBrowser(page, suite.app.baseUrl, 'ada@contoso.test', DEFAULT_PASSWORD);
        await page.goto(path);
        await expect(contrastFailures(page)).resolves.toEqual([]);
        await context.close();
      }
    });
  }
});
