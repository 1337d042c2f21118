// `image: auto` on the proxy container asks the injector to fill in the image (Istio's
// injection.ImageAutoAnalyzer): a Pod with it was not injected, so it is broken (IST0147, Error);
// a Deployment with it must match an Istio injection webhook (a webhook named `*istio.io` whose
// namespaceSelector matches the namespace's labels and objectSelector the pod template's), else
// its pods will be broken (IST0146). Without the webhook configurations loaded, Deployments are not judged.
import { K } from '../kinds';
import { selectorMatches, type LabelSelector } from '@/lib/mesh/selectors';
import type { Analyzer } from '../types';
import { PROXY_CONTAINER, type DeploymentSpec, type PodSpec } from './injection-shared';

interface MutatingWebhook {
  name?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/** The index of the `istio-proxy` container whose image is `auto`, or -1. */
const autoImageIndex = (spec: PodSpec | undefined) =>
  (spec?.containers ?? []).findIndex((container) => container.name === PROXY_CONTAINER && container.image === 'auto');

const message = (kind: string, name: string) => `${kind} ${name} contains \`image: auto\` but does not match any Istio injection webhook selectors.`;

export const injectionImageAuto: Analyzer = {
  id: 'injection.imageauto',
  description: 'Pods and Deployments with `image: auto` on the proxy are targeted by an Istio injection webhook',
  kinds: [K.Pod, K.Deployment],
  codes: ['IST0146', 'IST0147'],
  check(object, context) {
    if (object.kind === 'Pod') {
      const index = autoImageIndex(object.spec as PodSpec | undefined);
      if (index >= 0) context.report('IST0147', message('Pod', object.metadata.name), { path: `spec.containers[${index}].image` });
      return;
    }
    const template = (object.spec as DeploymentSpec | undefined)?.template;
    const index = autoImageIndex(template?.spec);
    if (index < 0 || !context.available(K.MutatingWebhookConfiguration)) return;
    const namespaceLabels = context.get(K.Namespace, undefined, object.metadata.namespace || 'default')?.metadata.labels;
    const targeted = context
      .list(K.MutatingWebhookConfiguration)
      .flatMap((configuration) => (configuration.webhooks ?? []) as MutatingWebhook[])
      .some(
        (webhook) =>
          webhook.name?.endsWith('istio.io') &&
          selectorMatches(webhook.namespaceSelector, namespaceLabels) &&
          selectorMatches(webhook.objectSelector, template?.metadata?.labels),
      );
    if (!targeted) context.report('IST0146', message('Deployment', object.metadata.name), { path: `spec.template.spec.containers[${index}].image` });
  },
};
