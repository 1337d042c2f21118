// The Secret a Gateway server names in `tls.credentialName` must exist in the namespace of the
// gateway's pods and hold a certificate Istio can serve (Istio's gateway.SecretAnalyzer: IST0101
// when it is missing, IST0161 when it is invalid). Istio also parses the X.509 certificate and
// checks its validity dates; a pure analyzer checks the PEM shape only (no clock, no crypto).
// A gateway whose selector matches no pod is reported by gateway.ingressgatewayport (IST0101).
import { K } from '../kinds';
import { PODS_BY_LABEL, podsSelectedAnywhere } from '../lookups';
import type { AnalysisObject, Analyzer } from '../types';
import type { GatewaySpec } from './gateway-spec';

/** The key pairs Istio reads a server certificate from (pilot credentials: generic first, then kubernetes.io/tls). */
const CERT_KEY_PAIRS = [
  ['cert', 'key'],
  ['tls.crt', 'tls.key'],
] as const;
/** Where Istio reads the CA for MUTUAL: in the Secret itself, or in `<credentialName>-cacert`. */
const CA_KEYS = ['cacert', 'ca.crt'] as const;
const CA_SECRET_SUFFIX = '-cacert';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/;

/** A Secret's value as text: `data` is base64; `stringData` (files not yet applied) is plain. Undefined when absent or not base64. */
function secretValue(secret: AnalysisObject, key: string): string | undefined {
  const plain = (secret.stringData as Record<string, string> | undefined)?.[key];
  if (typeof plain === 'string') return plain;
  const encoded = secret.data?.[key];
  if (typeof encoded !== 'string') return undefined;
  try {
    return atob(encoded.replace(/\s/g, ''));
  } catch {
    return undefined;
  }
}

const hasValue = (secret: AnalysisObject, key: string) => Boolean(secretValue(secret, key));

/** A Secret read for its name only (the console may list Secrets as metadata): its keys cannot be judged. */
const isMetadataOnly = (secret: AnalysisObject) => secret.data === undefined && secret.stringData === undefined && secret.type === undefined;

/** Whether a Secret holds a server certificate and key Istio would serve (ExtractCertInfo + ValidateCertificate's PEM decode). */
function hasServingCertificate(secret: AnalysisObject): boolean {
  const pair = CERT_KEY_PAIRS.find(([cert, key]) => hasValue(secret, cert) && hasValue(secret, key));
  return pair !== undefined && PEM_CERTIFICATE.test(secretValue(secret, pair[0])!);
}

const hasCa = (secret: AnalysisObject) => CA_KEYS.some((key) => hasValue(secret, key));

export const gatewaySecret: Analyzer = {
  id: 'gateway.secret',
  description: "Checks a gateway's referenced secrets for correctness",
  kinds: [K.Gateway],
  codes: ['IST0101', 'IST0161'],
  indexes: [PODS_BY_LABEL],
  check(gateway, context) {
    if (!context.available(K.Secret) || !context.available(K.Pod)) return;
    const spec = (gateway.spec ?? {}) as GatewaySpec;
    // The credential is read in the namespace of the gateway's workload, not the Gateway's.
    const workloadNamespace = podsSelectedAnywhere(context, spec.selector)[0]?.metadata.namespace;
    if (!workloadNamespace) return;
    (spec.servers ?? []).forEach((server, index) => {
      const credentialName = server.tls?.credentialName;
      if (!credentialName) return;
      const path = `spec.servers[${index}].tls.credentialName`;
      const [namespace, name] = credentialName.includes('/') ? credentialName.split('/', 2) : [workloadNamespace, credentialName];
      const secret = context.get(K.Secret, namespace, name!);
      if (!secret) {
        context.report('IST0101', `Referenced credentialName not found: "${credentialName}"`, { path });
        return;
      }
      if (isMetadataOnly(secret)) return;
      const mutual = server.tls?.mode === 'MUTUAL' || server.tls?.mode === 'OPTIONAL_MUTUAL';
      const caSecret = mutual && !hasCa(secret) ? context.get(K.Secret, namespace, `${name!}${CA_SECRET_SUFFIX}`) : undefined;
      const caMissing = mutual && !hasCa(secret) && !(caSecret && (isMetadataOnly(caSecret) || hasCa(caSecret)));
      if (!hasServingCertificate(secret) || caMissing) {
        context.report(
          'IST0161',
          `The credential referenced by the Gateway ${gateway.metadata.name} in namespace ${workloadNamespace} is invalid, which can cause the traffic not to work as expected.`,
          { path },
        );
      }
    });
  },
};
