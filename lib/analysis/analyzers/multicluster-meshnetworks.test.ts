import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { multiclusterMeshNetworks } from './multicluster-meshnetworks';

const meshNetworks = `
networks:
  west:
    endpoints:
      - fromRegistry: west-cluster
      - fromCidr: 10.10.0.0/16
    gateways:
      - registryServiceName: istio-eastwestgateway.istio-system.svc.cluster.local
        port: 15443
  east:
    endpoints:
      - fromRegistry: Kubernetes
      - fromRegistry: east-cluster
`;
const istio = (networks = meshNetworks, ref = 'istio-system/istio') =>
  obj('ConfigMap', ref, undefined, { data: { mesh: 'rootNamespace: istio-system', meshNetworks: networks } });
const remoteSecret = (ref: string, clusters: string[], withData = true) =>
  obj('Secret', ref, undefined, {
    metadata: { labels: { 'istio/multiCluster': 'true' } },
    ...(withData ? { data: Object.fromEntries(clusters.map((cluster) => [cluster, 'a3ViZWNvbmZpZw=='])) } : {}),
  });

describe('multicluster.meshnetworks', () => {
  it('reports a registry that is neither built in nor a remote cluster', () => {
    const findings = findingsOf(multiclusterMeshNetworks, [istio(), remoteSecret('istio-system/istio-remote-secret-east', ['east-cluster'])]);
    expect(summarize(findings)).toEqual(['IST0126 ConfigMap istio-system/istio data.meshNetworks']);
    expect(findings[0]!.message).toBe('Unknown service registry west-cluster in network west');
  });

  it('accepts registries of remote secrets and built-in ones; ignores other ConfigMaps', () => {
    const findings = findingsOf(multiclusterMeshNetworks, [
      istio(),
      remoteSecret('istio-system/istio-remote-secret-east', ['east-cluster']),
      remoteSecret('istio-system/istio-remote-secret-west', ['west-cluster']),
      istio(meshNetworks, 'apps/istio'),
      obj('Secret', 'istio-system/unlabelled', undefined, { data: { other: 'eA==' } }),
    ]);
    expect(findings).toEqual([]);
  });

  it('reports nothing when the cluster ids cannot be known (no Secrets loaded, or remote secrets without data)', () => {
    expect(findingsOf(multiclusterMeshNetworks, [istio(), remoteSecret('istio-system/istio-remote-secret-east', [], false)])).toEqual([]);
    expect(new Analysis([multiclusterMeshNetworks], [istio()], { kinds: ['ConfigMap'] }).findings()).toEqual([]);
  });
});
