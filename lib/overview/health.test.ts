import { describe, expect, it } from 'vitest';
import type { AuditView } from '@/lib/audit/audit';
import type { EmergencyState } from '@/lib/mesh/emergency';
import { namespaceHealth, type OverviewSources } from './health';

const now = Date.parse('2026-11-26T12:00:00Z');
const namespaces = [
  { name: 'shop', sidecarInjection: true },
  { name: 'quiet', sidecarInjection: false },
];
const change = (id: string, namespace: string, time: string) =>
  ({
    id,
    time,
    user: 'op@example.com',
    action: 'traffic.weights',
    summary: `change ${id}`,
    result: 'applied',
    resource: { namespace },
  }) as unknown as AuditView;
const emergency = { namespace: 'shop', name: 'default' } as EmergencyState;

const sources: OverviewSources = {
  red: { data: [{ namespace: 'shop', rate: 12, errorRatio: 0.01, p99: 250 }] },
  alerts: {
    data: [
      { name: 'HighErrorRate', namespace: 'shop', service: 'cart' },
      { name: 'Watchdog', namespace: undefined },
    ],
  },
  emergencies: { data: [emergency] },
  // Newest first, as the trail comes.
  audit: { data: [change('b', 'shop', '2026-11-26T11:00:00Z'), change('a', 'shop', '2026-11-25T11:59:00Z')] },
  objects: { data: [{ namespace: 'shop', virtualServices: 2, destinationRules: 1, policies: 3 }] },
};

describe('namespaceHealth', () => {
  it('gives every namespace its numbers, alerts, emergencies, changes of the last day and object counts', () => {
    const answer = namespaceHealth(namespaces, sources, now);
    const [shop, quiet] = answer.namespaces;
    expect(shop).toMatchObject({
      namespace: 'shop',
      red: { rate: 12 },
      alerts: [{ name: 'HighErrorRate' }],
      emergencies: [emergency],
      changes: { count: 1, latest: [{ id: 'b' }] },
      objects: { virtualServices: 2, destinationRules: 1, policies: 3 },
    });
    // Answered but nothing there: zeros, not "unknown".
    expect(quiet).toMatchObject({ red: { rate: 0, p99: null }, alerts: [], emergencies: [], changes: { count: 0 }, objects: { policies: 0 } });
    expect(answer.unscopedAlerts).toEqual([{ name: 'Watchdog', namespace: undefined }]);
    expect(answer.problems).toEqual({});
  });

  it('keeps the other sources when one fails, and says why that one is missing', () => {
    const down = { error: { status: 503, message: 'Prometheus at http://prom:9090 is unreachable' } };
    const answer = namespaceHealth(namespaces, { ...sources, red: down, alerts: down }, now);
    expect(answer.namespaces[0]).toMatchObject({ red: null, alerts: null, emergencies: [emergency], changes: { count: 1 } });
    expect(answer.unscopedAlerts).toBeNull();
    expect(answer.problems).toEqual({ red: down.error.message, alerts: down.error.message });
  });
});
