// Istio's webhooks on a cluster run by an external control plane must reach istiod by a usable
// address (Istio's externalcontrolplane.ExternalControlPlaneAnalyzer): IST0163 for a URL that
// does not parse, has no host, or a webhook with neither URL nor Service; IST0164 (Info) for an
// IP address instead of a hostname. Istio also resolves the hostname through DNS; a pure
// analyzer cannot, so a hostname that does not resolve is not reported.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer } from '../types';
import { webhooksOf } from './webhook-spec';

const DEFAULT_VALIDATOR = 'istiod-default-validator';
const VALIDATOR_PREFIX = 'istio-validator';
const INJECTOR_PREFIX = 'istio-sidecar-injector';

function isIstioWebhookConfiguration(configuration: AnalysisObject): boolean {
  const name = configuration.metadata.name;
  if (configuration.kind === 'ValidatingWebhookConfiguration') return name === DEFAULT_VALIDATOR || name.startsWith(VALIDATOR_PREFIX);
  return name.startsWith(INJECTOR_PREFIX);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpAddress = (host: string) => host.includes(':') || (IPV4.test(host) && host.split('.').every((part) => Number(part) <= 255));

/** What is wrong with a webhook URL, in Istio's words, or `ip` when it names an address. */
function lintUrl(url: string): { problem: string } | 'ip' | undefined {
  // Go's url.Parse reads a URL without a scheme as a path: no host to resolve.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return { problem: 'cannot be resolved via a DNS lookup' };
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return { problem: 'was provided in an invalid format' };
  }
  if (!host) return { problem: 'cannot be resolved via a DNS lookup' };
  return isIpAddress(host) ? 'ip' : undefined;
}

export const externalControlPlaneWebhooks: Analyzer = {
  id: 'externalcontrolplane.externalcontrolplane',
  description: 'Checks that the remote IstioOperator resources reference an external control plane',
  kinds: [K.ValidatingWebhookConfiguration, K.MutatingWebhookConfiguration],
  codes: ['IST0163', 'IST0164'],
  check(configuration, context) {
    if (!isIstioWebhookConfiguration(configuration)) return;
    webhooksOf(configuration).forEach((hook, index) => {
      const name = hook.name ?? '';
      const url = hook.clientConfig?.url;
      if (url === undefined) {
        if (!hook.clientConfig?.service) {
          context.report(
            'IST0163',
            `The hostname () that was provided for the webhook (${name}) to reach the ingress gateway on the external control plane cluster is blank. Traffic may not flow properly.`,
            { path: `webhooks[${index}].clientConfig` },
          );
        }
        return;
      }
      const lint = lintUrl(url);
      const path = `webhooks[${index}].clientConfig.url`;
      if (lint === 'ip') {
        context.report(
          'IST0164',
          `The address (${url}) that was provided for the webhook (${name}) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.`,
          { path },
        );
      } else if (lint) {
        context.report(
          'IST0163',
          `The hostname (${url}) that was provided for the webhook (${name}) to reach the ingress gateway on the external control plane cluster ${lint.problem}. Traffic may not flow properly.`,
          { path },
        );
      }
    });
  },
};
