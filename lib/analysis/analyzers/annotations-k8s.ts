// Istio annotations on Kubernetes objects: unknown, deprecated, misplaced, or with a value the
// injector rejects (Istio's annotations.K8sAnalyzer: IST0108, IST0135, IST0107, IST0125).
// Like Istio, it reads the metadata annotations of Namespaces, Services, Pods and Deployments
// (a Deployment's own annotations, not its pod template's).
import type { Analyzer } from '../types';
import { ANNOTATED_KINDS, annotationPath, istioAnnotation, istioAnnotationsOf } from './annotations-catalogue';
import { annotationProblem } from './annotations-validation';

const INJECT = 'sidecar.istio.io/inject';

export const annotationsK8s: Analyzer = {
  id: 'annotations.k8s',
  description: 'Istio annotations on Namespaces, Services, Pods and Deployments are known, current, in the right place and valid',
  kinds: ANNOTATED_KINDS,
  codes: ['IST0107', 'IST0108', 'IST0125', 'IST0135'],
  check(object, context) {
    for (const [name, value] of istioAnnotationsOf(object.metadata.annotations)) {
      const path = annotationPath(name);
      const known = istioAnnotation(name);
      if (!known) {
        context.report('IST0108', `Unknown annotation: ${name}`, { path });
        continue;
      }
      // Someone who also set the replacement label keeps the annotation on purpose: not reported.
      if (known.deprecated && !(name === INJECT && object.metadata.labels?.[INJECT] !== undefined)) {
        const extra = name === INJECT ? ` in favor of the "${INJECT}" label` : '';
        context.report('IST0135', `Annotation ${JSON.stringify(name)} has been deprecated${extra} and may not work in future Istio versions.`, {
          path,
        });
      }
      if (known.resources.includes('Any')) continue;
      const kind = object.kind === 'Deployment' && object.apiVersion.startsWith('apps/') ? 'Deployment' : object.kind;
      if (!(known.resources as readonly string[]).includes(kind)) {
        context.report('IST0107', `Misplaced annotation: ${name} can only be applied to ${known.resources.join(', ')}`, { path });
        continue;
      }
      const problem = annotationProblem(name, value);
      if (problem) context.report('IST0125', `Invalid annotation ${name}: ${problem}`, { path });
    }
  },
};
