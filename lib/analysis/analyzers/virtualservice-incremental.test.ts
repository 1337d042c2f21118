// The VirtualService analyzers read other objects through indexes and lists only: after any
// sequence of changes, the incremental findings equal those of a fresh analysis.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analysis, findingKey, type Change } from '../engine';
import { keyOf } from '../kinds';
import { obj } from '../testing';
import { schemaVirtualService } from './schema-virtualservice';
import { virtualServiceConflictingMeshGatewayHosts } from './virtualservice-conflictingmeshgatewayhosts';
import { virtualServiceDestinationHosts } from './virtualservice-destinationhosts';
import { virtualServiceDestinationRules } from './virtualservice-destinationrules';
import { virtualServiceGateways } from './virtualservice-gateways';
import { virtualServiceJwtClaimRoute } from './virtualservice-jwtclaimroute';
import { virtualServiceRegexes } from './virtualservice-regexes';

const analyzers = [
  virtualServiceConflictingMeshGatewayHosts,
  virtualServiceDestinationHosts,
  virtualServiceDestinationRules,
  virtualServiceGateways,
  virtualServiceJwtClaimRoute,
  virtualServiceRegexes,
  schemaVirtualService,
];
const namespaces = ['fleet', 'depot'];
const hosts = ['trucks', 'trucks.fleet.svc.cluster.local', '*.fleet.svc.cluster.local', 'maps.example.net', '*.example.net', '*'];
const upsertOrDelete = (del: boolean, object: Change['object']): Change => ({ type: del ? 'delete' : 'upsert', object });

const change = fc.oneof(
  fc
    .record({
      ns: fc.constantFrom(...namespaces),
      name: fc.constantFrom('a', 'b', 'c'),
      hosts: fc.subarray(hosts, { minLength: 1, maxLength: 2 }),
      gateways: fc.constantFrom([], ['mesh'], ['edge'], ['depot/edge', 'mesh']),
      exportTo: fc.constantFrom(undefined, ['.'], ['fleet']),
      to: fc.constantFrom('trucks', 'maps.example.net', 'trucks.depot.svc.cluster.local'),
      subset: fc.constantFrom(undefined, 'v1'),
      claims: fc.boolean(),
      del: fc.boolean(),
    })
    .map((v) =>
      upsertOrDelete(
        v.del,
        obj('VirtualService', `${v.ns}/${v.name}`, {
          hosts: v.hosts,
          gateways: v.gateways,
          ...(v.exportTo ? { exportTo: v.exportTo } : {}),
          http: [
            ...(v.claims ? [{ match: [{ headers: { '@request.auth.claims.role': { exact: 'x' } } }], route: [{ destination: { host: v.to } }] }] : []),
            { route: [{ destination: { host: v.to, ...(v.subset ? { subset: v.subset } : {}) } }] },
          ],
        }),
      ),
    ),
  fc
    .record({ ns: fc.constantFrom(...namespaces), ports: fc.constantFrom([80], [80, 443]), del: fc.boolean() })
    .map((v) => upsertOrDelete(v.del, obj('Service', `${v.ns}/trucks`, { ports: v.ports.map((port) => ({ port })) }))),
  fc
    .record({ host: fc.constantFrom('maps.example.net', '*.example.net'), exportTo: fc.constantFrom(undefined, ['.']), del: fc.boolean() })
    .map((v) =>
      upsertOrDelete(v.del, obj('ServiceEntry', 'depot/maps', { hosts: [v.host], ...(v.exportTo ? { exportTo: v.exportTo } : {}), ports: [{ number: 443 }] })),
    ),
  fc
    .record({ ns: fc.constantFrom(...namespaces), subsets: fc.subarray(['v1', 'v2']), del: fc.boolean() })
    .map((v) => upsertOrDelete(v.del, obj('DestinationRule', `${v.ns}/trucks`, { host: 'trucks', subsets: v.subsets.map((name) => ({ name })) }))),
  fc
    .record({ ns: fc.constantFrom(...namespaces), hosts: fc.subarray(['*', 'maps.example.net', './trucks.fleet.svc.cluster.local']), del: fc.boolean() })
    .map((v) =>
      upsertOrDelete(
        v.del,
        obj('Gateway', `${v.ns}/edge`, { selector: { app: 'edge' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: v.hosts }] }),
      ),
    ),
  fc
    .record({ ns: fc.constantFrom(...namespaces), app: fc.constantFrom('edge', 'web'), del: fc.boolean() })
    .map((v) => upsertOrDelete(v.del, obj('Pod', `${v.ns}/edge-1`, {}, { metadata: { labels: { app: v.app } } }))),
  fc
    .record({ ns: fc.constantFrom('istio-system', 'depot'), del: fc.boolean() })
    .map((v) => upsertOrDelete(v.del, obj('RequestAuthentication', `${v.ns}/jwt`, { selector: { matchLabels: { app: 'edge' } } }))),
);

const keys = (analysis: Analysis) => analysis.findings().map(findingKey);

describe('VirtualService analyzers, incrementally', () => {
  it('after any sequence of changes, hold exactly the findings of a fresh analysis', () => {
    let seen = 0;
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), (changes) => {
        const incremental = new Analysis(analyzers);
        const objects = new Map<string, Change['object']>();
        for (const c of changes) {
          incremental.apply([c]);
          if (c.type === 'upsert') objects.set(keyOf(c.object), c.object);
          else objects.delete(keyOf(c.object));
        }
        const fresh = keys(new Analysis(analyzers, objects.values()));
        seen += fresh.length;
        expect(keys(incremental)).toEqual(fresh);
      }),
      { numRuns: 200 },
    );
    // The generators do produce findings (the property is not vacuous): about one per run on average,
    // so 50 over 200 runs holds whatever the random draw, and 0 would mean a broken generator.
    expect(seen).toBeGreaterThan(50);
  });
});
