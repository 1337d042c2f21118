// How Meshdeck names services in Jaeger and sizes its default trace search. Pure: the route
// asks Prometheus for the rate and Jaeger for each slice.

/** Istio's proxies report spans as `<service>.<namespace>`: the Jaeger service of a mesh service. */
export const jaegerServiceName = (namespace: string, service: string) => `${service}.${namespace}`;

/** The mesh service behind a Jaeger service name, when it has Istio's `<service>.<namespace>` shape. */
export function meshServiceOf(jaegerService: string): { namespace: string; service: string } | undefined {
  const dot = jaegerService.lastIndexOf('.');
  if (dot <= 0 || dot === jaegerService.length - 1) return undefined;
  return { service: jaegerService.slice(0, dot), namespace: jaegerService.slice(dot + 1) };
}

/** The Jaeger services of one namespace (all of them for ""). */
export const servicesIn = (services: string[], namespace: string) => (namespace ? services.filter((s) => meshServiceOf(s)?.namespace === namespace) : services);

/** The window the default search covers. */
export const AUTO_WINDOW_SECONDS = 3600;
/** The number of traces the default search returns. */
export const AUTO_LIMIT = 50;
const MAX_SLICES = 10;

export interface TraceSlice {
  /** µs since the epoch, as Jaeger takes them. */
  start: number;
  end: number;
  limit: number;
}

export interface TraceSearchPlan {
  slices: TraceSlice[];
  /** The rule, in one line, for the page. */
  rule: string;
}

const seconds = (s: number) => (s >= 60 ? `${Number((s / 60).toPrecision(2))} min` : `${Number(s.toPrecision(2))} s`);

/**
 * The default search, sized by the service's request rate `rate` (req/s, null when unknown).
 * The latest `limit` traces of a busy service cover a second or less, so when the window holds
 * more requests than the limit, it is cut into slices back from `end`: the newest is as long
 * as it takes the service to get its share of traces (limit / slices / rate), and each slice
 * reaches back the same factor further than the one after it, the oldest to the window's start. The scatter
 * then spans the window (or the traces Jaeger still keeps), densest where it is most recent.
 */
export function planTraceSearch(rate: number | null, limit: number, end: number, windowSeconds = AUTO_WINDOW_SECONDS): TraceSearchPlan {
  const endUs = Math.round(end * 1e6);
  const whole = (rule: string): TraceSearchPlan => ({ slices: [{ start: endUs - windowSeconds * 1e6, end: endUs, limit }], rule });
  const window = seconds(windowSeconds);
  if (rate === null) return whole(`The latest ${limit} traces of the last ${window} (the service's request rate is unknown).`);
  if (rate * windowSeconds <= limit)
    return whole(
      `The latest ${limit} traces of the last ${window}: at ${Number(rate.toPrecision(2))} req/s the window holds about ${Math.round(rate * windowSeconds)} requests, no more than the limit.`,
    );
  const count = Math.min(MAX_SLICES, limit);
  const each = Math.ceil(limit / count);
  // Under windowSeconds / count, since the window holds more than `limit` requests.
  const first = each / rate;
  const factor = count > 1 ? (windowSeconds / first) ** (1 / (count - 1)) : 1;
  const bounds = [0, ...Array.from({ length: count }, (_, i) => (i === count - 1 ? windowSeconds : first * factor ** i))];
  const slices = bounds.slice(1).map((back, i) => ({ start: endUs - Math.round(back * 1e6), end: endUs - Math.round(bounds[i]! * 1e6), limit: each }));
  return {
    slices,
    rule: `${count} searches of ${each} traces: at ${Number(rate.toPrecision(2))} req/s the latest ${limit} would cover ${seconds(limit / rate)}, so the last ${window} is cut into ${count} slices reaching back ${seconds(first)} (${each} requests), ${seconds(first * factor)}, … ${factor.toFixed(1)}× further each, to ${window}.`,
  };
}
