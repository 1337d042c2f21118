// A mesh deployment behind several Services that disagree about a port (Istio's
// deployment.ServiceAssociationAnalyzer): one port number with different protocols (IST0116),
// or one targetPort reached through different ports (IST0137). Like Istio, only deployments in
// the mesh count (a proxy in the template, an inject label or annotation `true`, or a namespace
// labelled `istio-injection=enabled`; Istio's check does not read `istio.io/rev`), and waypoints
// are left out. IST0117 (a deployment with no Service) is retired in Istio.
import { K } from '../kinds';
import { podInMesh } from '../lookups';
import { selectorMatches } from '@/lib/mesh/selectors';
import type { AnalysisObject, Analyzer, View } from '../types';
import { type DeploymentSpec } from './injection-shared';

interface ServicePort {
  port?: number;
  protocol?: string;
  targetPort?: number | string;
}
interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
}

const WAYPOINT_LABEL = 'gateway.istio.io/managed';
const WAYPOINT_CONTROLLER = 'istio.io/mesh-controller';

/** Istio's DeploymentInMesh: PodInMesh over the pod template (its containers, not its init containers). */
function deploymentInMesh(deployment: AnalysisObject, view: View): boolean {
  const template = (deployment.spec as DeploymentSpec | undefined)?.template;
  const { namespace = 'default', name } = deployment.metadata;
  return podInMesh(view, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: template?.metadata?.labels, annotations: template?.metadata?.annotations },
    spec: { containers: template?.spec?.containers },
  });
}

const goList = (items: readonly (string | number)[]) => `[${items.join(' ')}]`;

export const deploymentServices: Analyzer = {
  id: 'deployment.services',
  description: 'Services selecting one mesh deployment agree on the protocol of a port and the port of a targetPort',
  kinds: [K.Deployment],
  codes: ['IST0116', 'IST0137'],
  check(deployment, context) {
    if (deployment.metadata.labels?.[WAYPOINT_LABEL] === WAYPOINT_CONTROLLER || !deploymentInMesh(deployment, context)) return;
    const podLabels = (deployment.spec as DeploymentSpec | undefined)?.template?.metadata?.labels;
    const services = context.list(K.Service, deployment.metadata.namespace).filter((service) => {
      const selector = (service.spec as ServiceSpec | undefined)?.selector;
      return selector && Object.keys(selector).length > 0 && selectorMatches({ matchLabels: selector }, podLabels);
    });
    if (services.length === 0) return;
    // port → protocol → services; targetPort → port → service (the last one wins, as in Istio).
    const protocolsByPort = new Map<number, Map<string, string[]>>();
    const portsByTargetPort = new Map<string, Map<number, string>>();
    for (const service of services) {
      const name = `${service.metadata.namespace}/${service.metadata.name}`;
      for (const { port = 0, protocol, targetPort } of (service.spec as ServiceSpec).ports ?? []) {
        const protocols = protocolsByPort.get(port) ?? new Map<string, string[]>();
        protocolsByPort.set(port, protocols);
        const key = protocol || 'TCP';
        protocols.set(key, [...(protocols.get(key) ?? []), name]);
        const target = targetPort === undefined || targetPort === '' || targetPort === 0 ? String(port) : String(targetPort);
        const ports = portsByTargetPort.get(target) ?? new Map<number, string>();
        portsByTargetPort.set(target, ports.set(port, name));
      }
    }
    const name = deployment.metadata.name;
    const path = 'spec.template.metadata.labels';
    for (const [port, protocols] of [...protocolsByPort].sort(([a], [b]) => a - b)) {
      if (protocols.size < 2) continue;
      const names = [...protocols.values()].flat().sort();
      context.report('IST0116', `This deployment ${name} is associated with multiple services using port ${port} but different protocols: ${goList(names)}`, {
        path,
      });
    }
    for (const [target, ports] of [...portsByTargetPort].sort(([a], [b]) => a.localeCompare(b))) {
      if (ports.size < 2) continue;
      const names = [...ports.values()].sort();
      const numbers = [...ports.keys()].sort((a, b) => a - b);
      context.report(
        'IST0137',
        `This deployment ${name} is associated with multiple services ${goList(names)} using targetPort ${JSON.stringify(target)} but different ports: ${goList(numbers)}.`,
        { path },
      );
    }
  },
};
