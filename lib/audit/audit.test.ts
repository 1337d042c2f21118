import { describe, expect, it } from 'vitest';
import { weightPatch } from '@/lib/mesh/patches';
import { restorePatch, startPatch } from '@/lib/mesh/emergency';
import { control, encodeRollout, ROLLOUT_ANNOTATION, rolloutAuditChanges, startRollout, type RolloutPlan } from '@/lib/mesh/rollout';
import type { VirtualService } from '@/lib/mesh/types';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import { readEntryObject, readLegacyHistory, entryObjectName, newEntry } from './audit';
import { canonicalJson, changesOf, checkReason, inversePatch, revertRefusal, type AuditEntry } from './entry';
import { entriesToDelete, type StoredEntry } from './retention';
import { signEntry, signingKey, verifyEntry } from './signing';

const keyed = signingKey({ MESHDECK_AUDIT_KEY: 'k'.repeat(40) });
const vs = (weights: number[], resourceVersion = '7'): VirtualService =>
  ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop', resourceVersion },
    spec: { hosts: ['reviews'], http: [{ name: 'split', route: weights.map((weight, i) => ({ destination: { host: 'reviews', subset: `v${i}` }, weight })) }] },
  }) as VirtualService;

function weightEntry(): AuditEntry {
  const before = vs([100, 0]);
  const patch = weightPatch(before, 0, [80, 20]);
  const updated = applyJsonPatch(before, patch) as VirtualService;
  updated.metadata.resourceVersion = '8';
  return signEntry(
    newEntry({
      user: 'op@x',
      role: 'operator',
      action: 'traffic.weights',
      resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: 'reviews' },
      summary: 's',
      reason: 'because',
      result: 'applied',
      resourceVersion: '8',
      patch,
      revert: weightPatch(updated, 0, [100, 0]),
    }),
    keyed,
  );
}

describe('audit entries', () => {
  it('keeps the before and after values of exactly the paths a change touched', () => {
    const entry = weightEntry();
    expect(entry.changes).toEqual([
      { path: '/spec/http/0/route/0/weight', before: { value: 100 }, after: { value: 80 } },
      { path: '/spec/http/0/route/1/weight', before: { value: 0 }, after: { value: 20 } },
    ]);
  });

  it('recomputes the inverse with the produced version as precondition, and it undoes the change', () => {
    const entry = weightEntry();
    expect(revertRefusal(entry, 'shop')).toBeUndefined();
    const ops = inversePatch(entry);
    expect(ops[0]).toEqual({ op: 'replace', path: '/metadata/resourceVersion', value: '8' });
    const after = vs([80, 20], '8');
    expect((applyJsonPatch(after, ops) as VirtualService).spec.http![0]!.route!.map((r) => r.weight)).toEqual([100, 0]);
    // A later change (weights moved again) fails the test ops.
    expect(() => applyJsonPatch(vs([50, 50], '8'), ops)).toThrow();
  });

  it('refuses reverts of another namespace, kind, action or shape', () => {
    const entry = weightEntry();
    expect(revertRefusal(entry, 'other')).toMatch(/about shop, not other/);
    expect(revertRefusal({ ...entry, resource: { ...entry.resource, kind: 'ConfigMap' } }, 'shop')).toMatch(/not a ConfigMap/);
    expect(revertRefusal({ ...entry, action: 'audit.revert' }, 'shop')).toMatch(/not reverted/);
    expect(
      revertRefusal({ ...entry, changes: [{ path: '/spec/hosts/0', before: { value: 'evil.example.com' }, after: { value: 'reviews' } }] }, 'shop'),
    ).toMatch(/not a path traffic.weights changes/);
    expect(revertRefusal({ ...entry, changes: [{ path: '/spec/http/0/route/0/weight', before: { value: 'x' }, after: { value: 80 } }] }, 'shop')).toMatch(
      /cannot be set back/,
    );
    const emergency = { ...entry, action: 'security.emergency-start', resource: { ...entry.resource, kind: 'PeerAuthentication' } };
    expect(
      revertRefusal({ ...emergency, changes: [{ path: '/spec/mtls/mode', before: { value: 'DISABLE' }, after: { value: 'PERMISSIVE' } }] }, 'shop'),
    ).toMatch(/cannot be set back to "DISABLE"/);
    expect(revertRefusal({ ...entry, changes: [{ path: '/spec/http/0/route/0/weight', after: { value: 80 } }] }, 'shop')).toMatch(/does not record/);
  });

  it('derives an emergency start whose annotations were added whole, and reverts it to STRICT', () => {
    const pa = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop', resourceVersion: '3', generation: 1 },
      spec: { mtls: { mode: 'STRICT' } },
    } as const;
    const patch = startPatch(structuredClone(pa) as never, { reason: 'r', by: 'a', now: new Date(), minutes: 5 });
    const updated = applyJsonPatch(structuredClone(pa), patch) as typeof pa;
    const changes = changesOf(patch, restorePatch({ ...updated, metadata: { ...updated.metadata, resourceVersion: '4' } } as never));
    const entry = {
      ...weightEntry(),
      action: 'security.emergency-start',
      resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'shop', name: 'default' },
      resourceVersion: '4',
      changes,
    };
    expect(revertRefusal(entry, 'shop')).toBeUndefined();
    const restored = applyJsonPatch({ ...updated, metadata: { ...updated.metadata, resourceVersion: '4' } }, inversePatch(entry)) as {
      spec: { mtls: { mode: string } };
      metadata: { annotations?: object };
    };
    expect(restored.spec.mtls.mode).toBe('STRICT');
    expect(restored.metadata.annotations).toEqual({});
  });

  it('records a change whose inverse is unknown without a before value: never revertible', () => {
    const changes = changesOf(
      [
        { op: 'replace', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/metadata/annotations/x', value: 'y' },
      ],
      [],
    );
    expect(changes).toEqual([{ path: '/metadata/annotations/x', after: { value: 'y' } }]);
  });

  it('trims reasons and refuses them over 500 characters', () => {
    expect(checkReason(`abc${' '.repeat(60_000)}`)).toEqual({ reason: 'abc' });
    expect(checkReason('x'.repeat(501)).error).toMatch(/at most 500 characters \(this one has 501\)/);
    expect(
      newEntry({
        user: 'u',
        role: 'r',
        action: 'a.b',
        resource: { apiVersion: 'v1', kind: 'VirtualService', namespace: 'n', name: 'x' },
        summary: '',
        reason: `  ${'y'.repeat(900)}`,
        result: 'failed',
      }).reason,
    ).toHaveLength(500);
  });
});

describe('signatures', () => {
  it('signs the canonical content: key order does not matter, any change of content does', () => {
    const entry = weightEntry();
    expect(
      verifyEntry(
        JSON.parse(
          JSON.stringify({ ...entry, resource: { name: 'reviews', namespace: 'shop', kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' } }),
        ),
        keyed,
      ),
    ).toBe(true);
    expect(verifyEntry({ ...entry, user: 'admin@x' }, keyed)).toBe(false);
    expect(verifyEntry(entry, signingKey({ MESHDECK_AUDIT_KEY: 'z'.repeat(40) }))).toBe(false);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('derives a key from NEXTAUTH_SECRET, and refuses to sign without a secret or with a short one', () => {
    expect(signingKey({ NEXTAUTH_SECRET: 's' }).state).toEqual({ signing: true, source: 'NEXTAUTH_SECRET' });
    expect(signingKey({ NEXTAUTH_SECRET: 's' }).key).not.toEqual(Buffer.from('s'));
    expect(signingKey({}).state).toMatchObject({ signing: false, reason: expect.stringMatching(/neither MESHDECK_AUDIT_KEY nor NEXTAUTH_SECRET/) });
    expect(signingKey({ MESHDECK_AUDIT_KEY: 'short' }).state).toMatchObject({ signing: false });
    expect(signEntry(weightEntry(), signingKey({})).signature).toBeDefined(); // already signed above: kept as given
    const { signature: _s, ...unsigned } = weightEntry();
    expect(signEntry(unsigned, signingKey({})).signature).toBeUndefined();
  });
});

describe('rollout entries', () => {
  const timing = { stepSeconds: 60, intervalSeconds: 30, windowSeconds: 60 };
  const [stable, candidate] = ['v0', 'v1'].map((subset) => ({ host: 'reviews', subset }));
  const plan: RolloutPlan = {
    route: 0,
    stable: stable!,
    candidate: candidate!,
    steps: [10, 25, 100],
    ...timing,
    gates: { maxErrorRate: 0.05 },
    maxFailedChecks: 2,
  };
  const now = new Date('2026-11-26T12:00:00Z');
  const resource = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: 'reviews' };
  const entryOf = (action: string, changes: ReturnType<typeof rolloutAuditChanges>) =>
    signEntry(
      newEntry({ user: 'op@x', role: 'operator', action, resource, summary: 's', reason: 'r', result: 'applied', resourceVersion: '9', changes }),
      keyed,
    );
  const stored = (entry: AuditEntry) => ({
    metadata: { name: entryObjectName(entry), namespace: 'shop', labels: { 'meshdeck.io/audit': 'entry' } },
    data: { 'entry.json': JSON.stringify(entry) },
  });

  it('records a start as the weights that moved and the rollout in words, never the annotation', () => {
    const before = vs([100, 0]);
    const changes = rolloutAuditChanges(before, startRollout(before, plan, { by: 'op@x', reason: 'ship', now }));
    expect(changes).toEqual([
      { path: '/spec/http/0/route/0/weight', label: 'v0 weight', before: { value: 100 }, after: { value: 90 } },
      { path: '/spec/http/0/route/1/weight', label: 'v1 weight', before: { value: 0 }, after: { value: 10 } },
      {
        path: '/metadata/annotations/meshdeck.io~1rollout',
        label: 'rollout',
        before: { absent: true },
        after: { described: 'Progressing, step 1 of 3 (10 %)' },
      },
    ]);
  });

  it('keeps an entry small however big the annotation, signed, and not revertible: the rollout has its own controls', () => {
    const started = startRollout(vs([100, 0]), plan, { by: 'op@x', reason: 'ship', now });
    // A long timeline, as weeks of checks and events make it.
    const events = Array.from({ length: 60 }, (_, i) => ({
      at: now.toISOString(),
      by: 'meshdeck',
      action: 'pause' as const,
      message: `event ${i} ${'x'.repeat(400)}`,
    }));
    const state = { ...started.state, events };
    const on = { ...vs([90, 10], '8'), metadata: { ...vs([90, 10], '8').metadata, annotations: { [ROLLOUT_ANNOTATION]: encodeRollout(state) } } };
    const entry = entryOf('rollout.pause', rolloutAuditChanges(on, control(state, 'pause', { by: 'op@x', reason: 'look', now })));
    expect(encodeRollout(state).length).toBeGreaterThan(25_000);
    expect(JSON.stringify(entry).length).toBeLessThan(1000);
    expect(entry.changes).toEqual([
      {
        path: '/metadata/annotations/meshdeck.io~1rollout',
        label: 'rollout',
        before: { described: 'Progressing, step 1 of 3 (10 %)' },
        after: { described: 'Paused, step 1 of 3 (10 %)' },
      },
    ]);
    const read = readEntryObject(stored(entry), keyed);
    expect(read).toMatchObject({ trust: 'signed', revertible: false, notRevertible: expect.stringMatching(/own controls.*Pause, Abort/) });
    // The words are signed like values: changing what the entry says the rollout did breaks the signature.
    const altered = { ...entry, changes: [{ ...entry.changes[0]!, after: { described: 'Promoted (v1 100 %)' } }] };
    expect(readEntryObject(stored(altered), keyed)).toMatchObject({ trust: 'untrusted', trustNote: expect.stringMatching(/signature does not match/) });
  });

  it('never reverts a described value, whatever the action says', () => {
    const entry = weightEntry();
    const described = { ...entry, changes: [{ path: '/spec/http/0/route/0/weight', before: { described: 'ninety' }, after: { value: 80 } }] };
    expect(revertRefusal(described, 'shop')).toMatch(/does not record/);
  });
});

describe('reading entry objects', () => {
  const stored = (entry: unknown, name = entryObjectName(entry as AuditEntry), namespace = 'shop') => ({
    metadata: { name, namespace, labels: { 'meshdeck.io/audit': 'entry' } },
    data: { 'entry.json': JSON.stringify(entry) },
  });

  it('tells signed, unsigned, tampered, copied and invalid entries apart', () => {
    const entry = weightEntry();
    expect(readEntryObject(stored(entry), keyed)).toMatchObject({ trust: 'signed', revertible: true });
    const { signature: _s, ...unsigned } = entry;
    expect(readEntryObject(stored(unsigned), keyed)).toMatchObject({ trust: 'untrusted', revertible: false, trustNote: expect.stringMatching(/not signed/) });
    expect(readEntryObject(stored({ ...entry, user: 'admin@x' }), keyed)).toMatchObject({
      trust: 'untrusted',
      trustNote: expect.stringMatching(/signature does not match/),
    });
    expect(readEntryObject(stored(entry, undefined, 'istio-system'), keyed)).toMatchObject({
      trust: 'untrusted',
      trustNote: expect.stringMatching(/stored in istio-system but about shop/),
    });
    expect(readEntryObject(stored(entry, 'meshdeck-audit-copy'), keyed)).toMatchObject({ trust: 'untrusted' });
    const { resource: _r, ...noResource } = entry;
    expect(readEntryObject(stored(noResource, 'meshdeck-audit-x'), keyed)).toMatchObject({
      trust: 'invalid',
      revertible: false,
      trustNote: expect.stringMatching(/resource/),
    });
    expect(readEntryObject({ metadata: { name: 'meshdeck-audit-y', namespace: 'shop' }, data: { 'entry.json': '{' } }, keyed)).toMatchObject({
      trust: 'invalid',
    });
  });

  it('reads the legacy history as legacy entries, never revertible, and damage as invalid', () => {
    const legacy = {
      id: 'a',
      time: '2025-01-01T00:00:00Z',
      user: 'u',
      role: 'operator',
      action: 'traffic.weights',
      resource: { apiVersion: 'v1', kind: 'VirtualService', namespace: 'elsewhere', name: 'x' },
      summary: 's',
      reason: 'r',
      patch: [],
      result: 'applied',
      revert: [{ op: 'replace', path: '/spec/hosts/0', value: 'evil' }],
    };
    const views = readLegacyHistory({
      metadata: { name: 'meshdeck-audit', namespace: 'shop' },
      data: { 'entries.json': JSON.stringify([legacy, { id: 'b' }]) },
    });
    expect(views.map((v) => [v.trust, v.revertible, v.resource.namespace])).toEqual([
      ['legacy', false, 'shop'],
      ['invalid', false, 'shop'],
    ]);
    expect(readLegacyHistory({ metadata: { name: 'meshdeck-audit', namespace: 'shop' }, data: { 'entries.json': 'nope' } })[0]!.trust).toBe('invalid');
  });
});

describe('retention', () => {
  const day = 86_400_000;
  const now = Date.parse('2026-06-01T00:00:00Z');
  const e = (name: string, ageDays: number, rank: 0 | 1 | 2, bytes = 100, namespace = 'shop'): StoredEntry => ({
    namespace,
    name,
    time: now - ageDays * day,
    bytes,
    rank,
  });

  it('drops entries past the age, then per namespace the unsigned, then the failed, then the oldest applied', () => {
    const entries = [
      e('old', 91, 2),
      e('applied-1', 5, 2),
      e('applied-2', 1, 2),
      e('failed-1', 2, 1),
      e('failed-2', 1, 1),
      e('planted', 0, 0),
      e('other-ns', 1, 1, 100, 'pay'),
    ];
    const names = (budget: number) => entriesToDelete(entries, { maxAgeDays: 90, namespaceBudgetBytes: budget }, now).map((x) => x.name);
    expect(names(10_000)).toEqual(['old']);
    expect(names(300)).toEqual(['old', 'planted', 'failed-1']);
    expect(names(150)).toEqual(['old', 'planted', 'failed-1', 'failed-2', 'applied-1']);
  });

  it('keeps every applied entry when 200 failures fill the budget', () => {
    const entries = [e('applied', 3, 2, 1000), ...Array.from({ length: 200 }, (_, i) => e(`failed-${i}`, 0, 1, 1000))];
    const doomed = entriesToDelete(entries, { maxAgeDays: 90, namespaceBudgetBytes: 50_000 }, now).map((x) => x.name);
    expect(doomed).toHaveLength(151);
    expect(doomed).not.toContain('applied');
  });
});
