// Chromium for the scripts that look at the dashboard as a browser does (bench:ui, screenshots):
// Debian's Chromium (CHROMIUM_PATH to use another), kept off the network, signed in by cookie.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { check, signIn } from './bench-support.ts';

// As playwright.config.ts launches it for the e2e suite.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });

/** A browser context signed in as a demo user: next-auth's session cookie, got through its credentials flow. */
export async function signedInContext(browser: Browser, base: string, user: 'viewer' | 'operator' | 'admin', options: BrowserContextOptions = {}) {
  const cookies = (await signIn(base, user)).split('; ').map((pair) => {
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: base };
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addCookies(cookies);
  return context;
}

/** JS heap in use (MB) after a full garbage collection, as DevTools' Performance panel reads it. */
export async function heapMb(context: BrowserContext, page: Page): Promise<number> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
  check(used, 'Chromium reported no JSHeapUsedSize');
  return used / 1e6;
}
