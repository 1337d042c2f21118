// Circuit breakers, load balancing, retries and timeouts: the editable fields of a
// DestinationRule traffic policy and of a route, their validation, the patches that apply
// them, named presets, and what each setting means in practice.
import { ISTIO_DURATION, durationMs, validateDuration, type DurationRule } from './duration';
import type { JsonPatchOp } from './patches';
import type { DestinationRule, VirtualService } from './types';

export type FieldKind = 'int' | 'percent' | 'duration' | 'enum' | 'string' | 'bool';

export interface FieldSpec {
  key: string; // path inside trafficPolicy, e.g. outlierDetection.maxEjectionPercent
  label: string;
  kind: FieldKind;
  unit?: string;
  min?: number;
  max?: number;
  values?: string[];
  /** For durations: what Istio accepts (defaults to its CRD rule, at least 1ms). */
  rule?: DurationRule;
  help: string;
}

const INT32 = 2 ** 31 - 1;

export const POLICY_FIELDS: FieldSpec[] = [
  {
    key: 'loadBalancer.simple',
    label: 'Load balancer',
    kind: 'enum',
    values: ['ROUND_ROBIN', 'LEAST_REQUEST', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH'],
    help: 'How requests are spread over endpoints',
  },
  {
    key: 'loadBalancer.consistentHash.httpHeaderName',
    label: 'Consistent hash on header',
    kind: 'string',
    help: 'Sticky routing: the same header value always reaches the same endpoint',
  },
  { key: 'loadBalancer.consistentHash.httpCookie.name', label: 'Consistent hash on cookie', kind: 'string', help: 'Sticky routing on a cookie' },
  { key: 'loadBalancer.consistentHash.useSourceIp', label: 'Consistent hash on source IP', kind: 'bool', help: 'Sticky routing on the client address' },
  {
    key: 'connectionPool.tcp.maxConnections',
    label: 'Max connections',
    kind: 'int',
    unit: 'connections',
    min: 1,
    max: INT32,
    help: 'Connections to each upstream host',
  },
  { key: 'connectionPool.tcp.connectTimeout', label: 'Connect timeout', kind: 'duration', help: 'TCP connection timeout' },
  {
    key: 'connectionPool.tcp.tcpKeepalive.time',
    label: 'Keepalive time',
    kind: 'duration',
    help: 'Idle time before TCP keepalive probes start (default: the OS setting, 2 hours on Linux)',
  },
  {
    key: 'connectionPool.tcp.tcpKeepalive.interval',
    label: 'Keepalive interval',
    kind: 'duration',
    help: 'Time between TCP keepalive probes (default: the OS setting, 75 s on Linux)',
  },
  {
    key: 'connectionPool.http.http1MaxPendingRequests',
    label: 'Max pending requests',
    kind: 'int',
    unit: 'requests',
    min: 1,
    max: INT32,
    help: 'Requests queued while waiting for a connection; beyond it: 503 UO',
  },
  {
    key: 'connectionPool.http.http2MaxRequests',
    label: 'Max active requests',
    kind: 'int',
    unit: 'requests',
    min: 1,
    max: INT32,
    help: 'Concurrent requests to the destination',
  },
  {
    key: 'connectionPool.http.maxRequestsPerConnection',
    label: 'Requests per connection',
    kind: 'int',
    unit: 'requests',
    min: 0,
    max: INT32,
    help: '1 disables keep-alive; 0 means unlimited',
  },
  {
    key: 'connectionPool.http.maxRetries',
    label: 'Max concurrent retries',
    kind: 'int',
    unit: 'retries',
    min: 0,
    max: INT32,
    help: 'Outstanding retries across all hosts at once',
  },
  { key: 'connectionPool.http.idleTimeout', label: 'Idle timeout', kind: 'duration', help: 'A connection with no active request is closed after this' },
  {
    key: 'outlierDetection.consecutive5xxErrors',
    label: 'Consecutive 5xx errors',
    kind: 'int',
    unit: 'errors',
    min: 0,
    max: INT32,
    help: 'Ejects an endpoint after this many 5xx in a row; 0 disables',
  },
  {
    key: 'outlierDetection.consecutiveGatewayErrors',
    label: 'Consecutive gateway errors',
    kind: 'int',
    unit: 'errors',
    min: 0,
    max: INT32,
    help: 'Ejects after this many 502/503/504 in a row; 0 disables',
  },
  { key: 'outlierDetection.interval', label: 'Analysis interval', kind: 'duration', help: 'How often ejections are reviewed' },
  { key: 'outlierDetection.baseEjectionTime', label: 'Base ejection time', kind: 'duration', help: 'Ejection lasts this long times the number of ejections' },
  {
    key: 'outlierDetection.maxEjectionPercent',
    label: 'Max ejection',
    kind: 'percent',
    unit: '%',
    min: 0,
    max: 100,
    help: 'Share of endpoints that may be ejected at once',
  },
  {
    key: 'outlierDetection.minHealthPercent',
    label: 'Min health',
    kind: 'percent',
    unit: '%',
    min: 0,
    max: 100,
    help: 'Outlier detection stops while fewer endpoints than this are healthy',
  },
  { key: 'tls.mode', label: 'TLS mode', kind: 'enum', values: ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'], help: 'How the client side connects' },
];

/** A field's value as the form holds it: a string, '' when unset. */
export type FormValues = Record<string, string>;

/** A form value's error under its field's rule (Istio's, for durations), or undefined. */
export function validateField(spec: FieldSpec, raw: string): string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  switch (spec.kind) {
    case 'int':
    case 'percent': {
      if (!/^\d+$/.test(value)) return `${spec.label} must be a whole number`;
      const n = Number(value);
      if (spec.min !== undefined && n < spec.min) return `${spec.label} must be at least ${spec.min}`;
      if (spec.max !== undefined && n > spec.max) return `${spec.label} must be at most ${spec.max}${spec.kind === 'percent' ? '%' : ''}`;
      return undefined;
    }
    case 'duration':
      return validateDuration(spec.label, value, spec.rule ?? ISTIO_DURATION);
    case 'enum':
      return spec.values!.includes(value) ? undefined : `${spec.label} must be one of ${spec.values!.join(', ')}`;
    case 'bool':
      return value === 'true' || value === 'false' ? undefined : `${spec.label} must be true or false`;
    case 'string':
      return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value) ? undefined : `${spec.label} must be a header or cookie name`;
  }
}

function get(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), object);
}

/** The form values of a traffic policy. */
export function toForm(policy: Record<string, unknown> | undefined): FormValues {
  return Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, get(policy, f.key) === undefined ? '' : String(get(policy, f.key))]));
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deletes a path, and the objects it leaves empty on the way up. */
function unset(root: Node, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete root[head];
    return;
  }
  const child = root[head];
  if (!isNode(child)) return;
  unset(child, rest);
  if (Object.keys(child).length === 0) delete root[head];
}

function set(root: Node, path: string[], value: unknown): void {
  let node = root;
  for (const k of path.slice(0, -1)) node = (isNode(node[k]) ? node[k] : (node[k] = {})) as Node;
  node[path.at(-1)!] = value;
}

// ConsistentHashLB's hash key is a oneof: setting one in the form replaces any other.
const HASH_KEYS = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'];

/**
 * Validates form values and builds the traffic policy. Only the fields the form covers
 * change: everything else in the current policy (keepalive probes, locality settings,
 * port-level settings, TLS certificates…) stays as it was, and a value the form leaves
 * untouched keeps its stored spelling ("1m30s" stays "1m30s"). A key missing from `values`
 * keeps its current value.
 */
export function fromForm(input: FormValues, current: Record<string, unknown> = {}): { policy: Record<string, unknown>; errors: Record<string, string> } {
  const values: FormValues = { ...toForm(current), ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const errors: Record<string, string> = {};
  for (const spec of POLICY_FIELDS) {
    const error = validateField(spec, values[spec.key] ?? '');
    if (error) errors[spec.key] = error;
  }
  const given = (key: string) => (values[key] ?? '').trim() !== '' && values[key] !== 'false';
  const hash = ['httpHeaderName', 'httpCookie.name', 'useSourceIp'].filter((k) => given(`loadBalancer.consistentHash.${k}`));
  if (hash.length > 1) errors['loadBalancer.consistentHash.httpHeaderName'] = 'Hash on one thing only: a header, a cookie or the source IP';
  if (hash.length && given('loadBalancer.simple')) errors['loadBalancer.simple'] = 'A load balancer is either simple or a consistent hash, not both';

  const policy: Node = structuredClone(current);
  // In place, so that keys keep their order and the diff shows only what changed.
  for (const spec of POLICY_FIELDS) {
    const raw = (values[spec.key] ?? '').trim();
    if (raw === '' || (spec.kind === 'bool' && raw === 'false')) unset(policy, spec.key.split('.'));
    else set(policy, spec.key.split('.'), spec.kind === 'int' || spec.kind === 'percent' ? Number(raw) : spec.kind === 'bool' ? true : raw);
  }
  // What cannot stand without its form field: a cookie without its name, TLS without a mode.
  if (!given('loadBalancer.consistentHash.httpCookie.name')) unset(policy, ['loadBalancer', 'consistentHash', 'httpCookie']);
  if (!given('tls.mode')) delete policy.tls;
  const lb = policy.loadBalancer as Node | undefined;
  if (lb && given('loadBalancer.simple')) delete lb.consistentHash;
  const chosen = hash[0]?.split('.')[0];
  if (lb && isNode(lb.consistentHash) && chosen) for (const k of HASH_KEYS) if (k !== chosen) delete lb.consistentHash[k];
  if (lb && Object.keys(lb).length === 0) delete policy.loadBalancer;
  return { policy, errors };
}

export interface PolicyTarget {
  subset?: string;
}

/** Replaces the traffic policy of a DestinationRule (or one subset), based on the version read. */
export function policyPatch(rule: DestinationRule, target: PolicyTarget, policy: Record<string, unknown>): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [{ op: 'replace', path: '/metadata/resourceVersion', value: rule.metadata.resourceVersion }];
  let base = '/spec/trafficPolicy';
  let exists = rule.spec.trafficPolicy !== undefined;
  if (target.subset) {
    const index = (rule.spec.subsets ?? []).findIndex((s) => s.name === target.subset);
    if (index < 0) throw new RangeError(`DestinationRule ${rule.metadata.name} has no subset ${target.subset}`);
    ops.push({ op: 'test', path: `/spec/subsets/${index}/name`, value: target.subset });
    base = `/spec/subsets/${index}/trafficPolicy`;
    exists = rule.spec.subsets![index]!.trafficPolicy !== undefined;
  }
  const empty = Object.keys(policy).length === 0;
  if (empty) return exists ? [...ops, { op: 'remove', path: base }] : ops;
  return [...ops, { op: exists ? 'replace' : 'add', path: base, value: policy }];
}

export interface RouteResilience {
  timeout?: string;
  retries?: { attempts: number; perTryTimeout?: string; retryOn?: string };
}

/** Validates a route's timeout and retries as Istio's CRD and istiod's webhook would. */
export function validateRoute(input: { timeout: string; attempts: string; perTryTimeout: string; retryOn: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  const timeout = input.timeout.trim() && validateDuration('Timeout', input.timeout, ISTIO_DURATION);
  if (timeout) errors.timeout = timeout;
  if (input.attempts && !/^\d+$/.test(input.attempts.trim())) errors.attempts = 'Retries must be a whole number (0 turns retries off)';
  const perTry = input.perTryTimeout.trim() && validateDuration('Per-try timeout', input.perTryTimeout, ISTIO_DURATION);
  if (perTry) errors.perTryTimeout = perTry;
  // istiod: "http retry policy configured when attempts are set to 0 (disabled)".
  if (input.attempts.trim() === '0' && (input.perTryTimeout.trim() || input.retryOn.trim()))
    errors.attempts = 'Retries 0 turns retries off: clear the per-try timeout and retry conditions too (Istio refuses them with 0 attempts)';
  const known = [
    '5xx',
    'gateway-error',
    'reset',
    'reset-before-request',
    'connect-failure',
    'envoy-ratelimited',
    'retriable-4xx',
    'refused-stream',
    'retriable-status-codes',
    'retriable-headers',
    'cancelled',
    'deadline-exceeded',
    'internal',
    'resource-exhausted',
    'unavailable',
  ];
  const unknown = input.retryOn
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && !known.includes(s) && !/^\d{3}$/.test(s));
  if (unknown.length) errors.retryOn = `Retry on: unknown condition ${unknown.join(', ')} (known: ${known.join(', ')}, or status codes)`;
  return errors;
}

/** Sets a route's timeout and retries, testing the route's name and carrying the version read. */
export function routeResiliencePatch(vs: VirtualService, routeIndex: number, change: RouteResilience): JsonPatchOp[] {
  const route = vs.spec.http?.[routeIndex];
  if (!route) throw new RangeError(`route ${routeIndex} does not exist in ${vs.metadata.name}`);
  const base = `/spec/http/${routeIndex}`;
  const ops: JsonPatchOp[] = [{ op: 'replace', path: '/metadata/resourceVersion', value: vs.metadata.resourceVersion }];
  if (route.name !== undefined) ops.push({ op: 'test', path: `${base}/name`, value: route.name });
  const set = (field: 'timeout' | 'retries', value: unknown) => {
    if (value === undefined) {
      if (route[field] !== undefined) ops.push({ op: 'remove', path: `${base}/${field}` });
    } else ops.push({ op: route[field] === undefined ? 'add' : 'replace', path: `${base}/${field}`, value });
  };
  set('timeout', change.timeout);
  set('retries', change.retries);
  return ops;
}

export interface Preset {
  name: string;
  explanation: string;
  policy: Record<string, unknown>;
}

export const PRESETS: Preset[] = [
  {
    name: 'Ultra-strict, for calls that must not repeat',
    explanation:
      'For calls that must not be repeated or queued: one request per connection, one concurrent retry, an endpoint ejected after 2 gateway errors for a minute, never more than a quarter of them.',
    policy: {
      connectionPool: {
        tcp: { maxConnections: 50, connectTimeout: '10s' },
        http: { http1MaxPendingRequests: 25, http2MaxRequests: 50, maxRequestsPerConnection: 1, maxRetries: 1 },
      },
      outlierDetection: { consecutiveGatewayErrors: 2, consecutive5xxErrors: 2, interval: '10s', baseEjectionTime: '60s', maxEjectionPercent: 25 },
    },
  },
  {
    name: 'Restrictive, for slow and expensive upstreams',
    explanation:
      'For slow, expensive upstreams: few connections and a short queue so overload fails fast (503 UO), ejection after 3 errors in a row for 15 s, at most 30% of endpoints.',
    policy: {
      connectionPool: {
        tcp: { maxConnections: 50, connectTimeout: '30s' },
        http: { http1MaxPendingRequests: 25, http2MaxRequests: 50, maxRequestsPerConnection: 5, maxRetries: 2 },
      },
      outlierDetection: { consecutiveGatewayErrors: 3, consecutive5xxErrors: 3, interval: '15s', baseEjectionTime: '15s', maxEjectionPercent: 30 },
    },
  },
  {
    name: 'Default',
    explanation: "Istio's defaults: effectively unlimited connection pools and no outlier detection; Envoy retries twice on connection failures.",
    policy: {},
  },
];

/** What the settings mean in practice, for the endpoints there are. */
export function consequences(policy: Record<string, unknown>, endpoints: number, route?: RouteResilience): string[] {
  const out: string[] = [];
  const od = (policy.outlierDetection ?? {}) as Record<string, number | string | undefined>;
  const pool = (policy.connectionPool ?? {}) as { tcp?: Record<string, unknown>; http?: Record<string, unknown> };
  const ejecting = (od.consecutive5xxErrors ?? 0) !== 0 || (od.consecutiveGatewayErrors ?? 0) !== 0;
  if (ejecting && endpoints > 0) {
    const pct = Number(od.maxEjectionPercent ?? 10);
    // Envoy (1.31+, without always_eject_one_host, which Istio does not set) ejects a host only
    // while the ejected share stays within maxEjectionPercent: the floor of the share, maybe 0.
    const most = Math.floor((endpoints * pct) / 100);
    const of = `maxEjectionPercent ${pct} with ${endpoints} endpoint${endpoints === 1 ? '' : 's'}`;
    out.push(
      most === 0
        ? `${of}: no endpoint can ever be ejected (one would be more than ${pct}%)`
        : `${of}: at most ${most} can be ejected at once${most >= endpoints ? ', so all of them can be out: requests then go to every endpoint anyway (panic mode)' : ''}`,
    );
  }
  if (od.baseEjectionTime) out.push(`An ejected endpoint stays out ${od.baseEjectionTime} the first time, twice that the second time, and so on`);
  if (od.consecutive5xxErrors && od.consecutiveGatewayErrors && Number(od.consecutiveGatewayErrors) >= Number(od.consecutive5xxErrors)) {
    out.push(
      `consecutiveGatewayErrors ${od.consecutiveGatewayErrors} has no effect: gateway errors are 5xx too, so ${od.consecutive5xxErrors} consecutive 5xx eject first`,
    );
  }
  if (od.minHealthPercent) out.push(`Outlier detection pauses while fewer than ${od.minHealthPercent}% of the endpoints are healthy`);
  if (pool.http?.maxRequestsPerConnection === 1) out.push('maxRequestsPerConnection 1: no keep-alive, every request opens a new connection');
  if (pool.tcp?.maxConnections !== undefined && pool.http?.http1MaxPendingRequests !== undefined) {
    out.push(
      `Beyond ${pool.tcp.maxConnections} connections per endpoint and ${pool.http.http1MaxPendingRequests} queued requests, callers get 503 at once (response flag UO)`,
    );
  }
  const timeout = route?.timeout ? durationMs(route.timeout) : undefined;
  const perTry = route?.retries?.perTryTimeout ? durationMs(route.retries.perTryTimeout) : undefined;
  if (route?.retries && timeout && perTry && (route.retries.attempts + 1) * perTry > timeout) {
    out.push(
      `${route.retries.attempts} retries × ${route.retries.perTryTimeout} per try can outlast the ${route.timeout} timeout: the last tries are cut off (504 UT)`,
    );
  }
  return out;
}
