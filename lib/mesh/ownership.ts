// Who else moves a VirtualService's weights. Flagger and Argo Rollouts own the VirtualServices
// they shift: an edit or a rollout of Meshdeck's would fight their controller. The Traffic view
// (lib/mesh/traffic-split) blocks editing such an object and a rollout plan (lib/mesh/rollout)
// refuses it, both by this one rule.
import type { ObjectMeta } from './types';

type Owner = NonNullable<ObjectMeta['ownerReferences']>[number];

const isFlagger = (owner: Owner) => owner.kind === 'Canary' || owner.apiVersion.startsWith('flagger.app');
const isArgoRollouts = (owner: Owner) => owner.kind === 'Rollout' || owner.apiVersion.startsWith('argoproj.io');

/** Why another progressive-delivery controller manages this object ("Flagger (Canary web) manages this VirtualService"), or undefined. */
export function managedBy(object: { metadata: Pick<ObjectMeta, 'labels' | 'annotations' | 'ownerReferences'> }): string | undefined {
  const { labels, annotations, ownerReferences = [] } = object.metadata;
  // Every owner is looked at: a Canary listed after another owner still owns the object.
  const flagger = ownerReferences.find(isFlagger);
  if (flagger) return `Flagger (Canary ${flagger.name}) manages this VirtualService`;
  const argo = ownerReferences.find(isArgoRollouts);
  if (argo) return `Argo Rollouts (Rollout ${argo.name}) manages this VirtualService`;
  const keys = Object.keys({ ...labels, ...annotations });
  if (keys.some((k) => k.startsWith('flagger.app') || k.startsWith('flagger.'))) return 'Flagger manages this VirtualService';
  if (keys.some((k) => k.startsWith('rollouts-pod-template-hash') || k.startsWith('argo-rollouts.argoproj.io')))
    return 'Argo Rollouts manages this VirtualService';
  const managedByLabel = labels?.['app.kubernetes.io/managed-by'];
  if (managedByLabel && /flagger|argo-rollouts/i.test(managedByLabel)) return `${managedByLabel} manages this VirtualService`;
  return undefined;
}
