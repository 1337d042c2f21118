import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { envoyFilterPatches } from './envoyfilter-patches';

// Shapes from Istio's EnvoyFilter reference, written through networking.istio.io/v1alpha3.
const luaBeforeRouter = {
  applyTo: 'HTTP_FILTER',
  match: {
    context: 'SIDECAR_INBOUND',
    listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
  },
  patch: {
    operation: 'INSERT_BEFORE',
    value: {
      name: 'envoy.lua',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua', inlineCode: 'function envoy_on_request(h) end' },
    },
  },
};
const idleTimeoutMerge = {
  applyTo: 'NETWORK_FILTER',
  match: { context: 'SIDECAR_OUTBOUND', listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager' } } } },
  patch: {
    operation: 'MERGE',
    value: {
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        common_http_protocol_options: { idle_timeout: '1m30s' },
      },
    },
  },
};
const addCluster = {
  applyTo: 'CLUSTER',
  match: { context: 'SIDECAR_OUTBOUND' },
  patch: { operation: 'ADD', value: { name: 'ratelimit_cluster', type: 'STRICT_DNS', connect_timeout: '0.25s', lb_policy: 'ROUND_ROBIN' } },
};
const ef = (ref: string, configPatches: unknown[], priority?: number) =>
  obj('EnvoyFilter', ref, { ...(priority === undefined ? {} : { priority }), workloadSelector: { labels: { app: 'ledger' } }, configPatches });
const withVersion = (patch: typeof luaBeforeRouter, proxyVersion: string) => ({ ...patch, match: { ...patch.match, proxy: { proxyVersion } } });

describe('envoyfilter.envoypatch', () => {
  it('warns on a relative operation without priority (IST0151), not on MERGE, ADD of a cluster, or with a priority', () => {
    const findings = findingsOf(envoyFilterPatches, [
      ef('ledger/lua', [luaBeforeRouter, idleTimeoutMerge, addCluster]),
      ef('ledger/lua-ordered', [luaBeforeRouter], 10),
    ]);
    expect(summarize(findings)).toEqual(['IST0151 EnvoyFilter ledger/lua spec.configPatches[0].patch.operation']);
    expect(findings[0]!.level).toBe('Warning');
    expect(findings[0]!.message).toContain('does not have a priority and has a relative patch operation set');
  });

  it('reports operations Istio ignores: ADD/REMOVE on routes (IST0153, IST0154), REPLACE outside filters (IST0152)', () => {
    const findings = findingsOf(envoyFilterPatches, [
      ef(
        'ledger/routes',
        [
          { applyTo: 'HTTP_ROUTE', match: { context: 'SIDECAR_OUTBOUND' }, patch: { operation: 'ADD', value: { name: 'extra' } } },
          { applyTo: 'ROUTE_CONFIGURATION', patch: { operation: 'REMOVE' } },
          { applyTo: 'CLUSTER', patch: { operation: 'REPLACE', value: { name: 'outbound|80||ledger.bank.svc.cluster.local' } } },
          { applyTo: 'NETWORK_FILTER', patch: { operation: 'REPLACE', value: { name: 'envoy.filters.network.tcp_proxy' } } },
        ],
        5,
      ),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0152 EnvoyFilter ledger/routes spec.configPatches[2].patch.operation',
      'IST0153 EnvoyFilter ledger/routes spec.configPatches[0].patch.operation',
      'IST0154 EnvoyFilter ledger/routes spec.configPatches[1].patch.operation',
    ]);
    expect(findings.map((f) => f.level)).toEqual(['Error', 'Error', 'Error']);
  });

  it('says IST0155 when an earlier EnvoyFilter pins a proxyVersion for the same filter name', () => {
    const findings = findingsOf(envoyFilterPatches, [
      ef('bank/a-lua-1-29', [withVersion(luaBeforeRouter, '^1\\.29.*')], 1),
      ef('bank/b-lua', [luaBeforeRouter]),
      ef('bank/c-other', [{ ...luaBeforeRouter, patch: { ...luaBeforeRouter.patch, value: { name: 'envoy.filters.http.wasm' } } }]),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0155 EnvoyFilter bank/b-lua spec.configPatches[0].patch.operation',
      'IST0151 EnvoyFilter bank/c-other spec.configPatches[0].patch.operation',
    ]);
  });

  it('re-checks when the versioned EnvoyFilter goes away, and stops at a patch without a patch', () => {
    const analysis = new Analysis(
      [envoyFilterPatches],
      [
        ef('bank/a-lua-1-29', [withVersion(luaBeforeRouter, '^1\\.29.*')], 1),
        ef('bank/b-lua', [luaBeforeRouter, { applyTo: 'HTTP_FILTER' }, { applyTo: 'CLUSTER', patch: { operation: 'REPLACE' } }]),
      ],
    );
    expect(summarize(analysis.findings())).toEqual(['IST0155 EnvoyFilter bank/b-lua spec.configPatches[0].patch.operation']);
    analysis.apply([{ type: 'delete', object: ef('bank/a-lua-1-29', []) }]);
    expect(summarize(analysis.findings())).toEqual(['IST0151 EnvoyFilter bank/b-lua spec.configPatches[0].patch.operation']);
  });
});
