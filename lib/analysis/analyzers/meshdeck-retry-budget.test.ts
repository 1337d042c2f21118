import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckRetryBudget } from './meshdeck-retry-budget';

const vs = (http: Record<string, unknown>[], apiVersion = 'networking.istio.io/v1') =>
  obj(
    'VirtualService',
    'fleet/dispatch',
    { hosts: ['dispatch'], http: http.map((h) => ({ route: [{ destination: { host: 'dispatch' } }], ...h })) },
    { apiVersion },
  );
const mesh = (yaml: string) => obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: yaml } });

describe('meshdeck.retrybudget (MDK0009)', () => {
  it('reports (attempts + 1) × perTryTimeout above the timeout, reading Go durations', () => {
    const findings = findingsOf(meshdeckRetryBudget, [
      vs(
        [
          { name: 'quotes', timeout: '1m30s', retries: { attempts: 3, perTryTimeout: '30s' } },
          { timeout: '2s', retries: { attempts: 1, perTryTimeout: '1.5s' } },
        ],
        'networking.istio.io/v1beta1',
      ),
    ]);
    expect(summarize(findings)).toEqual([
      'MDK0009 VirtualService fleet/dispatch spec.http[0].retries',
      'MDK0009 VirtualService fleet/dispatch spec.http[1].retries',
    ]);
    expect(findings[0]!.message).toBe(
      'Route #0 "quotes": 4 tries (3 retries) × perTryTimeout 30s = 2m, more than its timeout 1m30s: only 3 tries fit, later ones are cut off (504)',
    );
    expect(findings[1]!.message).toContain('2 tries (1 retry) × perTryTimeout 1.5s = 3s, more than its timeout 2s: only 1 try fits');
  });

  it("applies the mesh's defaultHttpRetryPolicy to a route without retries", () => {
    const findings = findingsOf(meshdeckRetryBudget, [vs([{ timeout: '5s' }]), mesh('defaultHttpRetryPolicy:\n  attempts: 4\n  perTryTimeout: 2s\n')]);
    expect(summarize(findings)).toEqual(['MDK0009 VirtualService fleet/dispatch spec.http[0].timeout']);
    expect(findings[0]!.message).toContain("5 tries (4 retries from the mesh's defaultHttpRetryPolicy)");
  });

  it('is silent when the tries fit, without a timeout or per-try timeout, with retries off, or for delegates', () => {
    const findings = findingsOf(meshdeckRetryBudget, [
      vs([
        { timeout: '10s', retries: { attempts: 4, perTryTimeout: '2s' } },
        { retries: { attempts: 5, perTryTimeout: '10s' } },
        { timeout: '0s', retries: { attempts: 5, perTryTimeout: '10s' } },
        { timeout: '3s', retries: { attempts: 5 } },
        { timeout: '3s' },
        { timeout: '1s', retries: { attempts: 0 } },
        { timeout: '1s', delegate: { name: 'child' }, retries: { attempts: 3, perTryTimeout: '1s' } },
      ]),
    ]);
    expect(findings).toEqual([]);
  });
});
