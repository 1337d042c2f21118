import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findObject } from '../../k8s/istio/manifests.ts';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import { CrdRegistry, loadCrdFiles } from '../../sandbox/schema/crd-registry.ts';
import {
  LOCAL_RATE_LIMIT_TYPE,
  findTokenBuckets,
  refillPerSecond,
  restoreTokenBucketPatch,
  tokenBucketPatch,
  validateTokenBucket,
  type EnvoyFilter,
  type TokenBucket,
} from './rate-limits';

const fixtures = parseAllDocuments(readFileSync(new URL('./testdata/local-rate-limits.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as EnvoyFilter);
const filter = (name: string) => structuredClone(fixtures.find((f) => f.metadata.name === name)!);
const crdDir = new URL('../../sandbox/crds/', import.meta.url).pathname;
const registry = new CrdRegistry(
  loadCrdFiles(
    readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(crdDir, f)),
  ),
);
const schemaErrors = (object: EnvoyFilter) => registry.validate(object as unknown as { apiVersion: string; kind: string }).errors.map((e) => e.message);
const only = (f: EnvoyFilter) => {
  const [bucket, ...rest] = findTokenBuckets(f);
  expect(rest).toEqual([]);
  return bucket!;
};
const pick = ({ bucket, form, scope, maxTokens, tokensPerFill, fillInterval, enforcedPercent }: TokenBucket) => ({
  bucket,
  form,
  scope,
  maxTokens,
  tokensPerFill,
  fillInterval,
  enforcedPercent,
});

describe('the fixtures', () => {
  it('are EnvoyFilters of networking.istio.io/v1alpha3 that the CRD accepts', () => {
    expect(fixtures).toHaveLength(5);
    for (const f of fixtures) {
      expect(f.apiVersion).toBe('networking.istio.io/v1alpha3');
      expect(schemaErrors(f), f.metadata.name).toEqual([]);
    }
  });
});

describe('reading token buckets in every documented shape', () => {
  it('the direct @type form, as the seed mesh writes it', () => {
    expect(only(filter('direct'))).toEqual({
      namespace: 'shop',
      name: 'direct',
      resourceVersion: '11',
      patchIndex: 0,
      bucket: '/spec/configPatches/0/patch/value/typed_config/token_bucket',
      form: 'direct',
      scope: 'HTTP_FILTER · SIDECAR_INBOUND',
      workloads: 'app=checkout',
      maxTokens: 200,
      tokensPerFill: 20,
      fillInterval: '60s',
      enforcedPercent: 100,
    });
  });

  it('enforces on the enabled share only, and on none when filter_enabled is left out', () => {
    const f = filter('direct');
    delete (f.spec!.configPatches![0]!.patch!.value as { typed_config: Record<string, unknown> }).typed_config.filter_enabled;
    expect(only(f).enforcedPercent).toBe(0);
  });

  it("Istio's documented udpa TypedStruct, with the bucket under value", () => {
    expect(pick(only(filter('typed-struct')))).toEqual({
      bucket: '/spec/configPatches/0/patch/value/typed_config/value/token_bucket',
      form: 'udpa TypedStruct',
      scope: 'HTTP_FILTER · SIDECAR_INBOUND',
      maxTokens: 4,
      tokensPerFill: 4,
      fillInterval: '60s',
      enforcedPercent: 50,
    });
  });

  it('an xds TypedStruct matched by type alone, in lowerCamelCase, with string counts and default tokens per fill', () => {
    expect(only(filter('xds-camel'))).toMatchObject({
      bucket: '/spec/configPatches/0/patch/value/typedConfig/value/tokenBucket',
      form: 'xds TypedStruct',
      scope: 'HTTP_FILTER · GATEWAY',
      workloads: 'every workload in edge',
      maxTokens: 50,
      tokensPerFill: 1,
      fillInterval: '0.5s',
      enforcedPercent: 0,
    });
  });

  it('per route and per descriptor under typed_per_filter_config; a filter declared without a bucket has none', () => {
    const base = '/spec/configPatches/1/patch/value/typed_per_filter_config/envoy.filters.http.local_ratelimit/value';
    expect(findTokenBuckets(filter('per-route')).map(pick)).toEqual([
      {
        bucket: `${base}/token_bucket`,
        form: 'udpa TypedStruct',
        scope: 'HTTP_ROUTE · SIDECAR_INBOUND',
        maxTokens: 100,
        tokensPerFill: 10,
        fillInterval: '1s',
        enforcedPercent: 100,
      },
      {
        bucket: `${base}/descriptors/0/token_bucket`,
        form: 'udpa TypedStruct',
        scope: 'HTTP_ROUTE · SIDECAR_INBOUND · descriptor tier=free',
        maxTokens: 10,
        tokensPerFill: 1,
        fillInterval: '10s',
        enforcedPercent: 100,
      },
      {
        bucket: `${base}/descriptors/1/token_bucket`,
        form: 'udpa TypedStruct',
        scope: 'HTTP_ROUTE · SIDECAR_INBOUND · descriptor tier=premium',
        maxTokens: 1000,
        tokensPerFill: 100,
        fillInterval: '1s',
        enforcedPercent: 100,
      },
    ]);
  });

  it("a virtual host's limit inside a route FilterConfig, next to a filter that is no rate limit", () => {
    expect(pick(only(filter('vhost')))).toMatchObject({
      bucket: '/spec/configPatches/1/patch/value/typed_per_filter_config/envoy.filters.http.local_ratelimit/config/token_bucket',
      form: 'direct',
      scope: 'VIRTUAL_HOST · GATEWAY',
      fillInterval: '0.050s',
    });
  });

  it('the seed mesh: two direct buckets, refilled per minute', () => {
    const seed = ['global-rate-limit', 'ai-coach-rate-limit'].map((name) => only(findObject('EnvoyFilter', name) as unknown as EnvoyFilter));
    expect(seed.map((b) => [b.form, b.maxTokens, b.tokensPerFill, b.fillInterval])).toEqual([
      ['direct', 1000, 100, '60s'],
      ['direct', 100, 10, '60s'],
    ]);
    expect(refillPerSecond(seed[0]!)).toBeCloseTo(100 / 60);
  });

  it('reads nothing from a filter that is not a local rate limit, or has no patches', () => {
    const other = filter('direct');
    (other.spec!.configPatches![0]!.patch!.value as { typed_config: Record<string, string> }).typed_config['@type'] =
      'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit';
    expect(findTokenBuckets(other)).toEqual([]);
    expect(findTokenBuckets({ metadata: { name: 'x', namespace: 'y', resourceVersion: '1' } })).toEqual([]);
  });
});

describe('writing a bucket back where and as it came', () => {
  const edit = (f: EnvoyFilter, bucket: string, change: { maxTokens: number; tokensPerFill: number; fillInterval: string }) =>
    applyJsonPatch(f, tokenBucketPatch(f, bucket, change)) as EnvoyFilter;

  it.each(fixtures.map((f) => f.metadata.name))('%s: edits every bucket, changes nothing else, and the revert restores it byte for byte', (name) => {
    const original = filter(name);
    for (const before of findTokenBuckets(original)) {
      const change = { maxTokens: before.maxTokens + 7, tokensPerFill: before.tokensPerFill + 1, fillInterval: '2.5s' };
      const updated = edit(original, before.bucket, change);
      const after = findTokenBuckets(updated).find((b) => b.bucket === before.bucket)!;
      expect([after.maxTokens, after.tokensPerFill, after.fillInterval]).toEqual([change.maxTokens, change.tokensPerFill, '2.5s']);
      // Only this bucket moved.
      expect(findTokenBuckets(updated).filter((b) => b.bucket !== before.bucket)).toEqual(findTokenBuckets(original).filter((b) => b.bucket !== before.bucket));
      expect(schemaErrors(updated)).toEqual([]);
      expect(updated.apiVersion).toBe('networking.istio.io/v1alpha3');
      const reverted = applyJsonPatch(updated, restoreTokenBucketPatch(updated, original, before.bucket));
      expect(JSON.stringify(reverted)).toBe(JSON.stringify(original));
    }
  });

  it('points into value.token_bucket for a TypedStruct and pins the wrapper with test ops', () => {
    const f = filter('typed-struct');
    const ops = tokenBucketPatch(f, only(f).bucket, { maxTokens: 8, tokensPerFill: 4, fillInterval: '30s' });
    expect(ops).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '12' },
      { op: 'test', path: '/spec/configPatches/0/patch/value/typed_config/@type', value: 'type.googleapis.com/udpa.type.v1.TypedStruct' },
      { op: 'test', path: '/spec/configPatches/0/patch/value/typed_config/type_url', value: LOCAL_RATE_LIMIT_TYPE },
      { op: 'replace', path: '/spec/configPatches/0/patch/value/typed_config/value/token_bucket/max_tokens', value: 8 },
      { op: 'replace', path: '/spec/configPatches/0/patch/value/typed_config/value/token_bucket/fill_interval', value: '30s' },
    ]);
    expect(ops.some((op) => op.path.startsWith('/apiVersion') || op.path.startsWith('/kind'))).toBe(false);
  });

  it('keeps camelCase keys and string counts, adds a missing tokensPerFill in the same spelling, escapes dotted and slashed keys', () => {
    const f = filter('xds-camel');
    const ops = tokenBucketPatch(f, only(f).bucket, { maxTokens: 60, tokensPerFill: 5, fillInterval: '0.5s' });
    expect(ops.slice(3)).toEqual([
      { op: 'replace', path: '/spec/configPatches/0/patch/value/typedConfig/value/tokenBucket/maxTokens', value: '60' },
      { op: 'add', path: '/spec/configPatches/0/patch/value/typedConfig/value/tokenBucket/tokensPerFill', value: 5 },
    ]);
    expect(ops[2]).toEqual({ op: 'test', path: '/spec/configPatches/0/patch/value/typedConfig/typeUrl', value: LOCAL_RATE_LIMIT_TYPE });
  });

  it('an unchanged bucket is only its preconditions; a descriptor edit tests its entries', () => {
    const f = filter('per-route');
    const [, free] = findTokenBuckets(f);
    expect(tokenBucketPatch(f, free!.bucket, free!).every((op) => op.op === 'test' || op.path === '/metadata/resourceVersion')).toBe(true);
    expect(tokenBucketPatch(f, free!.bucket, free!)).toContainEqual({
      op: 'test',
      path: '/spec/configPatches/1/patch/value/typed_per_filter_config/envoy.filters.http.local_ratelimit/value/descriptors/0/entries',
      value: [{ key: 'tier', value: 'free' }],
    });
  });

  it('refuses a stale edit: the config changed type, or the descriptors moved', () => {
    const f = filter('per-route');
    const [, free] = findTokenBuckets(f);
    const ops = tokenBucketPatch(f, free!.bucket, { ...free!, maxTokens: 11 });
    const reordered = structuredClone(f);
    const limits = (reordered.spec!.configPatches![1]!.patch!.value as { typed_per_filter_config: Record<string, { value: { descriptors: unknown[] } }> })
      .typed_per_filter_config['envoy.filters.http.local_ratelimit']!.value;
    limits.descriptors.reverse();
    expect(() => applyJsonPatch(reordered, ops)).toThrow(/test/);
    const retyped = filter('typed-struct');
    const op = tokenBucketPatch(retyped, only(retyped).bucket, { maxTokens: 9, tokensPerFill: 1, fillInterval: '60s' });
    (retyped.spec!.configPatches![0]!.patch!.value as { typed_config: Record<string, string> }).typed_config.type_url = 'type.googleapis.com/something.Else';
    expect(() => applyJsonPatch(retyped, op)).toThrow(/test/);
  });

  it('refuses a pointer that is not a bucket of the filter', () => {
    expect(() => tokenBucketPatch(filter('direct'), '/spec/configPatches/0/patch/value/name', { maxTokens: 1, tokensPerFill: 1, fillInterval: '1s' })).toThrow(
      RangeError,
    );
  });
});

describe('validating a bucket change', () => {
  it('Envoy: counts are uint32 of at least 1, the fill at most the bucket, the interval protobuf JSON of at least 50ms', () => {
    expect(validateTokenBucket({ maxTokens: 100, tokensPerFill: 10, fillInterval: '60s' })).toEqual({});
    expect(validateTokenBucket({ maxTokens: 0, tokensPerFill: 1.5, fillInterval: '20ms' })).toEqual({
      maxTokens: 'Max tokens must be a whole number, at least 1',
      tokensPerFill: 'Tokens per fill must be a whole number, at least 1',
      fillInterval: expect.stringContaining('"20ms" is not a duration'),
    });
    expect(validateTokenBucket({ maxTokens: 5, tokensPerFill: 6, fillInterval: '0.01s' })).toEqual({
      tokensPerFill: 'Tokens per fill cannot exceed the bucket size (max tokens 5)',
      fillInterval: 'Fill interval must be at least 50ms (Envoy refuses 0.01s)',
    });
    expect(validateTokenBucket({ maxTokens: 2 ** 32, tokensPerFill: 1, fillInterval: '1s' }).maxTokens).toContain('at most 4294967295');
  });

  it('accepts the stored interval verbatim even when it is not the protobuf form', () => {
    expect(validateTokenBucket({ maxTokens: 5, tokensPerFill: 5, fillInterval: '1m' }, { fillInterval: '1m' })).toEqual({});
    expect(validateTokenBucket({ maxTokens: 5, tokensPerFill: 5, fillInterval: '2m' }, { fillInterval: '1m' }).fillInterval).toContain('write 120s');
  });
});
