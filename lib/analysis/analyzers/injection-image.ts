// Pods whose proxy image is not the one the injector would give them now (Istio's
// injection.ImageAnalyzer, IST0158), reported on their namespace: usually pods not restarted
// since the control plane was upgraded. The expected image comes from the injector ConfigMap of
// the namespace's revision (`istio-sidecar-injector[-<rev>]`, key `values`: `global.hub`,
// `global.proxy.image`, `global.tag`); pods with their own `sidecar.istio.io/proxyImage` are left
// out. Native sidecars (an `istio-proxy` init container) are compared too, which Istio does not do yet.
import { K } from '../kinds';
import type { Analyzer } from '../types';
import { INJECTION_LABEL, REVISION_LABEL, field, injectorValues, type PodSpec } from './injection-shared';

/** The image the injector puts in the proxy container: `proxy.image` as is when it has a `/`, else `<hub>/<image>:<tag>`. */
function injectedImage(values: Record<string, unknown> | null): string | undefined {
  const image = field(values, 'global', 'proxy', 'image');
  if (typeof image !== 'string' || !image) return undefined;
  if (image.includes('/')) return image;
  return `${String(field(values, 'global', 'hub') ?? '')}/${image}:${String(field(values, 'global', 'tag') ?? '')}`;
}

export const injectionImage: Analyzer = {
  id: 'injection.image',
  description: "Proxy images of an injected namespace's pods match the injector's configuration",
  kinds: [K.Namespace],
  codes: ['IST0158'],
  check(namespace, context) {
    const labels = namespace.metadata.labels ?? {};
    const revision = labels[REVISION_LABEL];
    if (labels[INJECTION_LABEL] !== 'enabled' && revision === undefined) return;
    const expected = injectedImage(injectorValues(context, revision ?? 'default'));
    if (!expected) return;
    const mismatched = context.list(K.Pod, namespace.metadata.name).filter((pod) => {
      if (pod.metadata.annotations?.['sidecar.istio.io/proxyImage']) return false;
      const spec = pod.spec as PodSpec | undefined;
      return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].some((c) => c.name === 'istio-proxy' && c.image !== expected);
    });
    if (mismatched.length === 0) return;
    context.report(
      'IST0158',
      `The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [${mismatched.map((pod) => pod.metadata.name).join(' ')}]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.`,
    );
  },
};
