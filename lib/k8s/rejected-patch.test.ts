import { describe, expect, it } from 'vitest';
import { classifyRejectedPatch } from './rejected-patch';
import { virtualServices } from './resources';

const vs = (resourceVersion: string, weights: [number, number]) => ({
  metadata: { name: 'reviews', namespace: 'shop', resourceVersion, labels: { app: 'reviews' } },
  spec: { http: [{ name: 'default', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: weights[0] }, { destination: { host: 'reviews', subset: 'v2' }, weight: weights[1] }] }] },
});

const weightPatch = (rv: string, weights: [number, number]) => [
  { op: 'replace', path: '/metadata/resourceVersion', value: rv },
  { op: 'test', path: '/spec/http/0/name', value: 'default' },
  { op: 'test', path: '/spec/http/0/route/0/destination/host', value: 'reviews' },
  { op: 'replace', path: '/spec/http/0/route/0/weight', value: weights[0] },
  { op: 'replace', path: '/spec/http/0/route/1/weight', value: weights[1] },
];

const classify = (ops: unknown[], fresh: unknown) => classifyRejectedPatch(virtualServices, 'shop', 'reviews', ops, fresh);

describe('classifyRejectedPatch', () => {
  it('calls it a conflict when the resourceVersion moved past the one the patch carried', () => {
    const error = classify(weightPatch('10', [50, 50]), vs('11', [90, 10]));
    expect([error.status, error.reason]).toEqual([409, 'Conflict']);
    expect(error.message).toBe('VirtualService shop/reviews changed since it was read: its resourceVersion is now 11, the change was based on 10');
  });

  it('calls it a conflict when a test op no longer holds, even at the same resourceVersion (a lagging cache built the tests)', () => {
    const fresh = vs('10', [90, 10]);
    fresh.spec.http[0]!.name = 'renamed';
    const error = classify(weightPatch('10', [50, 50]), fresh);
    expect(error.status).toBe(409);
    expect(error.message).toContain('/spec/http/0/name is now "renamed", expected "default"');
  });

  it('calls a test op on a path that is gone a conflict', () => {
    const fresh = { metadata: { resourceVersion: '10' }, spec: { http: [] } };
    expect(classify(weightPatch('10', [50, 50]), fresh).message).toContain('/spec/http/0/name is now absent');
  });

  it('calls it invalid when the tests hold but a replaced path does not exist', () => {
    const ops = [...weightPatch('10', [50, 50]), { op: 'replace', path: '/spec/http/0/route/2/weight', value: 0 }];
    const error = classify(ops, vs('10', [90, 10]));
    expect([error.status, error.reason]).toEqual([422, 'Invalid']);
    expect(error.message).toBe('The change does not apply to VirtualService shop/reviews: /spec/http/0/route/2/weight does not exist, so it cannot be replaced');
  });

  it('replays ops in order: a test after an add sees the added value', () => {
    const ops = [
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
      { op: 'test', path: '/metadata/annotations/a~0b~1c', value: 'x' },
      { op: 'add', path: '/spec/http/0/route/-', value: { destination: { host: 'reviews', subset: 'v3' } } },
      { op: 'remove', path: '/spec/http/0/route/3' },
    ];
    const error = classify(ops, vs('10', [90, 10]));
    expect(error.status).toBe(422);
    expect(error.message).toContain('/spec/http/0/route/3 does not exist, so it cannot be removed');
  });

  it('names the missing parent of an add', () => {
    expect(classify([{ op: 'add', path: '/spec/tcp/0/route', value: [] }], vs('10', [90, 10])).message).toContain('/spec/tcp/0 does not exist, so /spec/tcp/0/route cannot be added');
  });

  it('says so when the patch applies to the object as it is now', () => {
    const error = classify(weightPatch('10', [50, 50]), vs('10', [90, 10]));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/without saying why, yet it applies/);
  });
});
