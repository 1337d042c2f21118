// Deprecated Istio fields and removed Istio types (Istio's deprecation.FieldAnalyzer, IST0002).
// Istio has no API saying which fields are deprecated; its analyzer is a hand-made list, and so
// is this one: a VirtualService fault delay given as `percent` (use `percentage`), a Sidecar's
// `outboundTrafficPolicy.egressProxy` (ignored), and the CRDs of the removed rbac.istio.io API.
// Istio's list of deprecated collections is empty in current releases.
import { K, kindOf } from '../kinds';
import type { AnalysisObject, Analyzer, CheckContext } from '../types';

interface VirtualServiceSpec {
  http?: { fault?: { delay?: { percent?: number } } }[];
}
interface SidecarSpec {
  outboundTrafficPolicy?: { egressProxy?: unknown };
}
interface CustomResourceDefinitionSpec {
  group?: string;
  names?: { kind?: string };
}

const REMOVED_CRDS = [
  { group: 'rbac.istio.io', kind: 'ClusterRbacConfig' },
  { group: 'rbac.istio.io', kind: 'RbacConfig' },
  { group: 'rbac.istio.io', kind: 'ServiceRole' },
  { group: 'rbac.istio.io', kind: 'ServiceRoleBinding' },
];

const deprecated = (context: CheckContext, detail: string, path: string) => context.report('IST0002', `Deprecated: ${detail}`, { path });

const CHECKS: Record<string, (object: AnalysisObject, context: CheckContext) => void> = {
  [K.VirtualService](vs, context) {
    ((vs.spec as VirtualServiceSpec | undefined)?.http ?? []).forEach((route, index) => {
      if ((route.fault?.delay?.percent ?? 0) > 0) {
        deprecated(context, 'HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage', `spec.http[${index}].fault.delay.percent`);
      }
    });
  },
  [K.Sidecar](sidecar, context) {
    if ((sidecar.spec as SidecarSpec | undefined)?.outboundTrafficPolicy?.egressProxy != null) {
      deprecated(context, 'OutboundTrafficPolicy.EgressProxy ignored', 'spec.outboundTrafficPolicy.egressProxy');
    }
  },
  [K.CustomResourceDefinition](crd, context) {
    const spec = crd.spec as CustomResourceDefinitionSpec | undefined;
    const removed = REMOVED_CRDS.find(({ group, kind }) => spec?.group === group && spec.names?.kind === kind);
    if (removed) deprecated(context, `Custom resource type ${removed.group} ${removed.kind} is removed`, 'spec.names.kind');
  },
};

export const deprecationField: Analyzer = {
  id: 'deprecation.field',
  description: 'Deprecated Istio fields and removed Istio custom resource types',
  kinds: [K.VirtualService, K.Sidecar, K.CustomResourceDefinition],
  codes: ['IST0002'],
  check(object, context) {
    CHECKS[kindOf(object)]?.(object, context);
  },
};
