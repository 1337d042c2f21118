// What a traffic policy sets, in the few words a table row has room for: one chip per field
// group, naming only the fields that are set ("50 conn · 25 pending · connect 30s").
import { POLICY_FIELDS, toForm } from '@/lib/mesh/resilience';

/** The field groups of a traffic policy, in the order the editor and the table show them. */
export const POLICY_GROUPS = [
  { id: 'loadBalancer', title: 'Load balancing' },
  { id: 'connectionPool', title: 'Connection pool' },
  { id: 'outlierDetection', title: 'Outlier detection' },
  { id: 'tls', title: 'TLS' },
] as const;
export type PolicyGroup = (typeof POLICY_GROUPS)[number]['id'];

const SHORT: Record<string, (v: string) => string> = {
  'loadBalancer.simple': (v) => v,
  'loadBalancer.consistentHash.httpHeaderName': (v) => `hash header ${v}`,
  'loadBalancer.consistentHash.httpCookie.name': (v) => `hash cookie ${v}`,
  'loadBalancer.consistentHash.useSourceIp': () => 'hash source IP',
  'connectionPool.tcp.maxConnections': (v) => `${v} conn`,
  'connectionPool.tcp.connectTimeout': (v) => `connect ${v}`,
  'connectionPool.tcp.tcpKeepalive.time': (v) => `keepalive ${v}`,
  'connectionPool.tcp.tcpKeepalive.interval': (v) => `probe every ${v}`,
  'connectionPool.http.http1MaxPendingRequests': (v) => `${v} pending`,
  'connectionPool.http.http2MaxRequests': (v) => `${v} active`,
  'connectionPool.http.maxRequestsPerConnection': (v) => `${v} req/conn`,
  'connectionPool.http.maxRetries': (v) => `${v} retries`,
  'connectionPool.http.idleTimeout': (v) => `idle ${v}`,
  'outlierDetection.consecutive5xxErrors': (v) => `${v}× 5xx`,
  'outlierDetection.consecutiveGatewayErrors': (v) => `${v}× gateway`,
  'outlierDetection.interval': (v) => `every ${v}`,
  'outlierDetection.baseEjectionTime': (v) => `eject ${v}`,
  'outlierDetection.maxEjectionPercent': (v) => `≤ ${v}% ejected`,
  'outlierDetection.minHealthPercent': (v) => `min health ${v}%`,
  'tls.mode': (v) => v,
};

/** The editor fields a policy sets, with their values (a false flag is no setting: the form writes it as unset). */
function setFields(policy: Record<string, unknown>) {
  const form = toForm(policy);
  return POLICY_FIELDS.filter((f) => form[f.key] !== '' && !(f.kind === 'bool' && form[f.key] === 'false')).map((f) => ({ field: f, value: form[f.key]! }));
}

/** The set fields of one group, each in a few words; empty when the group is unset. */
export function groupSummary(policy: Record<string, unknown>, group: PolicyGroup): string[] {
  return setFields(policy)
    .filter(({ field }) => field.key.startsWith(`${group}.`))
    .map(({ field, value }) => (SHORT[field.key] ?? ((v: string) => `${field.label} ${v}`))(value));
}

/** How many of the editor's fields a policy sets (a subset that sets none inherits the top-level policy). */
export const setFieldCount = (policy: Record<string, unknown>) => setFields(policy).length;
