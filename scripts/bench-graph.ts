// `npm run bench:graph [-- --quick]`: the service graph (issue 18) on the real Prometheus, through
// the production dashboard. Two meshes, one after the other, each in a sandbox of its own running
// its simulated traffic, scraped by Debian's Prometheus (sandbox/prometheus.ts):
// - a generated mesh (sandbox/generate/mesh.ts: 1,000 workloads, 3,000 edges in 50 namespaces);
// - the seed mesh (the default sandbox and its traffic simulator).
// A counting proxy sits between the dashboard and Prometheus (MESHDECK_PROMETHEUS_URL → proxy →
// Prometheus), so the PromQL queries each /api/graph request issues are counted independently of
// the route's own `queries`. For each mesh: /api/graph p50/p95 (all namespaces, window 1m,
// groupBy version; requests spaced past the route's 5 s sharing of a reading, so each reads
// Prometheus; back-to-back shared answers reported apart) and queries per request; in Chromium,
// navigation → the graph drawn (the page's `meshdeck:graph-drawn` mark, median of cold loads after
// a warm-up one), the frame rate while the canvas is dragged and wheeled, the JS heap after
// drawing. On the seed mesh, every edge's rate against its own PromQL run directly at the route's
// evaluation time (the `time` it sends), within 2 %.
// A table of figures against their targets, where the time goes, and reports/bench-graph.json.
// Exits non-zero when a step breaks; a missed target is reported, not fatal.
// Quick mode (`--quick`, or BENCH_QUICK=1 as CI runs it): a small generated mesh, few samples.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { errorShare, type GraphEdge, type GraphNode, type MeshGraph } from '../lib/mesh/graph.ts';
import { findPrometheus, startPrometheus } from '../sandbox/prometheus.ts';
import {
  adopt,
  check,
  fetchOk,
  ms,
  percentile,
  portFrom,
  QUICK,
  report,
  root,
  signIn,
  sleep,
  startDashboard,
  startSandbox,
  tempDir,
  within,
} from './bench-support.ts';
import { heapMb, launchChromium, signedInContext } from './chromium.ts';

const quick = QUICK || process.argv.includes('--quick');
const pick = <T>(full: T, small: T): T => (quick ? small : full);

/** The generated mesh of the issue's measurements, and its quick-mode counterpart. */
// Quick: every edge at ≥ 1 request/s (the generator's default is 0.2), so all have shown up within seconds.
const GENERATED = pick({ workloads: 1000, edges: 3000, namespaces: 50, seed: 1 }, { workloads: 60, edges: 150, namespaces: 5, seed: 1, minEdgeRate: 1 });
const API_SAMPLES = pick(30, 1); // /api/graph requests that read Prometheus, after a first (cold caches) one
const SHARED_SAMPLES = pick(10, 3); // back-to-back requests, answered from the route's shared reading
/**
 * The route shares one reading of Prometheus for 5 s (lib/metrics/graph.ts SHARED_FOR_MS; the page
 * refreshes every 10 s, so each refresh reads anew): measured requests and loads are spaced past it.
 */
const SHARE_WAIT_MS = Number(process.env.BENCH_GRAPH_SHARE_WAIT_MS ?? 5_500);
const COLD_LOADS = pick(5, 1); // browser loads of /graph, each in a fresh context (empty cache)
const WARM_UP_LOADS = pick(1, 0); // unmeasured first load: the server renders /graph for the first time
const PAN_MS = pick(3000, 1000);
// Istio's usual 15 s for the generated mesh: its /metrics is ~130 MB (150,000 series) a scrape.
const SCRAPE_INTERVAL = pick('15s', '1s');
const WINDOW = '1m';
const GROUP_BY = 'version';
const GRAPH_QUERY = `namespaces=&window=${WINDOW}&groupBy=${GROUP_BY}`;
/** The page, on every namespace (the header's namespace select left empty). */
const GRAPH_PAGE = `/graph?window=${WINDOW}&groupBy=${GROUP_BY}`;
const RATE_TOLERANCE = 0.02;
const LOAD_TIMEOUT_S = 120; // a graph not drawn by then is broken, not slow
const TARGETS = { apiP95Ms: 500, queries: 4, drawnMs: 2000, fps: 30 };

// ── Preconditions, each naming what to set or run ────────────────────────────────────────────

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
check(existsSync(chromiumPath), `bench:graph needs Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH to its binary`);
check(findPrometheus(), 'bench:graph needs Prometheus: apt-get install prometheus, or set PROMETHEUS_BIN to its binary');
check(existsSync(join(root, '.next/BUILD_ID')), 'bench:graph measures the production dashboard, and there is no build: run `npm run build` first');
check(
  existsSync(join(root, '.next/server/app/api/graph')) && existsSync(join(root, '.next/server/app/(dashboard)/graph')),
  'the build in .next has no /api/graph route or /graph page (built before issue 18?): run `npm run build`',
);

// ── Where the time goes ──────────────────────────────────────────────────────────────────────

const phases: { phase: string; ms: number }[] = [];
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await work();
  } finally {
    phases.push({ phase: name, ms: performance.now() - t });
    console.info(`bench: ${name}: ${ms(performance.now() - t)}`);
  }
}

// ── The counting proxy: dashboard → proxy → Prometheus ──────────────────────────────────────

interface ProxiedQuery {
  path: string;
  /** The PromQL expression (query string or form body). */
  query: string;
  /** The `time` parameter sent, when one was. */
  time?: string;
  /** The evaluation time Prometheus answered with (first sample's timestamp), when bodies are read. */
  evaluatedAt?: number;
  startedAt: number;
  ms: number;
}

/** Counts (and times) every /api/v1/query* call the dashboard makes, and forwards all calls unchanged. */
async function startCountingProxy(upstreamUrl: string) {
  const upstream = new URL(upstreamUrl);
  const log: ProxiedQuery[] = [];
  let readBodies = false; // only for the rate check: parsing answers would slow the timed requests
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const params = new URLSearchParams(url.search);
      if (/form-urlencoded/.test(String(req.headers['content-type']))) for (const [k, v] of new URLSearchParams(body.toString())) params.set(k, v);
      const entry: ProxiedQuery | undefined = url.pathname.startsWith('/api/v1/query')
        ? { path: url.pathname, query: params.get('query') ?? '', time: params.get('time') ?? undefined, startedAt: performance.now(), ms: 0 }
        : undefined;
      if (entry) log.push(entry);
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!entry || !readBodies) {
          answer.pipe(res);
          answer.on('end', () => entry && (entry.ms = performance.now() - entry.startedAt));
          return;
        }
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const text = Buffer.concat(parts);
          entry.ms = performance.now() - entry.startedAt;
          try {
            const parsed = JSON.parse(text.toString()) as { data?: { result?: { value?: [number, string] }[] } };
            entry.evaluatedAt = parsed.data?.result?.[0]?.value?.[0];
          } catch {
            // not JSON (compressed or an error page): no evaluation time
          }
          res.end(text);
        });
      });
      forward.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bench proxy: ${error.message}`);
      });
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** A position in the log: `since(mark())` after a request is what it issued. */
    mark: () => log.length,
    since: (from: number) => log.slice(from),
    /** Waits until the route's last reading of Prometheus is older than its sharing window, so the next request reads anew. */
    pastSharing: async () => {
      const age = performance.now() - (log.at(-1)?.startedAt ?? -Infinity);
      if (age < SHARE_WAIT_MS) await sleep(SHARE_WAIT_MS - age);
    },
    readBodies: (on: boolean) => (readBodies = on),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
type Proxy = Awaited<ReturnType<typeof startCountingProxy>>;

// ── Prometheus, direct ──────────────────────────────────────────────────────────────────────

async function promql(prometheusUrl: string, query: string, time?: number): Promise<{ metric: Record<string, string>; value: number }[]> {
  const params = new URLSearchParams({ query, ...(time === undefined ? {} : { time: String(time) }) });
  const answer = (await (await fetchOk(`${prometheusUrl}/api/v1/query`, { method: 'POST', body: params })).json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return answer.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** One call: who called which workload of which service. */
const CALL_LABELS = 'source_workload_namespace, source_workload, destination_service, destination_workload_namespace, destination_workload';
/** One call as one reporter (source or destination proxy) reported it. */
const EDGE_LABELS = `reporter, ${CALL_LABELS}`;

/** Every call's series: requests (HTTP, gRPC) and TCP connections. */
const CALL_SERIES = '{__name__=~"istio_requests_total|istio_tcp_sent_bytes_total"}';

/**
 * Waits until every call, as each proxy reported it, has at least two scrapes in the rate window
 * (rate() needs two), and the number of calls has reached `expected` (the generator's count) or,
 * without one, stopped growing: the graph is then whole.
 */
async function waitForScrapes(prometheusUrl: string, expected: number | undefined, interval: number) {
  const scrapes = `max by (${EDGE_LABELS}) (count_over_time(${CALL_SERIES}[${WINDOW}]))`;
  let last = -1;
  let steady = 0;
  for (;;) {
    const [[reports], [fewest], [calls]] = await Promise.all([
      promql(prometheusUrl, `count(${scrapes})`),
      promql(prometheusUrl, `min(${scrapes})`),
      promql(prometheusUrl, `count(count by (${CALL_LABELS}) (${CALL_SERIES}))`),
    ]);
    const count = calls?.value ?? 0;
    steady = count === last ? steady + 1 : 0;
    last = count;
    const whole = expected === undefined ? steady >= 3 : count >= expected;
    if ((fewest?.value ?? 0) >= 2 && count > 0 && whole) return { calls: count, reports: reports?.value ?? 0 };
    await sleep(interval);
  }
}

/**
 * Resolves just after Prometheus has stored a scrape of the mesh (when `up`'s timestamp moves): a
 * query evaluated at "now" then sees the same samples as the same query evaluated at that instant
 * later. Otherwise a scrape being written while the route reads can land between its reading and
 * the bench's, and the two rates differ by one sample.
 */
async function afterScrape(prometheusUrl: string) {
  const lastScrape = async () => (await promql(prometheusUrl, 'max(timestamp(up))'))[0]?.value;
  const before = await lastScrape();
  await within(
    30,
    'a scrape of the mesh',
    (async () => {
      while ((await lastScrape()) === before) await sleep(25);
    })(),
  );
}

// ── The meshes ──────────────────────────────────────────────────────────────────────────────

interface Mesh {
  name: string;
  label: string;
  /** sandbox/main.ts arguments that start it with its simulated traffic. */
  sandboxArgs: string[];
  rateCheck: boolean;
}

const MESHES: Mesh[] = [
  {
    name: 'generated',
    label: `generated mesh: ${GENERATED.workloads} workloads, ${GENERATED.edges} edges, ${GENERATED.namespaces} namespaces`,
    sandboxArgs: [
      '--generate-mesh',
      Object.entries(GENERATED)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      '--traffic-port',
      '0',
    ],
    rateCheck: false,
  },
  { name: 'seed', label: 'seed mesh (default sandbox and traffic simulator)', sandboxArgs: ['--traffic', '--traffic-port', '0'], rateCheck: true },
];

/** What sandbox/generate/mesh.ts says it made (the sandbox prints it), when the mesh is generated. */
interface GeneratedSummary {
  namespaces: number;
  services: number;
  workloads: number;
  /** Workload-level call edges inside the mesh. */
  edges: number;
  requestsPerSecond: number;
}

// ── /api/graph ──────────────────────────────────────────────────────────────────────────────

interface ApiSample {
  ms: number;
  /** /api/v1/query* calls the proxy saw while the request was in flight. */
  proxied: number;
  /** The route's own count (MeshGraph.queries). */
  reported: number;
  /** Wall time from the first proxied query's start to the last one's end. */
  prometheusMs: number;
  bytes: number;
}

async function getGraph(base: string, cookie: string, proxy: Proxy): Promise<{ graph: MeshGraph; sample: ApiSample; queries: ProxiedQuery[] }> {
  const from = proxy.mark();
  const t = performance.now();
  const response = await fetchOk(`${base}/api/graph?${GRAPH_QUERY}`, { headers: { cookie } });
  const text = await response.text();
  const elapsed = performance.now() - t;
  const queries = proxy.since(from);
  const graph = JSON.parse(text) as MeshGraph;
  check(Array.isArray(graph.nodes) && Array.isArray(graph.edges), `/api/graph?${GRAPH_QUERY} answered no nodes/edges: ${text.slice(0, 300)}`);
  const prometheusMs = queries.length ? Math.max(...queries.map((q) => q.startedAt + q.ms)) - Math.min(...queries.map((q) => q.startedAt)) : 0;
  return { graph, queries, sample: { ms: elapsed, proxied: queries.length, reported: graph.queries, prometheusMs, bytes: text.length } };
}

// ── Every edge's rate against direct PromQL ─────────────────────────────────────────────────

interface RateMismatch {
  edge: string;
  graph: number;
  direct: number;
  query: string;
}

/** Which labels name an app and its version in this Prometheus: Istio's canonical ones, or app/version on older telemetry. */
interface LabelNames {
  app: string;
  version: string;
}
async function labelNames(prometheusUrl: string): Promise<LabelNames> {
  const canonical = await promql(prometheusUrl, 'count(istio_requests_total{destination_canonical_service!=""})');
  return canonical.length ? { app: 'canonical_service', version: 'canonical_revision' } : { app: 'app', version: 'version' };
}

/** Matchers of istio_requests_total for a node at one end of a call (`source` or `destination`). */
function endMatchers(node: GraphNode, end: 'source' | 'destination', names: LabelNames): string[] {
  const q = (v: string) => JSON.stringify(v);
  switch (node.kind) {
    case 'unknown': // no sidecar, no labels
      return [`${end}_workload=~"|unknown"`];
    case 'service':
    case 'external':
      return [`destination_service=${q(node.host ?? node.name)}`];
    case 'gateway':
      return [`${end}_workload_namespace=${q(node.namespace)}`, `${end}_workload=${q(node.name)}`];
    case 'workload':
      return [
        `${end}_workload_namespace=${q(node.namespace)}`,
        `${end}_${names.app}=${q(node.app ?? node.name)}`,
        // "latest" is Istio's revision for a workload without a version label.
        ...(node.version ? [`${end}_${names.version}${node.version === 'latest' ? '=~"latest|"' : `=${q(node.version)}`}`] : []),
      ];
  }
}

/**
 * The same edge, asked of Prometheus directly: requests/s over the window, each call counted once:
 * from the destination proxy's report, or from the source's when no destination proxy reported
 * that call (hosts outside the mesh, requests the caller's proxy answered itself).
 * caller → service: every call from the caller to the service's host; service → version: every
 * call to the service's host that the version answered.
 */
function directEdgeQuery(edge: GraphEdge, nodes: Map<string, GraphNode>, names: LabelNames): string {
  const source = nodes.get(edge.source);
  const target = nodes.get(edge.target);
  check(source && target, `edge ${edge.id} names a node the graph does not hold`);
  const matchers = [
    ...endMatchers(source, source.kind === 'service' ? 'destination' : 'source', names),
    ...endMatchers(target, 'destination', names),
    edge.protocol === 'grpc' ? 'request_protocol="grpc"' : 'request_protocol!="grpc"',
  ].join(',');
  const rate = (reporter: string, selector = '') => `rate(istio_requests_total{reporter="${reporter}"${selector && `,${selector}`}}[${WINDOW}])`;
  return `sum(${rate('destination', matchers)} or (${rate('source', matchers)} unless on (${CALL_LABELS}) ${rate('destination')}))`;
}

async function checkRates(prometheusUrl: string, graph: MeshGraph, evaluatedAt: number) {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const names = await labelNames(prometheusUrl);
  const mismatches: RateMismatch[] = [];
  let compared = 0;
  for (const edge of graph.edges.filter((e) => e.protocol !== 'tcp')) {
    const query = directEdgeQuery(edge, nodes, names);
    const direct = (await promql(prometheusUrl, query, evaluatedAt)).reduce((sum, s) => sum + s.value, 0);
    compared++;
    const off = direct === 0 ? (edge.rps === 0 ? 0 : Infinity) : Math.abs(edge.rps - direct) / direct;
    if (off > RATE_TOLERANCE) mismatches.push({ edge: edge.id, graph: edge.rps, direct, query });
  }
  return { compared, mismatches };
}

// ── In the page (serialised into it: no references outside each function) ──────────────────

/** Milliseconds from navigation start to the first `meshdeck:graph-drawn` mark, and what came before it. */
function drawnTimings() {
  const mark = performance.getEntriesByName('meshdeck:graph-drawn', 'mark')[0];
  if (!mark) return undefined;
  const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const graphFetch = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => r.name.includes('/api/graph'));
  const container = document.querySelector('[data-graph-drawn]');
  return {
    drawnMs: mark.startTime,
    htmlMs: navigation?.responseEnd ?? 0,
    domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? 0,
    apiStartMs: graphFetch?.startTime ?? 0,
    apiEndMs: graphFetch?.responseEnd ?? 0,
    drawnElements: Number(container?.getAttribute('data-graph-drawn') ?? 0),
  };
}
type DrawnTimings = NonNullable<ReturnType<typeof drawnTimings>>;

/** Counts requestAnimationFrame callbacks for `durationMs`: frames, seconds, longest gap. */
function countFrames(durationMs: number) {
  return new Promise<{ frames: number; seconds: number; longestFrameMs: number }>((resolve) => {
    const times: number[] = [];
    const frame = (now: number) => {
      times.push(now);
      if (now - times[0]! >= durationMs) {
        const gaps = times.slice(1).map((t, i) => t - times[i]!);
        resolve({ frames: times.length - 1, seconds: (now - times[0]!) / 1000, longestFrameMs: Math.max(0, ...gaps) });
        return;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

// ── In the browser ──────────────────────────────────────────────────────────────────────────

/** One cold load of /graph: a fresh context (empty cache), navigation → the graph drawn. */
async function coldLoad(
  browser: Browser,
  base: string,
  proxy: Proxy,
): Promise<{ timings: DrawnTimings & { queries: number }; context: BrowserContext; page: Page }> {
  const context = await signedInContext(browser, base, 'viewer', { baseURL: base });
  const page = await context.newPage();
  await proxy.pastSharing(); // so that the page's /api/graph reads Prometheus, as a first visit does
  const from = proxy.mark();
  await page.goto(GRAPH_PAGE, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_S * 1000 });
  const drawn = page.waitForFunction(drawnTimings, undefined, { polling: 50, timeout: 0 });
  const timings = (await (await within(LOAD_TIMEOUT_S, `the graph drawn on ${GRAPH_PAGE} (the meshdeck:graph-drawn mark)`, drawn)).jsonValue())!;
  check(timings.drawnElements > 0, `/graph marked the graph drawn with data-graph-drawn="${timings.drawnElements}"`);
  return { timings: { ...timings, queries: proxy.since(from).length }, context, page };
}

/** Drags and wheels the canvas for PAN_MS while the page counts frames; checks the view moved. */
async function panAndZoom(page: Page) {
  const canvas = page.locator('[data-graph-drawn]').first();
  const box = await canvas.boundingBox();
  check(box && box.width > 50 && box.height > 50, `the graph's canvas container is ${box ? `${box.width}×${box.height}` : 'not laid out'}`);
  const before = await canvas.screenshot();
  const counting = page.evaluate(countFrames, PAN_MS);
  let done = false;
  void counting.finally(() => (done = true));
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  let gestures = 0;
  for (let i = 0; !done; i++) {
    const dx = (i % 2 ? -1 : 1) * Math.min(150, box.width / 4);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + dx, cy + dx / 3, { steps: 10 });
    await page.mouse.up();
    for (let k = 0; k < 4 && !done; k++) await page.mouse.wheel(0, (i % 2 ? 1 : -1) * 120);
    gestures++;
  }
  const frames = await counting;
  const after = await canvas.screenshot();
  check(!before.equals(after), 'dragging and wheeling the graph changed nothing on screen: the pan/zoom frame rate would measure an idle page');
  return { ...frames, fps: frames.frames / frames.seconds, gestures };
}

// ── One mesh, end to end ────────────────────────────────────────────────────────────────────

interface Figure {
  figure: string;
  value: number;
  unit: string;
  target?: number;
  /** The target is a ceiling (≤) or a floor (≥). */
  most?: boolean;
}

async function measureMesh(mesh: Mesh) {
  console.info(`\n── bench:graph: ${mesh.label}`);
  const sandbox = await phase(`${mesh.name}: sandbox start (with its traffic)`, () =>
    startSandbox(tempDir(`bench-graph-${mesh.name}`), mesh.sandboxArgs, /Kubernetes API on (\S+)[^]*metrics (\S+)\/metrics/, 600),
  );
  const trafficUrl = sandbox.ready[2]!;
  const printed = /generated mesh (\{[^\n]*\}) in /.exec(sandbox.ready.input)?.[1];
  const generated = printed === undefined ? undefined : (JSON.parse(printed) as GeneratedSummary);
  if (generated) {
    console.info(`bench: generated ${JSON.stringify(generated)}`);
    check(
      generated.workloads === GENERATED.workloads && generated.namespaces === GENERATED.namespaces && generated.edges >= GENERATED.edges,
      `the generator made ${generated.workloads} workloads, ${generated.edges} edges in ${generated.namespaces} namespaces, not the ${GENERATED.workloads}, ${GENERATED.edges} and ${GENERATED.namespaces} asked for`,
    );
  }
  const prometheus = await phase(`${mesh.name}: Prometheus start`, async () => {
    const port = await portFrom('BENCH_PROMETHEUS_PORT');
    const started = await startPrometheus({
      dir: tempDir(`bench-graph-${mesh.name}-prometheus`),
      target: new URL(trafficUrl).host,
      port,
      scrapeInterval: SCRAPE_INTERVAL,
    });
    adopt(started.process);
    return started;
  });
  const proxy = await startCountingProxy(prometheus.url);
  const intervalMs = Number.parseInt(SCRAPE_INTERVAL, 10) * 1000;
  const scraped = await phase(`${mesh.name}: until every call has 2 scrapes in the ${WINDOW} window`, () =>
    within(pick(600, 120), `2 scrapes of every call of the ${mesh.name} mesh`, waitForScrapes(prometheus.url, generated?.edges, intervalMs)),
  );
  const callEdges = scraped.calls;
  console.info(`bench: Prometheus holds ${scraped.calls} calls (${scraped.reports} reports of them by either proxy)`);
  const dashboard = await phase(`${mesh.name}: dashboard start (next start)`, () =>
    startDashboard({ KUBECONFIG: sandbox.kubeconfig, MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard', MESHDECK_PROMETHEUS_URL: proxy.url }),
  );
  const cookie = await signIn(dashboard.base, 'viewer');

  // /api/graph: a first request on cold caches, then the measured ones.
  const first = await phase(`${mesh.name}: first /api/graph (cold caches)`, () => getGraph(dashboard.base, cookie, proxy));
  check(first.graph.edges.length > 0, `/api/graph?${GRAPH_QUERY} on the ${mesh.name} mesh has no edges, though Prometheus holds ${callEdges} calls`);
  // Requests spaced past the route's sharing of telemetry (lib/metrics/graph.ts SHARED_FOR_MS),
  // each reading Prometheus: the figures judged. Then back-to-back ones, answered from a shared reading.
  const samples: ApiSample[] = [];
  let graph = first.graph;
  let queryTexts = first.queries.map((q) => q.query);
  await phase(`${mesh.name}: ${API_SAMPLES} /api/graph requests, ${SHARE_WAIT_MS / 1000} s or more after the last reading`, async () => {
    for (let i = 0; samples.length < API_SAMPLES; i++) {
      check(i < 2 * API_SAMPLES, `/api/graph kept answering without PromQL though requests were ${SHARE_WAIT_MS / 1000} s apart (BENCH_GRAPH_SHARE_WAIT_MS)`);
      await proxy.pastSharing();
      const got = await getGraph(dashboard.base, cookie, proxy);
      if (got.sample.proxied === 0) continue;
      samples.push(got.sample);
      graph = got.graph;
      queryTexts = got.queries.map((q) => q.query);
    }
  });
  const shared: ApiSample[] = [];
  for (let i = 0; i < SHARED_SAMPLES; i++) shared.push((await getGraph(dashboard.base, cookie, proxy)).sample);
  const disagreeing = [...samples, ...shared].filter((s) => s.proxied !== s.reported);
  const byKind = new Map<string, number>();
  for (const node of graph.nodes) byKind.set(node.kind, (byKind.get(node.kind) ?? 0) + 1);
  const kinds = [...byKind].map(([kind, count]) => `${count} ${kind}`);
  console.info(
    `bench: the graph: ${graph.nodes.length} nodes (${kinds.join(', ')}), ${graph.edges.length} edges, ${(samples.at(-1)!.bytes / 1e6).toFixed(2)} MB; ` +
      `errors on ${graph.edges.filter((e) => errorShare(e) > 0).length} edges`,
  );
  console.info(`bench: PromQL per request (seen by the proxy): ${queryTexts.length}\n${queryTexts.map((q) => `    ${q}`).join('\n')}`);
  const sharedReads = shared.filter((s) => s.proxied === 0).length;
  console.info(`bench: ${sharedReads} of ${shared.length} back-to-back requests were answered from a shared reading (no PromQL)`);
  if (disagreeing.length)
    console.warn(
      `bench: the route's own count disagrees with the proxy's on ${disagreeing.length} of ${samples.length + shared.length} requests (route ${disagreeing[0]!.reported}, proxy ${disagreeing[0]!.proxied})`,
    );

  // Every edge's rate against Prometheus at the route's evaluation time.
  let rates: Awaited<ReturnType<typeof checkRates>> | undefined;
  let evaluatedAt: { time: number; how: string } | undefined;
  if (mesh.rateCheck) {
    await proxy.pastSharing(); // a reading of its own, not a shared one
    await afterScrape(prometheus.url);
    proxy.readBodies(true);
    const probe = await getGraph(dashboard.base, cookie, proxy);
    proxy.readBodies(false);
    // The query that reads istio_requests_total (not its histogram) carries the edges' rates.
    const requests = probe.queries.find((q) => /istio_requests_total/.test(q.query));
    check(requests, `none of the route's ${probe.queries.length} queries reads istio_requests_total`);
    const sent = requests.time;
    const answered = requests.evaluatedAt;
    evaluatedAt =
      sent !== undefined
        ? { time: Number(sent), how: 'the `time` the route sent' }
        : answered !== undefined
          ? { time: answered, how: "Prometheus' answer (the route sent no `time`: each query is evaluated at its arrival)" }
          : undefined;
    check(evaluatedAt, 'no evaluation time: the route sent no `time` and Prometheus answered no sample');
    const times = new Set(probe.queries.map((q) => q.time ?? q.evaluatedAt));
    if (times.size > 1) console.warn(`bench: the route's ${probe.queries.length} queries were evaluated at ${times.size} different instants`);
    const at = evaluatedAt.time;
    console.info(`bench: edges compared with direct PromQL at ${new Date(at * 1000).toISOString()}, from ${evaluatedAt.how}`);
    rates = await phase(`${mesh.name}: every edge's rate against direct PromQL`, () => checkRates(prometheus.url, probe.graph, at));
    for (const m of rates.mismatches.slice(0, 10))
      console.warn(`  rate mismatch ${m.edge}: graph ${m.graph.toFixed(3)}/s, direct ${m.direct.toFixed(3)}/s\n    ${m.query}`);
  }

  // The browser: cold loads, then pan/zoom and the heap on the last one.
  const browser = await launchChromium();
  const loads: (DrawnTimings & { queries: number })[] = [];
  let last: { context: BrowserContext; page: Page } | undefined;
  await phase(`${mesh.name}: ${WARM_UP_LOADS ? `a warm-up load and ` : ''}${COLD_LOADS} cold load(s) of /graph`, async () => {
    for (let i = 0; i < WARM_UP_LOADS; i++) await (await coldLoad(browser, dashboard.base, proxy)).context.close();
    for (let i = 0; i < COLD_LOADS; i++) {
      if (last) await last.context.close();
      const load = await coldLoad(browser, dashboard.base, proxy);
      loads.push(load.timings);
      last = load;
    }
  });
  const pan = await phase(`${mesh.name}: pan and zoom`, () => panAndZoom(last!.page));
  const heap = await heapMb(last!.context, last!.page);
  await browser.close();

  const median = (of: (t: DrawnTimings) => number) => percentile(loads.map(of), 50);
  const drawn = median((t) => t.drawnMs);
  const breakdown = {
    htmlMs: median((t) => t.htmlMs),
    domContentLoadedMs: median((t) => t.domContentLoadedMs),
    apiStartMs: median((t) => t.apiStartMs),
    apiEndMs: median((t) => t.apiEndMs),
    drawnMs: drawn,
  };
  console.info(`bench: ${loads.filter((l) => l.queries > 0).length} of ${loads.length} loads read Prometheus (the others got a shared reading)`);
  console.info(
    `bench: where a load's time goes (medians, from navigation start): HTML ${ms(breakdown.htmlMs)}, DOMContentLoaded ${ms(breakdown.domContentLoadedMs)}, ` +
      `/api/graph requested ${ms(breakdown.apiStartMs)} → answered ${ms(breakdown.apiEndMs)}, drawn ${ms(drawn)} (layout and paint ${ms(drawn - breakdown.apiEndMs)})`,
  );
  const api = samples.map((s) => s.ms);
  const prom = samples.map((s) => s.prometheusMs);
  const slowest = [...samples].sort((a, b) => b.ms - a.ms);
  const p95Sample = slowest[Math.max(0, Math.ceil(0.05 * slowest.length) - 1)]!;
  console.info(
    `bench: where a request's time goes: p50 ${ms(percentile(api, 50))} in all, of which Prometheus (first query sent → last answered) ${ms(percentile(prom, 50))}; ` +
      `the p95 request ${ms(p95Sample.ms)}, of which Prometheus ${ms(p95Sample.prometheusMs)}; first (cold caches) ${ms(first.sample.ms)}; ` +
      `the rest is the route's own (decoration, building, JSON)`,
  );

  const figures: Figure[] = [
    { figure: '/api/graph p95', value: percentile(api, 95), unit: 'ms', target: TARGETS.apiP95Ms, most: true },
    { figure: '/api/graph p50', value: percentile(api, 50), unit: 'ms' },
    { figure: '/api/graph first (cold caches)', value: first.sample.ms, unit: 'ms' },
    {
      figure: '/api/graph p50, answer shared (back-to-back)',
      value: percentile(
        shared.map((s) => s.ms),
        50,
      ),
      unit: 'ms',
    },
    { figure: 'PromQL queries per request (proxy, max)', value: Math.max(...samples.map((s) => s.proxied)), unit: '', target: TARGETS.queries, most: true },
    {
      figure: "PromQL queries per request (route's own count)",
      value: Math.max(...samples.map((s) => s.reported)),
      unit: '',
      target: TARGETS.queries,
      most: true,
    },
    { figure: 'navigation → graph drawn (median, cold)', value: drawn, unit: 'ms', target: TARGETS.drawnMs, most: true },
    { figure: 'pan/zoom frame rate', value: pan.fps, unit: 'fps', target: TARGETS.fps, most: false },
    { figure: 'JS heap after drawing (after GC)', value: heap, unit: 'MB' },
    ...(rates
      ? [{ figure: `edges whose rate is off direct PromQL by > 2 % (of ${rates.compared})`, value: rates.mismatches.length, unit: '', target: 0, most: true }]
      : []),
  ];
  await dashboard.stop();
  await proxy.close();
  await prometheus.stop();
  await sandbox.stop();
  return {
    mesh: mesh.name,
    label: mesh.label,
    calls: scraped,
    generated,
    graph: { nodes: graph.nodes.length, edges: graph.edges.length, bytes: samples.at(-1)!.bytes },
    figures: figures.map((f) => ({ ...f, withinTarget: f.target === undefined ? undefined : f.most ? f.value <= f.target : f.value >= f.target })),
    api: { first: first.sample, samples, shared, queries: queryTexts },
    loads,
    breakdown,
    pan,
    heapMb: heap,
    rates: rates && { ...rates, evaluatedAt },
    drawnElements: loads.at(-1)!.drawnElements,
  };
}

// ── The run ──────────────────────────────────────────────────────────────────────────────────

const results: Awaited<ReturnType<typeof measureMesh>>[] = [];
for (const mesh of MESHES) results.push(await measureMesh(mesh));

const format = (v: number) => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const width = Math.max(...results.flatMap((r) => r.figures.map((f) => f.figure.length)));
for (const r of results) {
  console.info(
    `\nbench:graph: ${r.label}: ${r.graph.nodes} nodes, ${r.graph.edges} edges drawn as ${r.drawnElements}${quick ? ' (quick mode: targets not judged)' : ''}`,
  );
  for (const f of r.figures) {
    const target = f.target === undefined ? '' : `target ${f.most ? '≤' : '≥'} ${f.target}${f.unit ? ` ${f.unit}` : ''}`;
    const line = `  ${f.figure.padEnd(width)}  ${`${format(f.value)} ${f.unit}`.padStart(12)}  ${target}`;
    console.info(quick || f.withinTarget === undefined ? line : `${line.padEnd(width + 40)}${f.withinTarget ? 'pass' : 'MISSED'}`);
  }
  console.info(`  cold loads (ms): ${r.loads.map((l) => format(l.drawnMs)).join(', ')}`);
}
console.info('\nwhere the time went:');
for (const p of phases) console.info(`  ${p.phase.padEnd(64)} ${ms(p.ms).padStart(12)}`);
const missed = results.flatMap((r) => r.figures.filter((f) => f.withinTarget === false).map((f) => `${r.mesh}: ${f.figure}`));
if (!quick) console.info(missed.length ? `\nbench:graph: targets MISSED: ${missed.join('; ')}` : '\nbench:graph: every target met');

mkdirSync(join(root, 'reports'), { recursive: true });
const summary = { quick, generated: GENERATED, window: WINDOW, groupBy: GROUP_BY, meshes: results, phases, missed };
writeFileSync(join(root, 'reports/bench-graph.json'), `${JSON.stringify(summary, null, 2)}\n`);
report({ meshes: results.map((r) => ({ mesh: r.mesh, figures: r.figures })), missed });
process.exit(0);
