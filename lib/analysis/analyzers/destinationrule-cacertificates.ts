// TLS origination without caCertificates does not verify the server (Istio's
// destinationrule.CaCertificateAnalyzer: IST0128 for the rule's TLS, IST0129 per port). A
// credentialName on a rule with a workloadSelector carries its own CA, so Istio lets that pass.
import { K } from '../kinds';
import type { Analyzer } from '../types';

interface ClientTls {
  mode?: string;
  caCertificates?: string;
  credentialName?: string;
}
interface DestinationRuleSpec {
  host?: string;
  workloadSelector?: unknown;
  trafficPolicy?: { tls?: ClientTls; portLevelSettings?: { port?: { number?: number }; tls?: ClientTls }[] };
}

export const destinationRuleCaCertificates: Analyzer = {
  id: 'destinationrule.cacertificate',
  description: 'TLS origination (SIMPLE or MUTUAL) names the CA that verifies the server',
  kinds: [K.DestinationRule],
  codes: ['IST0128', 'IST0129'],
  check(rule, context) {
    const spec = (rule.spec ?? {}) as DestinationRuleSpec;
    const namespace = rule.metadata.namespace ?? '';
    const unverified = (tls: ClientTls | undefined) =>
      (tls?.mode === 'SIMPLE' || tls?.mode === 'MUTUAL') && !tls.caCertificates && !(tls.credentialName && spec.workloadSelector);
    const prefix = `DestinationRule ${namespace}/${rule.metadata.name} in namespace ${namespace} has TLS mode set to`;
    const tls = spec.trafficPolicy?.tls;
    if (unverified(tls)) {
      context.report('IST0128', `${prefix} ${tls!.mode} but no caCertificates are set to validate server identity for host: ${spec.host ?? ''}`, {
        path: 'spec.trafficPolicy.tls',
      });
    }
    (spec.trafficPolicy?.portLevelSettings ?? []).forEach((setting, i) => {
      if (!unverified(setting.tls)) return;
      // Istio prints the port selector as protobuf text (`number:443`).
      const port = setting.port?.number === undefined ? '' : `number:${setting.port.number}`;
      context.report(
        'IST0129',
        `${prefix} ${setting.tls!.mode} but no caCertificates are set to validate server identity for host: ${spec.host ?? ''} at port ${port}`,
        { path: `spec.trafficPolicy.portLevelSettings[${i}].tls` },
      );
    });
  },
};
