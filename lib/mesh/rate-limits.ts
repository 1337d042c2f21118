// Envoy's HTTP local rate limit as EnvoyFilters carry it, in every documented shape: the
// filter's config written directly (`"@type": ...LocalRateLimit`, as the seed mesh does) or
// wrapped in a TypedStruct (`"@type": udpa.type.v1.TypedStruct` or `xds.type.v3.TypedStruct`
// with `type_url` and `value`, as Istio's docs do); in an HTTP_FILTER patch, per route or
// virtual host under `typed_per_filter_config` (possibly inside a route FilterConfig), at the
// top level or per descriptor; with protobuf's snake_case or lowerCamelCase keys. Reads find
// every token bucket; writes go back to the same place, in the same shape and spelling.
import { FILL_INTERVAL, durationNanos, validateDuration } from './duration';
import type { JsonPatchOp } from './patches';
import { describeSelector } from './selectors';
import type { ObjectMeta } from './types';

export const LOCAL_RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
const TYPED_STRUCTS: Record<string, BucketForm> = {
  'type.googleapis.com/udpa.type.v1.TypedStruct': 'udpa TypedStruct',
  'type.googleapis.com/xds.type.v3.TypedStruct': 'xds TypedStruct',
};

/** An EnvoyFilter as Meshdeck reads it: any served version (only v1alpha3 exists today). */
export interface EnvoyFilter {
  apiVersion?: string;
  kind?: string;
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'resourceVersion'>;
  spec?: {
    workloadSelector?: { labels?: Record<string, string> };
    configPatches?: { applyTo?: string; match?: { context?: string }; patch?: { operation?: string; value?: unknown } }[];
  };
}

/** How the LocalRateLimit config is written: as itself, or inside a TypedStruct. */
export type BucketForm = 'direct' | 'udpa TypedStruct' | 'xds TypedStruct';

/** One token bucket of an EnvoyFilter, where it is and what it holds. */
export interface TokenBucket {
  namespace: string;
  name: string;
  resourceVersion: string;
  patchIndex: number;
  /** JSON pointer of the token_bucket object: the bucket's identity in writes. */
  bucket: string;
  form: BucketForm;
  /** Where it applies: "HTTP_FILTER · SIDECAR_INBOUND", "HTTP_ROUTE · … · descriptor plan=gold". */
  scope: string;
  workloads: string;
  maxTokens: number;
  tokensPerFill: number;
  /** As stored, verbatim; '' when the bucket has none. */
  fillInterval: string;
  /** Share of requests the limit is enforced on (filter_enabled × filter_enforced); Envoy's default is 0%. */
  enforcedPercent: number;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
/** The key as this object spells it: protobuf JSON accepts snake_case and lowerCamelCase. */
const keyOf = (node: Node, snake: string) => {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel in node && !(snake in node) ? camel : snake;
};
const field = (node: Node, snake: string) => node[keyOf(node, snake)];
// uint32 fields may be JSON numbers or strings in protobuf JSON.
const count = (value: unknown, fallback: number) =>
  typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : fallback;

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };
function percent(fraction: unknown): number {
  const value = isNode(fraction) ? field(fraction, 'default_value') : undefined;
  if (!isNode(value)) return 0;
  return (100 * count(value.numerator, 0)) / (DENOMINATORS[String(value.denominator ?? 'HUNDRED')] ?? 100);
}

interface Found {
  patchIndex: number;
  pointer: string;
  form: BucketForm;
  scope: string;
  node: Node;
  enforcedPercent: number;
  /** test ops that pin the identity of what the pointer walks through. */
  tests: JsonPatchOp[];
}

/** The LocalRateLimit config of a typed config object, and where its payload sits. */
function unwrap(node: Node, pointer: string): { payload: Node; at: string; form: BucketForm; tests: JsonPatchOp[] } | undefined {
  const type = node['@type'];
  const typeTest: JsonPatchOp = { op: 'test', path: `${pointer}/@type`, value: type };
  if (type === LOCAL_RATE_LIMIT_TYPE) return { payload: node, at: pointer, form: 'direct', tests: [typeTest] };
  const form = typeof type === 'string' ? TYPED_STRUCTS[type] : undefined;
  const urlKey = keyOf(node, 'type_url');
  if (form && node[urlKey] === LOCAL_RATE_LIMIT_TYPE && isNode(node.value)) {
    return {
      payload: node.value,
      at: `${pointer}/value`,
      form,
      tests: [typeTest, { op: 'test', path: `${pointer}/${escape(urlKey)}`, value: LOCAL_RATE_LIMIT_TYPE }],
    };
  }
  return undefined;
}

function collect(node: unknown, pointer: string, context: { patchIndex: number; scope: string; named: boolean }, out: Found[], depth: number): void {
  if (depth > 16) return;
  if (Array.isArray(node)) {
    node.forEach((child, i) => collect(child, `${pointer}/${i}`, context, out, depth + 1));
    return;
  }
  if (!isNode(node)) return;
  // An untyped config under the filter's own name reads as the config itself.
  const unwrapped =
    unwrap(node, pointer) ?? (context.named && node['@type'] === undefined ? { payload: node, at: pointer, form: 'direct' as const, tests: [] } : undefined);
  if (unwrapped) {
    const { payload, at, form, tests } = unwrapped;
    // Enforced only on the enabled share; both default to 0% ("for safety", says Envoy).
    const enforcedPercent = (percent(field(payload, 'filter_enabled')) * percent(field(payload, 'filter_enforced'))) / 100;
    const bucketKey = keyOf(payload, 'token_bucket');
    if (isNode(payload[bucketKey]))
      out.push({
        patchIndex: context.patchIndex,
        pointer: `${at}/${escape(bucketKey)}`,
        form,
        scope: context.scope,
        node: payload[bucketKey],
        enforcedPercent,
        tests,
      });
    const descriptors = field(payload, 'descriptors');
    if (Array.isArray(descriptors)) {
      const descriptorsKey = escape(keyOf(payload, 'descriptors'));
      descriptors.forEach((d, i) => {
        if (!isNode(d)) return;
        const key = keyOf(d, 'token_bucket');
        if (!isNode(d[key])) return;
        const entries = Array.isArray(d.entries) ? (d.entries as { key?: string; value?: string }[]) : [];
        const label = entries.map((e) => `${e.key}${e.value === undefined ? '' : `=${e.value}`}`).join(', ');
        const entriesTest: JsonPatchOp[] = d.entries === undefined ? [] : [{ op: 'test', path: `${at}/${descriptorsKey}/${i}/entries`, value: d.entries }];
        out.push({
          patchIndex: context.patchIndex,
          pointer: `${at}/${descriptorsKey}/${i}/${escape(key)}`,
          form,
          scope: `${context.scope} · descriptor ${label || i}`,
          node: d[key],
          enforcedPercent,
          tests: [...tests, ...entriesTest],
        });
      });
    }
    return;
  }
  for (const [key, child] of Object.entries(node)) {
    const named = (key === 'typed_config' || key === 'typedConfig') && node.name === LOCAL_RATE_LIMIT_FILTER;
    collect(child, `${pointer}/${escape(key)}`, { ...context, named }, out, depth + 1);
  }
}

function locate(filter: EnvoyFilter): Found[] {
  const out: Found[] = [];
  (filter.spec?.configPatches ?? []).forEach((patch, patchIndex) => {
    const scope = [patch.applyTo, patch.match?.context].filter(Boolean).join(' · ') || 'every listener';
    collect(patch.patch?.value, `/spec/configPatches/${patchIndex}/patch/value`, { patchIndex, scope, named: false }, out, 0);
  });
  return out;
}

/** A bucket's values with Envoy's defaults: tokens_per_fill 1; max_tokens and fill_interval are required. */
function read(node: Node): { maxTokens: number; tokensPerFill: number; fillInterval: string } {
  const interval = field(node, 'fill_interval');
  return {
    maxTokens: count(field(node, 'max_tokens'), 0),
    tokensPerFill: count(field(node, 'tokens_per_fill'), 1),
    fillInterval: typeof interval === 'string' ? interval : '',
  };
}

/** Every local rate limit token bucket in an EnvoyFilter, in document order. */
export function findTokenBuckets(filter: EnvoyFilter): TokenBucket[] {
  const workloads = describeSelector({ matchLabels: filter.spec?.workloadSelector?.labels }, `every workload in ${filter.metadata.namespace}`);
  return locate(filter).map((found) => ({
    namespace: filter.metadata.namespace,
    name: filter.metadata.name,
    resourceVersion: filter.metadata.resourceVersion,
    patchIndex: found.patchIndex,
    bucket: found.pointer,
    form: found.form,
    scope: found.scope,
    workloads,
    ...read(found.node),
    enforcedPercent: found.enforcedPercent,
  }));
}

/** Requests per second a bucket lets through once its burst is spent, or undefined. */
export function refillPerSecond(bucket: Pick<TokenBucket, 'tokensPerFill' | 'fillInterval'>): number | undefined {
  const nanos = durationNanos(bucket.fillInterval);
  return nanos && nanos > 0n ? (bucket.tokensPerFill * 1e9) / Number(nanos) : undefined;
}

export interface TokenBucketChange {
  maxTokens: number;
  tokensPerFill: number;
  fillInterval: string;
}

const UINT32 = 2 ** 32 - 1;

/**
 * Errors per field of a token bucket change, as Envoy would judge it. A fill interval equal
 * to the stored one is accepted as it is (it is not rewritten); a new one must be protobuf
 * JSON ("60s", "0.5s") of at least 50ms.
 */
export function validateTokenBucket(change: TokenBucketChange, current?: Pick<TokenBucket, 'fillInterval'>): Record<string, string> {
  const errors: Record<string, string> = {};
  const whole = (label: string, n: number) =>
    !Number.isInteger(n) || n < 1 ? `${label} must be a whole number, at least 1` : n > UINT32 ? `${label} must be at most ${UINT32}` : undefined;
  const max = whole('Max tokens', change.maxTokens);
  if (max) errors.maxTokens = max;
  const perFill = whole('Tokens per fill', change.tokensPerFill);
  if (perFill) errors.tokensPerFill = perFill;
  else if (!max && change.tokensPerFill > change.maxTokens)
    errors.tokensPerFill = `Tokens per fill cannot exceed the bucket size (max tokens ${change.maxTokens})`;
  const interval = change.fillInterval.trim();
  if (interval !== current?.fillInterval) {
    const error = validateDuration('Fill interval', interval, FILL_INTERVAL);
    if (error) errors.fillInterval = error;
  }
  return errors;
}

/**
 * The JSON patch that sets one token bucket: the resourceVersion as a precondition, `test`
 * ops on what identifies the bucket (its config's @type, TypedStruct type_url, descriptor
 * entries), then a replace (or add) for each field that changes, with the key spelled and
 * the number typed as stored. Never touches apiVersion. Throws RangeError when `bucket`
 * is not a token bucket of this filter.
 */
export function tokenBucketPatch(filter: EnvoyFilter, bucket: string, change: TokenBucketChange): JsonPatchOp[] {
  const found = locate(filter).find((f) => f.pointer === bucket);
  if (!found) throw new RangeError(`EnvoyFilter ${filter.metadata.namespace}/${filter.metadata.name} has no local rate limit token bucket at ${bucket}`);
  const ops: JsonPatchOp[] = [{ op: 'replace', path: '/metadata/resourceVersion', value: filter.metadata.resourceVersion }, ...found.tests];
  const node = found.node;
  // A new key follows the spelling of its neighbours.
  const camel = Object.keys(node).some((k) => /[A-Z]/.test(k));
  const set = (snake: string, value: number | string, current: number | string) => {
    if (value === current) return;
    const key = keyOf(node, snake);
    const present = key in node;
    const name = present ? key : camel ? snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : snake;
    // A count stored as a string ("100", valid protobuf JSON) stays a string.
    const typed = typeof value === 'number' && typeof node[key] === 'string' ? String(value) : value;
    ops.push({ op: present ? 'replace' : 'add', path: `${bucket}/${escape(name)}`, value: typed });
  };
  const current = read(node);
  set('max_tokens', change.maxTokens, current.maxTokens);
  set('tokens_per_fill', change.tokensPerFill, current.tokensPerFill);
  set('fill_interval', change.fillInterval.trim(), current.fillInterval);
  return ops;
}

const BUCKET_FIELDS = ['max_tokens', 'tokens_per_fill', 'fill_interval'].flatMap((snake) => [
  snake,
  snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
]);

/**
 * The patch that puts a bucket of `updated` back as it was in `before`, exactly: the same
 * keys with the same JSON types, and a key that was absent (tokens_per_fill left to its
 * default) removed again. Carries `updated`'s resourceVersion, so that a revert never
 * overwrites a later change.
 */
export function restoreTokenBucketPatch(updated: EnvoyFilter, before: EnvoyFilter, bucket: string): JsonPatchOp[] {
  const now = locate(updated).find((f) => f.pointer === bucket);
  const then = locate(before).find((f) => f.pointer === bucket);
  if (!now || !then)
    throw new RangeError(`EnvoyFilter ${updated.metadata.namespace}/${updated.metadata.name} has no local rate limit token bucket at ${bucket}`);
  const ops: JsonPatchOp[] = [{ op: 'replace', path: '/metadata/resourceVersion', value: updated.metadata.resourceVersion }, ...now.tests];
  for (const key of BUCKET_FIELDS) {
    const path = `${bucket}/${escape(key)}`;
    if (key in then.node) {
      if (now.node[key] !== then.node[key]) ops.push({ op: key in now.node ? 'replace' : 'add', path, value: then.node[key] });
    } else if (key in now.node) ops.push({ op: 'remove', path });
  }
  return ops;
}
