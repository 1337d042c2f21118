// A Gateway's server ports must be reachable through a Service in front of its workload
// (Istio's gateway.IngressGatewayPortAnalyzer: IST0162, and IST0101 when no pod matches the selector).
import { K } from '../kinds';
import { PODS_BY_LABEL, podsSelectedAnywhere, selectorString } from '../lookups';
import { labelsMatch } from '@/lib/mesh/selectors';
import type { Analyzer } from '../types';
import type { GatewaySpec } from './gateway-spec';

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { port?: number; targetPort?: number | string; protocol?: string }[];
}

/**
 * The port a Service port reaches on its pods: the gateway listens on the Service's targetPort
 * (a number, or a numeric string), else on its port. A named targetPort counts as the port, as
 * Istio's IntValue() of a name is 0.
 */
function podPort(port: NonNullable<ServiceSpec['ports']>[number]): number | undefined {
  const target = typeof port.targetPort === 'string' ? Number.parseInt(port.targetPort, 10) : port.targetPort;
  return target && Number.isFinite(target) ? target : port.port;
}

export const gatewayIngressPort: Analyzer = {
  id: 'gateway.ingressgatewayport',
  description: "Checks a gateway's ports against the gateway's Kubernetes service ports",
  kinds: [K.Gateway],
  codes: ['IST0101', 'IST0162'],
  indexes: [PODS_BY_LABEL],
  check(gateway, context) {
    if (!context.available(K.Pod)) return;
    const spec = (gateway.spec ?? {}) as GatewaySpec;
    const selector = selectorString(spec.selector);
    const pods = podsSelectedAnywhere(context, spec.selector);
    if (pods.length === 0) {
      context.report('IST0101', `Referenced selector not found: "${selector}"`, { path: 'spec.selector' });
      return;
    }
    if (!context.available(K.Service)) return;
    // Like Istio: any Service of a gateway pod's namespace whose selector matches the pod may expose
    // the port (TCP ports only; Kubernetes defaults a port's protocol to TCP). As in Istio, a
    // Service without a selector counts too: it may front the pods through Endpoints of its own.
    const exposed = new Set<number>();
    for (const pod of pods) {
      for (const service of context.list(K.Service, pod.metadata.namespace)) {
        const serviceSpec = (service.spec ?? {}) as ServiceSpec;
        if (!labelsMatch(serviceSpec.selector, pod.metadata.labels)) continue;
        for (const port of serviceSpec.ports ?? []) {
          const number = (port.protocol ?? 'TCP') === 'TCP' ? podPort(port) : undefined;
          if (number !== undefined) exposed.add(number);
        }
      }
    }
    (spec.servers ?? []).forEach((server, index) => {
      const number = server.port?.number;
      if (number === undefined || exposed.has(number)) return;
      context.report(
        'IST0162',
        `The gateway is listening on a target port (port ${number}) that is not defined in the Service associated with its workload instances (Pod selector ${selector}). If you need to access the gateway port through the gateway Service, it will not be available.`,
        { path: `spec.servers[${index}].port.number` },
      );
    });
  },
};
