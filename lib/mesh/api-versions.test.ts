// Objects stored through older API versions (networking v1beta1 and v1alpha3, security
// v1beta1) read and patch like v1: no reader compares apiVersion, no patch builder writes it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import { emergencyOf, extendPatch, restorePatch, skipPatch, startPatch } from './emergency';
import { scopeMode } from './mtls';
import { matchPatch, weightPatch, type JsonPatchOp } from './patches';
import { findTokenBuckets, tokenBucketPatch, type EnvoyFilter } from './rate-limits';
import { policyPatch, routeResiliencePatch } from './resilience';
import type { PeerAuthentication } from './security-types';
import { viewVirtualService } from './traffic-split';
import type { DestinationRule, VirtualService } from './types';

const touchesType = (ops: JsonPatchOp[]) => ops.filter((op) => /^\/(apiVersion|kind)(\/|$)/.test(op.path));

describe('no lib/mesh source compares or writes an apiVersion', () => {
  it('finds none in the sources', () => {
    const dir = new URL('.', import.meta.url).pathname;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      // ownerReferences are matched by API group (flagger.app, argoproj.io), never by version.
      expect(source.match(/apiVersion\s*(===|!==|==|!=)|['"]\/apiVersion/g), file).toBeNull();
    }
  });
});

describe.each(['v1', 'v1beta1', 'v1alpha3'])('networking.istio.io/%s', (version) => {
  const apiVersion = `networking.istio.io/${version}`;
  const vs = (): VirtualService => ({
    apiVersion,
    kind: 'VirtualService',
    metadata: { name: 'shop', namespace: 'a', resourceVersion: '5' },
    spec: {
      hosts: ['shop'],
      http: [
        {
          name: 'main',
          route: [
            { destination: { host: 'shop', subset: 'v1' }, weight: 90 },
            { destination: { host: 'shop', subset: 'v2' }, weight: 10 },
          ],
        },
      ],
    },
  });
  const dr = (): DestinationRule => ({
    apiVersion,
    kind: 'DestinationRule',
    metadata: { name: 'shop', namespace: 'a', resourceVersion: '6' },
    spec: {
      host: 'shop',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    },
  });

  it('reads a traffic split and patches weights, matches, policies and route timeouts without writing apiVersion', () => {
    expect(viewVirtualService(vs(), [dr()]).routes[0]!.destinations.map((d) => d.weight)).toEqual([90, 10]);
    const all = [
      weightPatch(vs(), 0, [50, 50]),
      matchPatch(vs(), 0, [{ uri: { prefix: '/api' } }]),
      routeResiliencePatch(vs(), 0, { timeout: '1m30s' }),
      policyPatch(dr(), {}, { outlierDetection: { interval: '1m30s' } }),
    ];
    for (const ops of all) expect(touchesType(ops)).toEqual([]);
    expect((applyJsonPatch(vs(), all[0]!) as VirtualService).apiVersion).toBe(apiVersion);
  });
});

describe.each(['v1', 'v1beta1'])('security.istio.io/%s', (version) => {
  const pa = (): PeerAuthentication & { metadata: { generation: number } } => ({
    apiVersion: `security.istio.io/${version}`,
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'istio-system', resourceVersion: '3', generation: 1 },
    spec: { mtls: { mode: 'STRICT' } },
  });

  it('resolves the mode and builds emergency patches without writing apiVersion', () => {
    expect(scopeMode([pa()], 'istio-system').mode).toBe('STRICT');
    const start = startPatch(pa(), { reason: 'r', by: 'a', now: new Date('2026-01-01T00:00:00Z'), minutes: 5 });
    const applied = applyJsonPatch(pa(), start) as ReturnType<typeof pa>;
    const relaxed = { ...applied, metadata: { ...applied.metadata, generation: 2 } };
    expect(emergencyOf(relaxed)?.previousMode).toBe('STRICT');
    for (const ops of [start, restorePatch(relaxed), extendPatch(relaxed, new Date()), skipPatch(relaxed, 'x')]) expect(touchesType(ops)).toEqual([]);
  });
});

describe('networking.istio.io/v1alpha3 EnvoyFilter, its only version', () => {
  it('reads and patches a rate limit without writing apiVersion', () => {
    const filter: EnvoyFilter = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'rl', namespace: 'a', resourceVersion: '8' },
      spec: {
        configPatches: [
          {
            applyTo: 'HTTP_FILTER',
            patch: {
              operation: 'INSERT_BEFORE',
              value: {
                name: 'envoy.filters.http.local_ratelimit',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
                  stat_prefix: 'rl',
                  token_bucket: { max_tokens: 10, tokens_per_fill: 1, fill_interval: '1s' },
                },
              },
            },
          },
        ],
      },
    };
    const [bucket] = findTokenBuckets(filter);
    expect(touchesType(tokenBucketPatch(filter, bucket!.bucket, { maxTokens: 20, tokensPerFill: 2, fillInterval: '2s' }))).toEqual([]);
  });
});
