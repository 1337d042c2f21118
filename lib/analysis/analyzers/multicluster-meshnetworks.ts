// Mesh networks must name service registries Istio knows (Istio's multicluster.MeshNetworksAnalyzer,
// IST0126): `Kubernetes`, `External`, `Mock`, or a cluster id, i.e. a key of a remote secret
// (a Secret labelled `istio/multiCluster=true`). The mesh networks are the `meshNetworks` key of the
// `istio` ConfigMap in the control plane's namespace. Without the Secrets loaded, or with remote
// secrets read without their data, the cluster ids are unknown and nothing is reported.
import { parse } from 'yaml';
import { K } from '../kinds';
import { DEFAULT_ROOT_NAMESPACE } from '../lookups';
import type { Analyzer } from '../types';

const BUILTIN_REGISTRIES = ['Mock', 'Kubernetes', 'External'];
const REMOTE_SECRET_LABEL = 'istio/multiCluster';

interface MeshNetworks {
  networks?: Record<string, { endpoints?: { fromRegistry?: string }[] } | null>;
}

function meshNetworks(text: string | undefined): MeshNetworks | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = parse(text);
    return value && typeof value === 'object' ? (value as MeshNetworks) : undefined;
  } catch {
    return undefined;
  }
}

export const multiclusterMeshNetworks: Analyzer = {
  id: 'multicluster.meshnetworks',
  description: 'Mesh networks name only service registries Istio knows (built-in ones and remote clusters)',
  kinds: [K.ConfigMap],
  codes: ['IST0126'],
  check(configMap, context) {
    if (configMap.metadata.name !== 'istio' || configMap.metadata.namespace !== DEFAULT_ROOT_NAMESPACE) return;
    const networks = meshNetworks(configMap.data?.meshNetworks)?.networks;
    if (!networks || !context.available(K.Secret)) return;
    const remoteSecrets = context.list(K.Secret).filter((secret) => secret.metadata.labels?.[REMOTE_SECRET_LABEL] === 'true');
    if (remoteSecrets.some((secret) => !secret.data)) return;
    const known = new Set([...BUILTIN_REGISTRIES, ...remoteSecrets.flatMap((secret) => Object.keys(secret.data!))]);
    for (const [network, definition] of Object.entries(networks).sort(([a], [b]) => a.localeCompare(b))) {
      for (const { fromRegistry } of definition?.endpoints ?? []) {
        if (fromRegistry !== undefined && !known.has(fromRegistry)) {
          context.report('IST0126', `Unknown service registry ${fromRegistry} in network ${network}`, { path: 'data.meshNetworks' });
        }
      }
    }
  },
};
