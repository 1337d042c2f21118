// SLOs from the mesh's configuration, evaluated in one Prometheus query whatever their
// number: each SLI is computed once per granularity (the whole mesh, per namespace, per
// service) with `sum by (...)`, and every SLO reads its scope's row.
import type { ScopedSlo } from '@/lib/config/schema';
import { combine, errorRatioOf, latencyQuantileOf, quote, requestRateOf, split } from './promql';

export interface Slo {
  name: string;
  /** What the SLO measures: "mesh", a namespace, or "namespace/service". */
  scope: string;
  objective: string;
  value: number | null;
  unit: 'ratio' | 'ms' | 'rps';
  met: boolean | null;
  burn1h?: number | null;
  burn6h?: number | null;
}

type Granularity = 'mesh' | 'namespace' | 'service';
const GROUPS: Record<Granularity, string[]> = {
  mesh: [],
  namespace: ['destination_service_namespace'],
  service: ['destination_service_namespace', 'destination_service_name'],
};
const granularityOf = (slo: ScopedSlo): Granularity => (slo.scope.namespace ? (slo.scope.service ? 'service' : 'namespace') : 'mesh');
const rowKey = (g: Granularity, m: Record<string, string | undefined>) =>
  g === 'mesh'
    ? ''
    : g === 'namespace'
      ? (m.destination_service_namespace ?? '')
      : `${m.destination_service_namespace ?? ''}/${m.destination_service_name ?? ''}`;
const keyOf = (slo: ScopedSlo) =>
  rowKey(granularityOf(slo), { destination_service_namespace: slo.scope.namespace, destination_service_name: slo.scope.service });
const ERROR_WINDOWS = ['5m', '1h', '6h'];

/** The single query answering every SLO given; undefined when there is none. */
export function sloQuery(slos: ScopedSlo[]): string | undefined {
  if (slos.length === 0) return undefined;
  const namespaces = [...new Set(slos.map((s) => s.scope.namespace).filter((n): n is string => Boolean(n)))].sort();
  const parts: Record<string, string> = {};
  for (const g of ['mesh', 'namespace', 'service'] as const) {
    const mine = slos.filter((s) => granularityOf(s) === g);
    if (mine.length === 0) continue;
    // Only the namespaces some SLO measures: cheaper on a large mesh, and never one query per service.
    const sel = g === 'mesh' ? '{reporter="destination"}' : `{reporter="destination",destination_service_namespace=~${quote(namespaces.join('|'))}}`;
    if (mine.some((s) => s.sli === 'availability' || s.sli === 'errorRate'))
      for (const w of ERROR_WINDOWS) parts[`errors:${g}:${w}`] = errorRatioOf(sel, w, GROUPS[g]);
    if (mine.some((s) => s.sli === 'throughput')) parts[`rps:${g}`] = requestRateOf(sel, '5m', GROUPS[g]);
    for (const q of new Set(mine.flatMap((s) => (s.sli === 'latency' ? [s.quantile] : []))))
      parts[`latency:${g}:${q}`] = latencyQuantileOf(q, sel, '5m', GROUPS[g]);
  }
  return combine(parts);
}

const percent = (ratio: number) => `${Number((ratio * 100).toPrecision(12))}%`;
const quantileName = (q: number) => `P${Number((q * 100).toPrecision(12))}`;
const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);

/** Reads each SLO's value, verdict and error-budget burn out of the query's result. */
export function evaluateSlos(slos: ScopedSlo[], samples: { metric: Record<string, string>; value: number }[]): Slo[] {
  const parts = split(samples);
  const read = (part: string, slo: ScopedSlo) => {
    const g = granularityOf(slo);
    return num((parts[part] ?? []).find((s) => rowKey(g, s.metric) === keyOf(slo))?.value);
  };
  return slos.map((slo) => {
    const g = granularityOf(slo);
    const scope = slo.scope.namespace ? (slo.scope.service ? `${slo.scope.namespace}/${slo.scope.service}` : slo.scope.namespace) : 'mesh';
    const errors = (w: string) => read(`errors:${g}:${w}`, slo);
    switch (slo.sli) {
      case 'availability': {
        const budget = 1 - slo.objective;
        const e = errors('5m');
        const burn = (w: string) => (errors(w) === null ? null : errors(w)! / budget);
        return {
          name: slo.name ?? 'Availability',
          scope,
          objective: `> ${percent(slo.objective)}`,
          value: e === null ? null : 1 - e,
          unit: 'ratio',
          met: e === null ? null : 1 - e > slo.objective,
          burn1h: burn('1h'),
          burn6h: burn('6h'),
        };
      }
      case 'errorRate': {
        const e = errors('5m');
        const burn = (w: string) => (errors(w) === null ? null : errors(w)! / slo.objective);
        return {
          name: slo.name ?? 'Error rate',
          scope,
          objective: `< ${percent(slo.objective)}`,
          value: e,
          unit: 'ratio',
          met: e === null ? null : e < slo.objective,
          burn1h: burn('1h'),
          burn6h: burn('6h'),
        };
      }
      case 'latency': {
        const v = read(`latency:${g}:${slo.quantile}`, slo);
        return {
          name: slo.name ?? `Latency ${quantileName(slo.quantile)}`,
          scope,
          objective: `< ${slo.objective} ms`,
          value: v,
          unit: 'ms',
          met: v === null ? null : v < slo.objective,
        };
      }
      case 'throughput': {
        const v = read(`rps:${g}`, slo);
        return {
          name: slo.name ?? 'Throughput',
          scope,
          objective: `> ${slo.objective} RPS`,
          value: v,
          unit: 'rps',
          met: v === null ? null : v > slo.objective,
        };
      }
    }
  });
}
