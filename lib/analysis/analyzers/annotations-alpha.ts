// Istio annotations of alpha-phase features (Istio's maturity.AlphaAnalyzer, IST0136). Istio
// leaves this analyzer out of istioctl analyze's default set for its noise; Meshdeck runs it
// (IST0136 is Info) with Istio's exemptions: `sidecar.istio.io/status`, which the injector always
// sets, and, on pods injected for the CNI plugin (no `istio-init` container), the redirection
// annotations the injector writes there by default. Also exempt: `istio.io/rev`, which the
// injector writes on every pod it injects (marked by `sidecar.istio.io/status`): reporting it
// would put an Info on every pod of every injected mesh for something no operator wrote.
import type { AnalysisObject, Analyzer } from '../types';
import { ANNOTATED_KINDS, annotationPath, istioAnnotation, istioAnnotationsOf } from './annotations-catalogue';

const SET_BY_INJECTOR_WITH_CNI = new Set([
  'sidecar.istio.io/interceptionMode',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts',
  'traffic.sidecar.istio.io/includeOutboundIPRanges',
]);

interface PodSpec {
  initContainers?: { name?: string }[];
}

const SET_BY_INJECTOR = new Set(['istio.io/rev']);

const injected = (object: AnalysisObject) => object.kind === 'Pod' && Boolean(object.metadata.annotations?.['sidecar.istio.io/status']);

const injectedForCni = (object: AnalysisObject) =>
  object.kind === 'Pod' && !((object.spec as PodSpec | undefined)?.initContainers ?? []).some((container) => container.name === 'istio-init');

export const annotationsAlpha: Analyzer = {
  id: 'annotations.alpha',
  description: 'Istio annotations of alpha-phase features on Namespaces, Services, Pods and Deployments',
  kinds: ANNOTATED_KINDS,
  codes: ['IST0136'],
  check(object, context) {
    const cni = injectedForCni(object);
    const byInjector = injected(object);
    for (const [name] of istioAnnotationsOf(object.metadata.annotations)) {
      if (!istioAnnotation(name)?.alpha || name === 'sidecar.istio.io/status') continue;
      if (cni && SET_BY_INJECTOR_WITH_CNI.has(name)) continue;
      if (byInjector && SET_BY_INJECTOR.has(name)) continue;
      context.report('IST0136', `Annotation ${JSON.stringify(name)} is part of an alpha-phase feature and may be incompletely supported.`, {
        path: annotationPath(name),
      });
    }
  },
};
