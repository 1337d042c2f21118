// Sidecar injection, as Istio's injection.Analyzer checks it: a namespace without an injection
// label (IST0102), or injected only because the injector enables namespaces by default (IST0148);
// a namespace with more than one kind of injection label (IST0123); a pod of an injected
// namespace that has no proxy (IST0103). An ambient namespace (`istio.io/dataplane-mode=ambient`)
// expects no sidecar: only IST0123 applies there. Kubernetes' own namespaces, Istio's and the
// mesh root namespace are skipped.
//
// One judgement call: Istio's current analyzer counts a namespace as injected only with
// `istio-injection=enabled`, so pods of a namespace labelled with just `istio.io/rev` are never
// checked; the injector does inject those, and Istio's earlier analyzer checked them: so does this one.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer, CheckContext } from '../types';
import {
  DATAPLANE_MODE_LABEL,
  INJECTION_LABEL,
  REVISION_LABEL,
  SIDECAR_INJECT,
  field,
  injectorValues,
  isSystemNamespace,
  proxyContainer,
  type PodSpec,
} from './injection-shared';

const goList = (items: readonly string[]) => `[${items.join(' ')}]`;

/** Whether the pods of a namespace are expected to carry a sidecar. */
export function namespaceInjected(namespace: AnalysisObject): boolean {
  const labels = namespace.metadata.labels ?? {};
  if (labels[DATAPLANE_MODE_LABEL] === 'ambient') return false;
  const injection = labels[INJECTION_LABEL] ?? '';
  return injection === 'enabled' || (injection === '' && Object.hasOwn(labels, REVISION_LABEL));
}

function checkNamespace(namespace: AnalysisObject, context: CheckContext) {
  const name = namespace.metadata.name;
  const labels = namespace.metadata.labels ?? {};
  const path = 'metadata.labels';
  const hasInjection = Object.hasOwn(labels, INJECTION_LABEL);
  const injection = labels[INJECTION_LABEL] ?? '';
  const kinds = hasInjection ? [`${INJECTION_LABEL}=${injection}`] : [];
  for (const label of [REVISION_LABEL, DATAPLANE_MODE_LABEL]) {
    if (Object.hasOwn(labels, label) && (!hasInjection || injection === 'enabled')) kinds.push(`${label}=${labels[label]}`);
  }
  if (kinds.length > 1) {
    context.report(
      'IST0123',
      `The namespace has more than one type of injection labels ${goList(kinds)}, which may lead to undefined behavior. Make sure only one injection label exists.`,
      { path },
    );
  }
  if (labels[DATAPLANE_MODE_LABEL] === 'ambient' || injection !== '' || Object.hasOwn(labels, REVISION_LABEL)) return;
  if (field(injectorValues(context, undefined), 'sidecarInjectorWebhook', 'enableNamespacesByDefault') === true) {
    context.report('IST0148', 'is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.', { path });
    return;
  }
  context.report(
    'IST0102',
    `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${name} istio-injection=enabled' to enable it, or 'kubectl label namespace ${name} istio-injection=disabled' to explicitly mark it as not needing injection.`,
    { path },
  );
}

function checkPod(pod: AnalysisObject, context: CheckContext) {
  const namespace = context.get(K.Namespace, undefined, pod.metadata.namespace ?? '');
  if (!namespace || !namespaceInjected(namespace)) return;
  const inject = pod.metadata.labels?.[SIDECAR_INJECT] ?? pod.metadata.annotations?.[SIDECAR_INJECT] ?? '';
  const spec = pod.spec as PodSpec | undefined;
  if (inject.toLowerCase() === 'false' || spec?.hostNetwork) return;
  if (proxyContainer(spec)?.image) return;
  context.report(
    'IST0103',
    `The pod ${pod.metadata.namespace}/${pod.metadata.name} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.`,
    { path: 'spec.containers' },
  );
}

export const injectionAnalyzer: Analyzer = {
  id: 'injection.analyzer',
  description: 'Namespaces are labelled for sidecar injection (once), and the pods of injected namespaces carry the proxy',
  kinds: [K.Namespace, K.Pod],
  codes: ['IST0102', 'IST0103', 'IST0123', 'IST0148'],
  check(object, context) {
    const isNamespace = object.kind === 'Namespace';
    if (isSystemNamespace(context, isNamespace ? object.metadata.name : object.metadata.namespace)) return;
    if (isNamespace) checkNamespace(object, context);
    else checkPod(object, context);
  },
};
