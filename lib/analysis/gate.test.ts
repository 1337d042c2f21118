import { describe, expect, it } from 'vitest';
import { Analysis } from './engine';
import { blockedBecause, blockingFindings, changesOfWrite, routeEntryOf, gateAnalysis, isBlocking, overrideRecord, pathTokens, refusalMessage } from './gate';
import { virtualServiceDestinationRules } from './analyzers/virtualservice-destinationrules';
import { obj } from './testing';
import type { AnalysisObject, Finding } from './types';

// A payments mesh: a ledger service with a DestinationRule defining only v1 and v2.
const HOST = 'ledger.payments.svc.cluster.local';
const rule = obj('DestinationRule', 'payments/ledger', {
  host: HOST,
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
});
const routes = (...targets: [subset: string, weight: number][]) =>
  obj('VirtualService', 'payments/ledger', {
    hosts: ['ledger'],
    http: [{ name: 'primary', timeout: '1m30s', route: targets.map(([subset, weight]) => ({ destination: { host: 'ledger', subset }, weight })) }],
  });

/** The gate's verdict on replacing the ledger VirtualService `before` with `after`, as audited-write asks it. */
function verdict(before: AnalysisObject, after: AnalysisObject, objects: AnalysisObject[] = [rule]) {
  const analysis = new Analysis([virtualServiceDestinationRules], [...objects, before]);
  const current = analysis.findings().filter((f) => f.origin.kind === 'VirtualService' && f.origin.name === before.metadata.name);
  return gateAnalysis(analysis.preview(changesOfWrite(before, after)), { current, before, after });
}

const finding = (level: Finding['level'], path: string, message = 'Referenced host+subset in destinationrule not found: "ledger+v3"'): Finding => ({
  code: level === 'Error' ? 'IST0101' : 'MDK0002',
  level,
  message,
  origin: { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1beta1', namespace: 'payments', name: 'ledger' },
  path,
  analyzer: 'virtualservice.destinationrules',
});

describe('the analysis gate', () => {
  it('refuses a change that adds an Error-level finding (a route to a subset no DestinationRule defines)', () => {
    const v = verdict(routes(['v1', 100]), routes(['v1', 90], ['v3', 10]));
    expect(v.added.map((f) => `${f.code} ${f.path}`)).toEqual(['IST0101 spec.http[0].route[1].destination.subset']);
    expect(v).toMatchObject({ removed: [], routedTo: [], blocking: true });
    expect(refusalMessage(v)).toBe(
      'this change adds an Error-level finding: IST0101 (VirtualService payments/ledger): Referenced host+subset in destinationrule not found: "ledger+v3". Change the draft so it does not, or ask an admin to override the analysis with a reason.',
    );
  });

  it('lets a change through that adds nothing, or that removes an error', () => {
    expect(verdict(routes(['v1', 100], ['v2', 0]), routes(['v1', 50], ['v2', 50]))).toEqual({ added: [], removed: [], routedTo: [], blocking: false });
    const fixed = verdict(routes(['v1', 100], ['v3', 0]), routes(['v1', 100]));
    expect(fixed.removed.map((f) => f.code)).toEqual(['IST0101']);
    expect(fixed.blocking).toBe(false);
  });

  it('refuses sending traffic to a destination that already has an error (raising a 0% weight on an undefined subset)', () => {
    const v = verdict(routes(['v1', 100], ['v3', 0]), routes(['v1', 90], ['v3', 10]));
    expect(v.added).toEqual([]);
    expect(v.routedTo.map((f) => `${f.code} ${f.path}`)).toEqual(['IST0101 spec.http[0].route[1].destination.subset']);
    expect(v.blocking).toBe(true);
    expect(blockedBecause(v)).toBe('this change sends traffic to a destination with an Error-level finding');
  });

  it('does not hold back other edits of an object that is already broken: a timeout beside a 0% destination, less traffic to one with traffic', () => {
    const before = routes(['v1', 100], ['v3', 0]);
    const after = structuredClone(before);
    (after.spec as { http: { timeout: string }[] }).http[0]!.timeout = '5s';
    expect(verdict(before, after)).toMatchObject({ added: [], routedTo: [], blocking: false });
    expect(verdict(routes(['v1', 50], ['v3', 50]), routes(['v1', 90], ['v3', 10]))).toMatchObject({ routedTo: [], blocking: false });
  });

  it('counts a lone destination without a weight as taking all traffic', () => {
    const lone = (subset: string, weight?: number) =>
      obj('VirtualService', 'payments/ledger', {
        hosts: ['ledger'],
        http: [{ route: [{ destination: { host: 'ledger', subset }, ...(weight === undefined ? {} : { weight }) }] }],
      });
    expect(verdict(lone('v3', 0), lone('v3')).routedTo.map((f) => f.code)).toEqual(['IST0101']);
  });

  it('does not count a finding that only moved (an entry before it was removed) as added', () => {
    const v = verdict(routes(['v1', 100], ['v2', 0], ['v3', 0]), routes(['v1', 100], ['v3', 0]));
    expect(v.added.map((f) => f.path)).toEqual(['spec.http[0].route[1].destination.subset']);
    expect(v.removed.map((f) => f.path)).toEqual(['spec.http[0].route[2].destination.subset']);
    expect(v.blocking).toBe(false);
  });

  it('never blocks on warnings or info, and not when the analysis is unavailable', () => {
    const warnings = { added: [finding('Warning', 'spec.http[0]')], removed: [], routedTo: [] };
    expect(blockingFindings(warnings)).toEqual([]);
    expect(gateAnalysis(warnings).blocking).toBe(false);
    expect(isBlocking({ unavailable: 'the cluster analysis is still loading' })).toBe(false);
    expect(isBlocking(undefined)).toBe(false);
  });

  it('names at most three findings in a refusal, then how many more', () => {
    const added = [0, 1, 2, 3, 4].map((i) => finding('Error', `spec.http[${i}].route[0].destination.subset`, `missing subset ${i}`));
    const message = refusalMessage({ added, removed: [], routedTo: [], blocking: true });
    expect(message).toContain('this change adds 5 Error-level findings: IST0101 (VirtualService payments/ledger): missing subset 0;');
    expect(message).toContain('missing subset 2; and 2 more.');
    expect(message).not.toContain('missing subset 3');
  });

  it('records an override with its reason and the findings it let in, bounded', () => {
    const many = Array.from({ length: 30 }, (_, i) => finding('Error', `spec.http[${i}].route[0].destination.subset`, 'x'.repeat(900)));
    const record = overrideRecord({ reason: 'the subset is created by the next deploy' }, many);
    expect(record.reason).toBe('the subset is created by the next deploy');
    expect(record.findings).toHaveLength(20);
    expect(record.findings[0]).toEqual({
      code: 'IST0101',
      message: 'x'.repeat(500),
      origin: 'VirtualService payments/ledger',
      path: 'spec.http[0].route[0].destination.subset',
    });
  });

  it('reads finding paths, quoted keys included, and the list entry a finding is about', () => {
    expect(pathTokens('spec.http[0].route[1].destination.subset')).toEqual(['spec', 'http', 0, 'route', 1, 'destination', 'subset']);
    expect(pathTokens('metadata.annotations["sidecar.istio.io/inject"]')).toEqual(['metadata', 'annotations', 'sidecar.istio.io/inject']);
    expect(routeEntryOf('spec.http[0].route[1].destination.subset')).toEqual(['spec', 'http', 0, 'route', 1]);
    expect(routeEntryOf('spec.tcp[2].route[0].destination.host')).toEqual(['spec', 'tcp', 2, 'route', 0]);
    expect(routeEntryOf('spec.http[0].mirror.subset')).toBeUndefined();
    expect(routeEntryOf('spec.trafficPolicy.tls.mode')).toBeUndefined();
  });

  it('analyzes a write as the object it stores, or as a removal when the dry run returns none', () => {
    const vs = routes(['v1', 100]);
    expect(changesOfWrite(vs, vs)).toEqual([{ type: 'upsert', object: vs }]);
    expect(changesOfWrite(vs, undefined)).toEqual([{ type: 'delete', object: vs }]);
    expect(changesOfWrite(undefined, { status: 'Success' })).toEqual([]);
  });
});
