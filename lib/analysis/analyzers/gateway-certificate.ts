// One certificate served by several Gateways on the same workload makes clients that reuse an
// HTTP/2 connection hit the wrong server and get 404s (envoyproxy/envoy#6767; Istio's
// gateway.CertificateAnalyzer: IST0138). Gateways are compared across namespaces, as istiod does
// unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE is set.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer, IndexDefinition } from '../types';
import type { GatewaySpec, ServerTls } from './gateway-spec';

/** What makes two servers' certificates "the same" for Istio: one credentialName, or one file pair. */
function certificateKey(tls: ServerTls | undefined): string | undefined {
  if (!tls) return undefined;
  if (tls.credentialName) return `credential:${tls.credentialName}`;
  if (tls.serverCertificate && tls.privateKey) return `files:${tls.serverCertificate}|${tls.privateKey}`;
  return undefined;
}

const GATEWAYS_BY_CERTIFICATE: IndexDefinition = {
  id: 'gateway.certificate',
  kind: K.Gateway,
  keys: (gateway) => [
    ...new Set(((gateway.spec ?? {}) as GatewaySpec).servers?.map((server) => certificateKey(server.tls)).filter((k) => k !== undefined) ?? []),
  ],
};

/** Whether every label of `selector` is in `other` with the same value (an empty selector is in every one). */
const selectorWithin = (selector: Record<string, string> | undefined, other: Record<string, string> | undefined) =>
  Object.entries(selector ?? {}).every(([key, value]) => other?.[key] === value);

const fullName = (gateway: AnalysisObject) => `${gateway.metadata.namespace ?? ''}/${gateway.metadata.name}`;

export const gatewayCertificate: Analyzer = {
  id: 'gateway.certificate',
  description: 'Checks a gateway certificate',
  kinds: [K.Gateway],
  codes: ['IST0138'],
  indexes: [GATEWAYS_BY_CERTIFICATE],
  check(gateway, context) {
    const spec = (gateway.spec ?? {}) as GatewaySpec;
    const reported = new Set<string>();
    (spec.servers ?? []).forEach((server, index) => {
      const certificate = certificateKey(server.tls);
      if (!certificate) return;
      for (const other of context.lookup('gateway.certificate', certificate)) {
        if (other === gateway || fullName(other) === fullName(gateway) || reported.has(fullName(other))) continue;
        if (!selectorWithin(spec.selector, ((other.spec ?? {}) as GatewaySpec).selector)) continue;
        reported.add(fullName(other));
        context.report(
          'IST0138',
          `Duplicate certificate in multiple gateways [${fullName(gateway)} ${fullName(other)}] may cause 404s if clients re-use HTTP2 connections.`,
          { path: `spec.servers[${index}].tls` },
        );
      }
    });
  },
};
