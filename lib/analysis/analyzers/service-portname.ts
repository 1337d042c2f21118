// Service ports whose name (or appProtocol) tells Istio no protocol get protocol sniffing
// (IST0118); on an ExternalName Service an unnamed or `tcp` port may keep TCP traffic from
// being forwarded (IST0150). Istio's service.PortNameAnalyzer; the control plane's own Services
// and the Services Istio generates for gateways and waypoints are skipped, as Istio does.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer } from '../types';

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}
interface ServiceSpec {
  type?: string;
  ports?: ServicePort[];
}

/** Prefixes Istio understands (pkg/config/protocol Parse), lower-cased. */
const PROTOCOLS = new Set(['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);
/** Ports Istio never sniffs: SMTP, DNS, MySQL, MongoDB are TCP when unnamed. */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);
/** `gateway.istio.io/managed` values of Services Istio creates itself. */
const MANAGED_BY_ISTIO = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);

/** Whether Istio derives a protocol for the port (pkg/config/kube ConvertProtocol): appProtocol, else the name's prefix. */
function protocolKnown(port: ServicePort): boolean {
  if (port.protocol === 'UDP') return true;
  let name = port.appProtocol ?? port.name ?? '';
  if (name.toLowerCase().startsWith('grpc-web')) return true;
  const dash = name.indexOf('-');
  if (dash >= 0) name = name.slice(0, dash);
  return PROTOCOLS.has(name.toLowerCase()) || WELL_KNOWN_TCP_PORTS.has(port.port ?? 0);
}

/** Istio's control plane Services carry an `istio` label or `release: istio` (analyzers/util IsIstioControlPlane). */
const isControlPlane = (service: AnalysisObject) => service.metadata.labels?.istio !== undefined || service.metadata.labels?.release === 'istio';

export const servicePortName: Analyzer = {
  id: 'service.portname',
  description: 'Service port names follow Istio naming, so the protocol is not left to sniffing',
  kinds: [K.Service],
  codes: ['IST0118', 'IST0150'],
  check(service, context) {
    if (isControlPlane(service) || MANAGED_BY_ISTIO.has(service.metadata.labels?.['gateway.istio.io/managed'] ?? '')) return;
    const spec = (service.spec ?? {}) as ServiceSpec;
    const externalName = spec.type === 'ExternalName';
    (spec.ports ?? []).forEach((port, i) => {
      if (protocolKnown(port) && !(externalName && port.name === 'tcp')) return;
      const path = `spec.ports[${i}].name`;
      if (externalName) {
        context.report(
          'IST0150',
          'Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly',
          { path },
        );
        return;
      }
      // Go prints an unset targetPort (IntOrString zero value) as 0.
      const message = `Port name ${port.name ?? ''} (port: ${port.port ?? 0}, targetPort: ${port.targetPort ?? 0}) doesn't follow the naming convention of Istio port.`;
      context.report('IST0118', message, { path });
    });
  },
};
