import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { conditionsNegative } from './conditions-negative';

const condition = (type: string, status: string, reason = 'Reason', message = 'detail') => ({ type, status, reason, message });

describe('conditions.condition', () => {
  it('reports negative conditions on Istio kinds and Kubernetes Services', () => {
    const findings = findingsOf(conditionsNegative, [
      obj(
        'Service',
        'ledger/journal',
        { ports: [] },
        { status: { conditions: [condition('istio.io/WaypointBound', 'False', 'WaypointNotFound', 'waypoint ledger/wp not found')] } },
      ),
      obj(
        'ServiceEntry',
        'ledger/fx-rates',
        { hosts: ['fx.example.org'] },
        { apiVersion: 'networking.istio.io/v1beta1', status: { conditions: [condition('istio.io/WaypointBound', 'True')] } },
      ),
      obj(
        'AuthorizationPolicy',
        'ledger/deny-writes',
        {},
        { status: { conditions: [condition('ZtunnelAccepted', 'True'), condition('WaypointAccepted', 'True', 'PartiallyInvalid', 'rule 2 uses L7 fields')] } },
      ),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0171 AuthorizationPolicy ledger/deny-writes status.conditions[1]',
      'IST0171 Service ledger/journal status.conditions[0]',
    ]);
    expect(findings[1]!.message).toBe(
      'A condition with a negative status is present: type=istio.io/WaypointBound, reason=WaypointNotFound, message=waypoint ledger/wp not found.',
    );
  });

  it('reads Gateway API route conditions per parent, and ignores condition types it does not know', () => {
    const findings = findingsOf(conditionsNegative, [
      obj(
        'HTTPRoute',
        'ledger/web',
        {},
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          status: { parents: [{ conditions: [condition('Accepted', 'True')] }, { conditions: [condition('ResolvedRefs', 'False', 'BackendNotFound')] }] },
        },
      ),
      obj(
        'Gateway',
        'ledger/edge',
        {},
        { apiVersion: 'gateway.networking.k8s.io/v1beta1', status: { conditions: [condition('Programmed', 'True'), condition('Custom', 'False')] } },
      ),
      obj('Service', 'ledger/plain', {}),
    ]);
    expect(summarize(findings)).toEqual(['IST0171 HTTPRoute ledger/web status.parents[1].conditions[0]']);
  });
});
