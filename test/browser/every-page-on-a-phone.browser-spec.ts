import type { Page } from 'playwright-core';
import { tourApp, type AppTour } from '../support/app-tour';
import { JAVASCRIPT_MODES, useBrowserSuite } from '../support/browser';
import { fillPath, routesOf } from '../support/routes';

const PHONE = { width: 390, height: 844 };
// Routes that answer with a file, JSON or a probe, not a page a person reads.
const NOT_PAGES = new Set([
  '/healthz',
  '/reports/:id/download',
  '/attestation-batches/template',
  '/tenants/:tenantId/attestation/record.json',
  '/attestation-batches/:id/results.csv',
  '/attestation-batches/:id/results.xlsx',
]);

interface Overflow {
  path: string;
  scrollWidth: number;
  widest: string[];
}

// The page's width, and the elements that reach past the screen's right edge (the deepest ones name the cause).
async function overflowOf(page: Page, path: string): Promise<Overflow | undefined> {
  const found = (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const widest = [...document.body.querySelectorAll('*')]
      .filter((element) => element.getBoundingClientRect().right > width + 0.5)
      .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > width + 0.5))
      .slice(0, 5)
      .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).trim().replace(/\\s+/g, '.') : '') + ' ' + Math.round(element.getBoundingClientRect().right) + 'px');
    return { scrollWidth: document.documentElement.scrollWidth, widest };
  })()`)) as Omit<Overflow, 'path'>;
  return found.scrollWidth > PHONE.width ? { path, ...found } : undefined;
}

// Every page of the app, found in its route table, opened on a 390 px phone: none scrolls sideways.
describe.each(JAVASCRIPT_MODES)('Every page on a phone, with $name', ({ javaScriptEnabled }) => {
  let tour: AppTour;
  const suite = useBrowserSuite(async (after) => {
    tour = await tourApp();
    after(() => tour.testApp.close());
    return tour.testApp;
  });

  const pagePaths = () =>
    routesOf(tour.testApp)
      .filter((route) => route.method === 'GET' && !NOT_PAGES.has(route.path))
      .map((route) => fillPath(route.path, tour.pathValues(route.path)));

  it.each([
    ['signed in as an admin', true],
    ['signed out', false],
  ])('should fit every page %s into 390 px without sideways scrolling', async (_, signedIn) => {
    const { page, consoleErrors } = await suite.open({
      javaScriptEnabled,
      viewport: PHONE,
      signInAs: signedIn ? 'ada@contoso.test' : undefined,
    });
    const paths = pagePaths();
    expect(paths.length).toBeGreaterThan(30);
    const overflows: Overflow[] = [];
    // The pages' own status (a 404 or 410 page is a page) is Chromium's console error too; a style sheet, script or
    // image that fails is a defect.
    const failedResources: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'document' && response.status() >= 400)
        failedResources.push(`${response.status()} ${response.url()}`);
    });
    for (const path of paths) {
      const response = await page.goto(path);
      expect([path, (response?.status() ?? 0) < 500]).toEqual([path, true]);
      const overflow = await overflowOf(page, path);
      if (overflow) overflows.push(overflow);
    }
    expect(overflows).toEqual([]);
    expect(failedResources).toEqual([]);
    expect(consoleErrors.filter((message) => !message.startsWith('Failed to load resource'))).toEqual([]);
  });
});
