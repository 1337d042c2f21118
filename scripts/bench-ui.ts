// `npm run bench:ui`: the Traffic page in Chromium on the large cluster of issue 16 (10,000
// VirtualServices and 10,000 DestinationRules in 200 namespaces) through the production
// dashboard, signed in as operator: navigation → first slider visible (all namespaces and one,
// on a warm server: the median after a warm-up load), DOM nodes, JS heap after a GC, the frame
// rate while the table scrolls, a keyboard step on a slider → its aria-valuenow, requests per
// minute from an idle page (the event stream aside), and every page's first-load JS from the
// build (gzip). A table of figures against their targets, and reports/bench-ui.json.
// Quick mode (BENCH_QUICK=1, CI): a small cluster and short windows; targets are not judged.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page, Request } from '@playwright/test';
import { findPrometheus, startPrometheus } from '../sandbox/prometheus.ts';
import {
  adopt,
  check,
  fetchOk,
  percentile,
  portFrom,
  QUICK,
  report,
  root,
  SCALE_SIZE,
  SCALE_SIZE_QUICK,
  signIn,
  sized,
  sleep,
  startDashboard,
  startScaleSandbox,
  tempDir,
  within,
} from './bench-support.ts';
import { heapMb, launchChromium, signedInContext } from './chromium.ts';
import { pages } from '../lib/navigation.ts';

const SIZE = sized(SCALE_SIZE, SCALE_SIZE_QUICK);
const LOADS = sized(5, 3); // measured loads of each view, after one warm-up load
const KEY_STEPS = sized(10, 5);
const SCROLL_MS = sized(2000, 1000);
const IDLE_S = sized(60, 10);
const SETTLE_MS = sized(3000, 1000); // after the first slider, before counting nodes or requests
const LOAD_TIMEOUT_S = 180; // a page that shows no slider by then is broken, not slow
const ONE_NAMESPACE = 'bench-1';
// Every page of the navigation (a new page is measured without a change here), and sign-in.
const PAGES = [...pages.map((page) => page.href), '/signin'];
const EVENT_STREAM = '/api/events';

// ── In the page (serialised into it: no references outside each function) ──────────────────

/** From the document's start: records on `window.firstSliderMs` the frame in which a slider is first in view. */
function watchFirstSlider() {
  const probe = window as unknown as { firstSliderMs?: number };
  const look = () => {
    for (const slider of document.querySelectorAll('[role="slider"]')) {
      const box = slider.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight) {
        probe.firstSliderMs = performance.now(); // since navigation start
        return;
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

/** Scrolls the table's scroll container (or the document) 100 px a frame for `durationMs`, turning at the ends; counts frames. */
function scrollFrames(durationMs: number) {
  const target = document.querySelector('[role="table"] [data-scroll], [role="table"][data-scroll], [data-scroll]') ?? document.scrollingElement!;
  const container = target === document.scrollingElement ? 'document' : '[data-scroll]';
  const travel = target.scrollHeight - target.clientHeight;
  return new Promise<{ container: string; travel: number; frames: number; seconds: number; longestFrameMs: number }>((resolve) => {
    const times: number[] = [];
    let direction = 1;
    const frame = (now: number) => {
      times.push(now);
      if (now - times[0]! >= durationMs || travel <= 0) {
        const gaps = times.slice(1).map((t, i) => t - times[i]!);
        resolve({ container, travel, frames: times.length - 1, seconds: (now - times[0]!) / 1000, longestFrameMs: Math.max(0, ...gaps) });
        return;
      }
      if (target.scrollTop >= travel - 1) direction = -1;
      else if (target.scrollTop <= 0) direction = 1;
      target.scrollTop += direction * 100;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/**
 * Arms `window.keyStep` for the focused slider: from the key's keydown to the change of its
 * aria-valuenow, and to the end of the frame that shows it (a message posted from the frame's
 * requestAnimationFrame arrives after its style, layout and paint).
 */
function armKeyStep() {
  const slider = document.activeElement;
  if (slider?.getAttribute('role') !== 'slider') throw new Error(`the focus is on ${slider?.tagName ?? 'nothing'}, not a slider`);
  const before = slider.getAttribute('aria-valuenow');
  (window as unknown as { keyStep: Promise<{ updateMs: number; paintMs: number }> }).keyStep = new Promise((resolve, reject) => {
    let pressed = 0;
    addEventListener('keydown', (event) => (pressed = event.timeStamp), { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (!pressed || slider.getAttribute('aria-valuenow') === before) return;
      observer.disconnect();
      const updated = performance.now();
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve({ updateMs: updated - pressed, paintMs: performance.now() - pressed });
        channel.port2.postMessage(null);
      });
    });
    observer.observe(slider, { attributes: true, attributeFilter: ['aria-valuenow'] });
    setTimeout(() => {
      observer.disconnect();
      reject(new Error(`aria-valuenow stayed ${before} for 10 s after the key`));
    }, 10_000);
  });
}

// ── In the bench ─────────────────────────────────────────────────────────────────────────────

/** Milliseconds from navigation start to the first slider in view. */
async function timeToSlider(page: Page, path: string): Promise<number> {
  await page.goto(path, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_S * 1000 });
  const shown = page.waitForFunction(() => (window as unknown as { firstSliderMs?: number }).firstSliderMs, undefined, { polling: 100, timeout: 0 });
  return (await (await within(LOAD_TIMEOUT_S, `a slider in view on ${path}`, shown)).jsonValue()) as number;
}

interface View {
  sliderMs: number;
  samplesMs: number[];
  domNodes: number;
  heapMb: number;
}
async function measureView(context: BrowserContext, page: Page, path: string): Promise<View> {
  console.info(`bench: ${path}: warm-up load, then ${LOADS} measured loads`);
  await timeToSlider(page, path);
  const samplesMs: number[] = [];
  for (let i = 0; i < LOADS; i++) samplesMs.push(await timeToSlider(page, path));
  await sleep(SETTLE_MS);
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { sliderMs: percentile(samplesMs, 50), samplesMs, domNodes, heapMb: await heapMb(context, page) };
}

async function keyStepsMs(page: Page): Promise<{ updateMs: number[]; paintMs: number[] }> {
  const slider = page.getByRole('slider', { disabled: false }).first();
  await slider.focus();
  const [now, max] = await Promise.all([slider.getAttribute('aria-valuenow'), slider.getAttribute('aria-valuemax')]);
  const first = Number(now) < Number(max ?? 100) ? 'ArrowRight' : 'ArrowLeft';
  const second = first === 'ArrowRight' ? 'ArrowLeft' : 'ArrowRight';
  const steps = { updateMs: [] as number[], paintMs: [] as number[] };
  for (let i = 0; i < KEY_STEPS; i++) {
    await page.evaluate(armKeyStep);
    await page.keyboard.press(i % 2 ? second : first);
    const step = await page.evaluate(() => (window as unknown as { keyStep: Promise<{ updateMs: number; paintMs: number }> }).keyStep);
    steps.updateMs.push(step.updateMs);
    steps.paintMs.push(step.paintMs);
  }
  return steps;
}

/** Requests the page makes while nobody touches it, per minute, the event stream aside. */
async function idleRequests(page: Page): Promise<{ perMinute: number; paths: string[] }> {
  const paths: string[] = [];
  const seen = (request: Request) => {
    const { pathname, search } = new URL(request.url());
    if (request.resourceType() !== 'eventsource' && !pathname.startsWith(EVENT_STREAM)) paths.push(`${pathname}${search}`);
  };
  page.on('request', seen);
  await sleep(IDLE_S * 1000);
  page.off('request', seen);
  return { perMinute: (paths.length * 60) / IDLE_S, paths };
}

/** kB gzip of the scripts each page's HTML loads, read from the build (.next/static): what a first visit downloads before any lazy chunk. */
async function firstLoadJsKb(base: string, cookie: string): Promise<Record<string, number>> {
  const gzipped = new Map<string, number>();
  const sizes: Record<string, number> = {};
  for (const path of PAGES) {
    const html = await (await fetchOk(`${base}${path}`, { headers: path === '/signin' ? {} : { cookie }, redirect: 'error' })).text();
    // Every <script src> but the polyfills for old browsers (nomodule), which Chromium does not load.
    const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\bnomodule\b/i.test(tag));
    const sources = new Set(
      tags.flatMap((tag) => /\bsrc="([^"]+)"/.exec(tag)?.slice(1) ?? []).map((src) => new URL(src.replaceAll('&amp;', '&'), base).pathname),
    );
    check(sources.size > 0, `the HTML of ${path} loads no script`);
    let bytes = 0;
    for (const source of sources) {
      check(source.startsWith('/_next/static/'), `${path} loads ${source}, which is not a file of the build`);
      if (!gzipped.has(source)) gzipped.set(source, gzipSync(readFileSync(join(root, '.next/static', decodeURIComponent(source.slice(14))))).byteLength);
      bytes += gzipped.get(source)!;
    }
    sizes[path] = bytes / 1000;
  }
  return sizes;
}

// ── The run ──────────────────────────────────────────────────────────────────────────────────

const sandbox = await startScaleSandbox(tempDir('bench-ui'), SIZE);
// A Prometheus (scraping only itself) when one is installed: the page then polls its panels as
// it does in a real mesh, and those polls count as the idle page's requests.
let prometheusUrl: string | undefined;
if (findPrometheus()) {
  const port = await portFrom('BENCH_PROMETHEUS_PORT');
  const prometheus = await startPrometheus({ dir: tempDir('bench-ui-prometheus'), target: `127.0.0.1:${port}`, port, scrapeInterval: '5s' });
  adopt(prometheus.process);
  prometheusUrl = prometheus.url;
} else console.warn('bench: prometheus is not installed: the dashboard runs without it, so its panels make no requests');
const dashboard = await startDashboard({
  KUBECONFIG: sandbox.kubeconfig,
  MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard',
  ...(prometheusUrl ? { MESHDECK_PROMETHEUS_URL: prometheusUrl } : {}),
});
const browser = await launchChromium();
const context = await signedInContext(browser, dashboard.base, 'operator', { baseURL: dashboard.base });
await context.addInitScript(watchFirstSlider);
const page = await context.newPage();

const all = await measureView(context, page, '/traffic');
const scroll = await page.evaluate(scrollFrames, SCROLL_MS);
check(scroll.travel > 0, `nothing scrolls on /traffic with ${SIZE.virtualServices} VirtualServices (${scroll.container})`);
const fps = scroll.frames / scroll.seconds;
console.info(`bench: scrolled ${scroll.container} (${scroll.travel} px of travel): ${scroll.frames} frames in ${scroll.seconds.toFixed(2)} s`);
const keys = await keyStepsMs(page);
console.info(`bench: idle /traffic for ${IDLE_S} s`);
await timeToSlider(page, '/traffic');
await sleep(SETTLE_MS);
const idle = await idleRequests(page);
const one = await measureView(context, page, `/traffic?namespace=${ONE_NAMESPACE}`);
await browser.close();
const firstLoad = await firstLoadJsKb(dashboard.base, await signIn(dashboard.base, 'operator'));
const [heaviestPage, heaviestKb] = Object.entries(firstLoad).sort((a, b) => b[1] - a[1])[0]!;

interface Figure {
  figure: string;
  value: number;
  unit: string;
  target: number;
  /** The target is a ceiling (≤) or a floor (≥). */
  most: boolean;
}
const figures: Figure[] = [
  { figure: 'navigation → first slider, all namespaces', value: all.sliderMs, unit: 'ms', target: 1000, most: true },
  { figure: `navigation → first slider, one namespace`, value: one.sliderMs, unit: 'ms', target: 1000, most: true },
  { figure: 'DOM nodes, all namespaces', value: all.domNodes, unit: '', target: 5000, most: true },
  { figure: 'DOM nodes, one namespace', value: one.domNodes, unit: '', target: 5000, most: true },
  { figure: 'JS heap after GC, all namespaces', value: all.heapMb, unit: 'MB', target: 50, most: true },
  { figure: 'JS heap after GC, one namespace', value: one.heapMb, unit: 'MB', target: 50, most: true },
  { figure: 'scroll frame rate, all namespaces', value: fps, unit: 'fps', target: 50, most: false },
  { figure: 'keyboard step → aria-valuenow (median)', value: percentile(keys.updateMs, 50), unit: 'ms', target: 50, most: true },
  // The same target for the frame that shows the step: an update nobody sees for a second is no update.
  { figure: 'keyboard step → painted (median)', value: percentile(keys.paintMs, 50), unit: 'ms', target: 50, most: true },
  { figure: 'idle Traffic page, requests/min (event stream aside)', value: idle.perMinute, unit: '/min', target: 2, most: true },
  { figure: `first-load JS, heaviest page (${heaviestPage})`, value: heaviestKb, unit: 'kB gz', target: 250, most: true },
];
const judged = figures.map((f) => ({ ...f, withinTarget: f.most ? f.value <= f.target : f.value >= f.target }));

const format = (v: number) => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const width = Math.max(...judged.map((f) => f.figure.length));
console.info(
  `\nbench:ui: ${SIZE.virtualServices} VirtualServices, ${SIZE.destinationRules} DestinationRules in ${SIZE.namespaces} namespaces; Chromium, signed in as operator${QUICK ? ' (quick mode: targets not judged)' : ''}`,
);
for (const f of judged) {
  const line = `  ${f.figure.padEnd(width)}  ${`${format(f.value)} ${f.unit}`.padStart(12)}  target ${f.most ? '≤' : '≥'} ${f.target}${f.unit ? ` ${f.unit}` : ''}`;
  console.info(QUICK ? line : `${line.padEnd(width + 40)}${f.withinTarget ? 'pass' : 'FAIL'}`);
}
console.info(`  slider samples (ms): all namespaces ${all.samplesMs.map(format).join(', ')}; one namespace ${one.samplesMs.map(format).join(', ')}`);
console.info(
  `  first-load JS (kB gzip): ${Object.entries(firstLoad)
    .map(([p, kb]) => `${p} ${format(kb)}`)
    .join(', ')}`,
);
if (idle.paths.length) console.info(`  idle requests: ${[...new Set(idle.paths)].join(', ')}`);

const results = {
  size: SIZE,
  prometheus: Boolean(prometheusUrl),
  figures: judged,
  allWithinTarget: judged.every((f) => f.withinTarget),
  views: { allNamespaces: all, oneNamespace: { namespace: ONE_NAMESPACE, ...one } },
  scroll: { ...scroll, fps },
  keyStep: keys,
  idle: { seconds: IDLE_S, ...idle },
  firstLoadJsKb: firstLoad,
};
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(join(root, 'reports/bench-ui.json'), `${JSON.stringify({ quick: QUICK, ...results }, null, 2)}\n`);
report(results);
await dashboard.stop();
await sandbox.stop();
process.exit(0);
