import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { deploymentApplicationUid } from './deployment-application-uid';

const podSpec = (podUid?: number, containerUids: Record<string, number | undefined> = {}) => ({
  ...(podUid === undefined ? {} : { securityContext: { runAsUser: podUid } }),
  containers: Object.entries(containerUids).map(([name, uid]) => ({
    name,
    image: `${name}:1`,
    ...(uid === undefined ? {} : { securityContext: { runAsUser: uid } }),
  })),
});

describe('deployment.applicationuid', () => {
  it('reports UID 1337 on a pod and on application containers of a deployment', () => {
    const findings = findingsOf(deploymentApplicationUid, [
      obj('Pod', 'batch/export-7f9', podSpec(1337, { exporter: 1000 })),
      obj('Deployment', 'batch/importer', { template: { spec: podSpec(2000, { importer: 1337, 'istio-proxy': 1337 }) } }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0144 Deployment batch/importer spec.template.spec.containers[0].securityContext.runAsUser',
      'IST0144 Pod batch/export-7f9 spec.securityContext.runAsUser',
    ]);
    expect(findings[0]!.message).toBe('User ID (UID) 1337 is reserved for the sidecar proxy.');
  });

  it("leaves the proxy's own UID, other UIDs and Istio's control plane", () => {
    const findings = findingsOf(deploymentApplicationUid, [
      obj('Pod', 'batch/worker', podSpec(undefined, { worker: 1001, 'istio-proxy': 1337, 'istio-operator': 1337 })),
      obj('Deployment', 'istio-system/istiod', { template: { spec: podSpec(1337) } }, { metadata: { labels: { istio: 'pilot' } } }),
      obj('Pod', 'istio-system/gateway-1', podSpec(1337), { metadata: { labels: { release: 'istio' } } }),
    ]);
    expect(findings).toEqual([]);
  });
});
