// What a canary version is, in one place. A version (Istio's destination_version label, the
// version a DestinationRule subset selects, or the subset's name) is a canary when the mesh
// configuration's `canary.versions` regex matches it whole, as PromQL's =~ does; with nothing
// configured, any version containing "canary". Every page and panel that needs to know asks here.
// Pure.

/** The canary rule's `versions` when nothing is configured. */
export const DEFAULT_CANARY_VERSIONS = '.*canary.*';

/** The regex of a canary rule, anchored on the whole version as Prometheus anchors `=~`. */
export function canaryPattern(versions: string = DEFAULT_CANARY_VERSIONS): RegExp {
  return new RegExp(`^(?:${versions})$`);
}

/** Whether a version (or subset name) is a canary under the rule's `versions` regex. */
export function isCanaryVersion(version: string | undefined, versions: string = DEFAULT_CANARY_VERSIONS): boolean {
  return version !== undefined && canaryPattern(versions).test(version);
}

/** The index of the first canary among a route's subsets (or versions), -1 when there is none. */
export function canaryIndex(versions: (string | undefined)[], rule: string = DEFAULT_CANARY_VERSIONS): number {
  const pattern = canaryPattern(rule);
  return versions.findIndex((v) => v !== undefined && pattern.test(v));
}

/** Requests per second to one version of one service. */
export interface VersionRate {
  namespace: string;
  service: string;
  version: string;
  rate: number;
}

/**
 * The share of requests that canary versions serve, among the requests to the services being
 * canaried (those with a canary version that receives traffic); null when no service is. For
 * one service it is that service's canary share, so a mesh-wide card and a per-service panel
 * agree on the same data. `versionsFor` gives each namespace's rule (its `canary.versions`).
 */
export function canaryShare(rows: VersionRate[], versionsFor: (namespace: string) => string): number | null {
  const patterns = new Map<string, RegExp>();
  const pattern = (namespace: string) => patterns.get(namespace) ?? patterns.set(namespace, canaryPattern(versionsFor(namespace))).get(namespace)!;
  const services = new Map<string, { total: number; canary: number }>();
  for (const row of rows) {
    const key = `${row.namespace}/${row.service}`;
    const entry = services.get(key) ?? { total: 0, canary: 0 };
    entry.total += row.rate;
    if (pattern(row.namespace).test(row.version)) entry.canary += row.rate;
    services.set(key, entry);
  }
  const canaried = [...services.values()].filter((s) => s.canary > 0);
  const total = canaried.reduce((sum, s) => sum + s.total, 0);
  return total > 0 ? canaried.reduce((sum, s) => sum + s.canary, 0) / total : null;
}
