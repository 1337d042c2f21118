// A small Prometheus registry: counters, gauges and histograms rendered in the text
// exposition format, with Istio's metric names, labels and default buckets.

/** Labels as an object, as ordered pairs, or already rendered (`a="1",b="2"`, the hot path's form). */
type Labels = Record<string, string> | [string, string][] | string;

// Istio's default buckets for istio_request_duration_milliseconds.
export const DURATION_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
export const SIZE_BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
/** Labels in the exposition format's form, which is also a series' key. */
export const renderLabels = (labels: Labels): string =>
  typeof labels === 'string' ? labels : (Array.isArray(labels) ? labels : Object.entries(labels)).map(([k, v]) => `${k}="${escape(v)}"`).join(',');

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: Map<string, { labels: string; value: number; buckets?: number[]; counts?: number[]; sum?: number }>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => void)[] = [];

  /** Runs `collect` before every rendering: gauges read at scrape time. */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { help, type, series: new Map() }));
    return f;
  }

  inc(name: string, labels: Labels, by = 1, help = name): void {
    const f = this.family(name, 'counter', help);
    const key = renderLabels(labels);
    const s = f.series.get(key);
    if (s) s.value += by;
    else f.series.set(key, { labels: key, value: by });
  }

  set(name: string, labels: Labels, value: number, help = name): void {
    const f = this.family(name, 'gauge', help);
    const key = renderLabels(labels);
    f.series.set(key, { labels: key, value });
  }

  /** Observes `value`; a series keeps the buckets it was created with (each proxy may set its own). */
  observe(name: string, labels: Labels, value: number, buckets: number[], help = name): void {
    const f = this.family(name, 'histogram', help);
    const key = renderLabels(labels);
    let s = f.series.get(key);
    if (!s) f.series.set(key, (s = { labels: key, value: 0, buckets, counts: buckets.map(() => 0), sum: 0 }));
    buckets = s.buckets!;
    s.value += 1;
    s.sum! += value;
    for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) s.counts![i]! += 1;
  }

  /** The text exposition format, as Prometheus scrapes it. */
  text(): string {
    for (const collect of this.collectors) collect();
    const lines: string[] = [];
    for (const [name, f] of this.families) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const s of f.series.values()) {
        if (f.type !== 'histogram') {
          lines.push(`${name}{${s.labels}} ${s.value}`);
          continue;
        }
        const sep = s.labels ? ',' : '';
        s.buckets!.forEach((b, i) => lines.push(`${name}_bucket{${s.labels}${sep}le="${b}"} ${s.counts![i]}`));
        lines.push(`${name}_bucket{${s.labels}${sep}le="+Inf"} ${s.value}`, `${name}_sum{${s.labels}} ${s.sum}`, `${name}_count{${s.labels}} ${s.value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
