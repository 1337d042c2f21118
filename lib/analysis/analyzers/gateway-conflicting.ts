// Two Gateways with the same workload selector and server port must not serve overlapping hosts
// (Istio's gateway.ConflictingGatewayAnalyzer: IST0145, reported on each of them).
import { K } from '../kinds';
import { selectorString } from '../lookups';
import type { Analyzer, IndexDefinition } from '../types';
import { hostsOverlap } from '../lookups';
import type { GatewaySpec } from './gateway-spec';

const key = (selector: string, port: number | undefined) => `${selector}~${port ?? 0}`;

/** Gateways under `selector~port` for each of their servers (Istio's gateway map key). */
const GATEWAYS_BY_SELECTOR_PORT: IndexDefinition = {
  id: 'gateway.selector-port',
  kind: K.Gateway,
  keys: (gateway) => {
    const spec = (gateway.spec ?? {}) as GatewaySpec;
    const selector = selectorString(spec.selector);
    return [...new Set((spec.servers ?? []).map((server) => key(selector, server.port?.number)))];
  },
};

const fullName = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);

export const gatewayConflicting: Analyzer = {
  id: 'gateway.conflictinggateway',
  description: "Checks a gateway's selector, port number and hosts",
  kinds: [K.Gateway],
  codes: ['IST0145'],
  indexes: [GATEWAYS_BY_SELECTOR_PORT],
  check(gateway, context) {
    const spec = (gateway.spec ?? {}) as GatewaySpec;
    const selector = selectorString(spec.selector);
    const self = fullName(gateway.metadata.namespace, gateway.metadata.name);
    (spec.servers ?? []).forEach((server, index) => {
      const port = server.port?.number;
      const hosts = server.hosts ?? [];
      const conflicting = new Set<string>();
      for (const other of context.lookup('gateway.selector-port', key(selector, port))) {
        const otherName = fullName(other.metadata.namespace, other.metadata.name);
        if (otherName === self) continue;
        const otherHosts = ((other.spec ?? {}) as GatewaySpec).servers?.filter((s) => s.port?.number === port).flatMap((s) => s.hosts ?? []) ?? [];
        if (hosts.some((host) => otherHosts.some((otherHost) => hostsOverlap(host, otherHost)))) conflicting.add(otherName);
      }
      if (conflicting.size === 0) return;
      context.report(
        'IST0145',
        `Conflict with gateways ${[...conflicting].sort().join(',')} (workload selector ${selector}, port ${port ?? 0}, hosts ${hosts.join(',')}).`,
        { path: `spec.servers[${index}]` },
      );
    });
  },
};
