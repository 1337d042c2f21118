import { describe, expect, it } from 'vitest';
import { managedBy } from './ownership';
import type { ObjectMeta } from './types';

const object = (metadata: Partial<ObjectMeta>) => ({ metadata: { name: 'web', namespace: 'shop', resourceVersion: '1', ...metadata } });

describe('managedBy', () => {
  it('leaves objects nobody else manages alone', () => {
    expect(managedBy(object({}))).toBeUndefined();
    expect(managedBy(object({ labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meshdeck.io/rollout': '{}' } }))).toBeUndefined();
  });

  it('names the Canary or Rollout owning the object, whichever owner comes first', () => {
    const helm = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'shop', controller: true };
    expect(managedBy(object({ ownerReferences: [helm, { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'web' }] }))).toBe(
      'Flagger (Canary web) manages this VirtualService',
    );
    expect(managedBy(object({ ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' }] }))).toBe(
      'Argo Rollouts (Rollout api) manages this VirtualService',
    );
    expect(managedBy(object({ ownerReferences: [helm] }))).toBeUndefined();
  });

  it('reads the labels and annotations the controllers leave', () => {
    expect(managedBy(object({ annotations: { 'flagger.app/config-tracking': 'enabled' } }))).toBe('Flagger manages this VirtualService');
    expect(managedBy(object({ labels: { 'argo-rollouts.argoproj.io/managed': 'true' } }))).toBe('Argo Rollouts manages this VirtualService');
    expect(managedBy(object({ labels: { 'app.kubernetes.io/managed-by': 'argo-rollouts' } }))).toBe('argo-rollouts manages this VirtualService');
  });
});
