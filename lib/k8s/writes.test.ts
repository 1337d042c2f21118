import { describe, expect, it } from 'vitest';
import { withoutWriteNoise } from './writes';

describe('withoutWriteNoise', () => {
  it('drops what every write changes or only bookkeeps, and keeps the rest of the object', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'Thing',
      metadata: {
        name: 'a',
        uid: 'u',
        resourceVersion: '7',
        generation: 3,
        managedFields: [{ manager: 'kubectl' }],
        labels: { app: 'a' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'kept' },
      },
      spec: { x: 1 },
    };
    expect(withoutWriteNoise(object)).toEqual({
      apiVersion: 'v1',
      kind: 'Thing',
      metadata: { name: 'a', uid: 'u', labels: { app: 'a' }, annotations: { note: 'kept' } },
      spec: { x: 1 },
    });
    expect(object.metadata.resourceVersion).toBe('7'); // the input is not changed
  });

  it('drops an annotations map that held only the last-applied copy; passes non-objects through', () => {
    expect(withoutWriteNoise({ metadata: { name: 'a', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } })).toEqual({ metadata: { name: 'a' } });
    expect(withoutWriteNoise(undefined)).toBeUndefined();
  });
});
