import { expect, test, type Page, type Request } from '@playwright/test';
import { jsonpath, kubectl } from './kube';

// The Traffic page is kept current by the event stream (/api/events), not by polling: a change
// made with kubectl shows without the page asking for it, and an idle page hardly asks anything.
const NAMESPACE = 'ai-nutritionist';
const VS = 'ai-coach-service-ab-test';
const ROUTE = 2; // ab-test: algorithm-a / algorithm-b, 50 / 50
const weight = (page: Page, subset: string) => page.getByRole('slider', { name: `Weight of ai-coach-service ${subset} in ${VS} route ab-test` });

const setWeights = (a: number, b: number) =>
  kubectl(
    'patch',
    'virtualservice',
    VS,
    '-n',
    NAMESPACE,
    '--type=json',
    `-p=[{"op":"replace","path":"/spec/http/${ROUTE}/route/0/weight","value":${a}},{"op":"replace","path":"/spec/http/${ROUTE}/route/1/weight","value":${b}}]`,
  );

const isStream = (request: Request) => request.resourceType() === 'eventsource' || new URL(request.url()).pathname === '/api/events';

/** Every request the page makes from now on, the event stream's included. */
function record(page: Page) {
  const requests: { at: number; request: Request }[] = [];
  page.on('request', (request) => requests.push({ at: Date.now(), request }));
  return requests;
}

/** Opens the Traffic page and waits until its stream carries the Traffic list. */
async function openTraffic(page: Page) {
  const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' && r.url().includes(encodeURIComponent(`traffic:${NAMESPACE}`)));
  await page.goto(`/traffic?namespace=${NAMESPACE}`);
  await expect(weight(page, 'algorithm-a')).toHaveAttribute('aria-valuenow', '50');
  expect((await streaming).status()).toBe(200);
}

test.describe('pushed updates', () => {
  // Each test starts from the split the sample mesh ships with, and leaves it so.
  test.beforeEach(() => setWeights(50, 50));
  test.afterAll(() => setWeights(50, 50));

  test('a weight changed with kubectl shows on the Traffic page with no request for it', async ({ page }) => {
    const requests = record(page);
    await openTraffic(page);
    const loaded = requests.length;

    setWeights(70, 30);
    expect(jsonpath('virtualservice', VS, `.spec.http[${ROUTE}].route[*].weight`)).toBe('70 30');
    await expect(weight(page, 'algorithm-a')).toHaveAttribute('aria-valuenow', '70', { timeout: 5000 });
    await expect(weight(page, 'algorithm-b')).toHaveAttribute('aria-valuenow', '30');

    // Next may prefetch the other pages' code meanwhile; no API request but the stream's is made.
    const api = requests
      .slice(loaded)
      .map(({ request }) => `${request.method()} ${new URL(request.url()).pathname}`)
      .filter((r) => r.includes(' /api/'));
    expect(api.filter((r) => r.startsWith('GET /api/traffic'))).toEqual([]);
    expect(api.filter((r) => !r.endsWith(' /api/events'))).toEqual([]);
  });

  test('an idle Traffic page makes at most 2 requests a minute besides the event stream', async ({ page }) => {
    test.setTimeout(90_000);
    const requests = record(page);
    await openTraffic(page);
    await page.waitForTimeout(3000); // the first load settles
    const from = Date.now();
    const seconds = 30;
    await page.waitForTimeout(seconds * 1000);
    const idle = requests.filter(({ at, request }) => at >= from && !isStream(request)).map(({ request }) => request.url());
    const perMinute = (idle.length * 60) / seconds;
    test.info().annotations.push({ type: 'idle requests per minute', description: `${perMinute} (${idle.join(', ') || 'none'})` });
    expect(perMinute, idle.join('\n')).toBeLessThanOrEqual(2);
  });
});
