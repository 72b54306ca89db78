import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from './http';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Debian's Chromium, headless, with the flags this machine needs (no sandbox as root, no background network).
function launchBrowser(): Promise<Browser> {
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

async function openSession(
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

type Teardown = (close: () => Promise<unknown>) => void;

export interface SessionOptions {
  javaScriptEnabled: boolean;
  viewport?: { width: number; height: number };
  timezoneId?: string;
  // Signed in through the sign-in page (with the tests' one password) before the session is handed over.
  signInAs?: string;
}

export interface BrowserSuite<T extends { baseUrl: string }> {
  // What `start` returned: the app the browser visits.
  readonly app: T;
  // A new session (its own cookies) on the app, closed when the test ends.
  open(options: SessionOptions): Promise<BrowserSession>;
}

// The one setup and teardown of a browser spec, called in its describe block: Chromium and the app (`start`) before
// the block's tests, every session a test opened closed after that test, and, after the block, Chromium, then what
// `start` gave to `after`, last first; so a test or a setup that fails half-way leaves nothing running.
export function useBrowserSuite<T extends { baseUrl: string }>(
  start: (after: Teardown) => Promise<T>,
): BrowserSuite<T> {
  let browser: Browser | undefined;
  let app: T | undefined;
  const teardowns: (() => Promise<unknown>)[] = [];
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
    app = await start((close) => teardowns.unshift(close));
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    for (const close of teardowns.splice(0)) await close();
  });
  const started = <V>(value: V | undefined): V => {
    if (value === undefined) throw new Error('The browser suite has not started: use it inside a test');
    return value;
  };
  return {
    get app() {
      return started(app);
    },
    async open({ signInAs, ...options }) {
      const { baseUrl } = started(app);
      const session = await openSession(started(browser), baseUrl, options);
      contexts.push(session.context);
      if (signInAs) await signInWithBrowser(session.page, baseUrl, signInAs, DEFAULT_PASSWORD);
      return session;
    },
  };
}

// The app of most browser specs: in this process, listening on a free port, closed after the block.
export async function startTestApp(after: Teardown, options: Omit<TestAppOptions, 'listen'> = {}): Promise<TestApp> {
  const testApp = await createTestApp({ ...options, listen: true });
  after(() => testApp.close());
  return testApp;
}
