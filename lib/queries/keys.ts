/**
 * Every TanStack Query key in Meshdeck comes from here, so a pushed update (lib/queries/live-updates.ts),
 * a write's answer and an invalidation all land on exactly the entry a page reads.
 *
 * Shape: [area, kind, ...arguments]. An area's prefix (e.g. `queryKeys.traffic.all`) matches every
 * entry of that area, for the rare write that changes more than one view of it.
 */

export interface NamedResource {
  namespace: string;
  name: string;
}

/** The time window of a KPI query; the refresh interval is not part of it (same data, different cadence). */
export interface KpiWindow {
  namespace: string;
  range: string;
  from?: string;
  to?: string;
}

/** The filters of the audit trail as the page sends them to /api/audit. */
export interface AuditKeyFilters {
  namespace: string;
  user: string;
  action: string;
  q: string;
}

const kpiWindow = (w: KpiWindow) => [w.namespace, w.range, w.from ?? '', w.to ?? ''] as const;

export const queryKeys = {
  traffic: {
    all: ['traffic'] as const,
    /** Prefix of every `list` entry of the area, whatever the namespace. */
    lists: ['traffic', 'list'] as const,
    /** VirtualServices with their routes (GET /api/traffic); "" = every visible namespace. */
    list: (namespace: string) => ['traffic', 'list', namespace] as const,
    /** Hosts and subsets one VirtualService can route to. */
    destinations: (vs: NamedResource) => ['traffic', 'destinations', vs.namespace, vs.name] as const,
    /** Prometheus numbers shown beside the routes. */
    live: (namespace: string) => ['traffic', 'live', namespace] as const,
  },
  resilience: {
    all: ['resilience'] as const,
    lists: ['resilience', 'list'] as const,
    list: (namespace: string) => ['resilience', 'list', namespace] as const,
    live: (namespace: string) => ['resilience', 'live', namespace] as const,
  },
  security: {
    all: ['security'] as const,
    lists: ['security', 'list'] as const,
    list: (namespace: string) => ['security', 'list', namespace] as const,
    live: (namespace: string) => ['security', 'live', namespace] as const,
    emergencies: () => ['security', 'emergencies'] as const,
  },
  audit: {
    all: ['audit'] as const,
    trail: (filters: AuditKeyFilters) => ['audit', 'trail', filters] as const,
  },
  kpis: {
    all: ['kpis'] as const,
    page: (w: KpiWindow) => ['kpis', 'page', ...kpiWindow(w)] as const,
    service: (service: string, w: KpiWindow) => ['kpis', 'service', service, ...kpiWindow(w)] as const,
  },
  traces: {
    all: ['traces'] as const,
    services: () => ['traces', 'services'] as const,
    operations: (service: string) => ['traces', 'operations', service] as const,
    search: (params: string) => ['traces', 'search', params] as const,
    trace: (id: string) => ['traces', 'trace', id] as const,
  },
  shell: {
    namespaces: () => ['shell', 'namespaces'] as const,
    cluster: () => ['shell', 'cluster'] as const,
    access: () => ['shell', 'access'] as const,
  },
  validation: {
    all: ['validation'] as const,
    /** The analysis' findings of one namespace, or every visible one (""): GET /api/validation. */
    list: (namespace: string) => ['validation', 'list', namespace] as const,
  },
  graph: {
    all: ['graph'] as const,
    /** The service graph (GET /api/graph) of some namespaces ("" = all), over a window, grouped. */
    view: (namespaces: string, window: string, groupBy: string) => ['graph', 'view', namespaces, window, groupBy] as const,
  },
  rollouts: {
    all: ['rollouts'] as const,
    /** Prefix of every `list` entry of the area, whatever the namespace. */
    lists: ['rollouts', 'list'] as const,
    /** Rollouts recorded on VirtualServices (GET /api/rollouts); "" = every visible namespace. Pushed by the `rollouts` topic. */
    list: (namespace: string) => ['rollouts', 'list', namespace] as const,
    /** One rollout's whole state (GET /api/rollouts/{namespace}/{name}). */
    detail: (vs: NamedResource) => ['rollouts', 'detail', vs.namespace, vs.name] as const,
    /** Prometheus charts of one step's gates. */
    series: (vs: NamedResource, step: number) => ['rollouts', 'series', vs.namespace, vs.name, step] as const,
    /** Plan templates offered for a namespace's routes. */
    presets: (namespace: string) => ['rollouts', 'presets', namespace] as const,
  },
  overview: (namespace: string) => ['overview', namespace] as const,
  search: (q: string) => ['search', q] as const,
};
