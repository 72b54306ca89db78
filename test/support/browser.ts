import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Debian's Chromium, headless, with the flags this machine needs (no sandbox as root, no background network).
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  // Messages the page logged as errors, including Content-Security-Policy violations.
  consoleErrors: string[];
}

export async function openSession(
  browser: Browser,
  baseURL: string,
  options: { javaScriptEnabled: boolean; viewport?: { width: number; height: number }; timezoneId?: string },
): Promise<BrowserSession> {
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled: options.javaScriptEnabled,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    timezoneId: options.timezoneId,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return { context, page, consoleErrors };
}

export async function signInWithBrowser(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${baseUrl}/`);
}

// Both modes run the same tasks: with JavaScript (htmx enhances) and without (plain forms and links).
export const JAVASCRIPT_MODES = [
  { name: 'JavaScript on', javaScriptEnabled: true },
  { name: 'JavaScript off', javaScriptEnabled: false },
] as const;

// An admin's page, opened as a person does: the header's Administration menu, then the page's link.
export async function openAdminPage(page: Page, name: string): Promise<void> {
  await page.locator('.app-header').getByText('Administration', { exact: true }).click();
  await page.locator('.app-header').getByRole('link', { name, exact: true }).click();
}
