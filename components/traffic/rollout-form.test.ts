import { describe, expect, it } from 'vitest';
import { planInput as planSchema } from '@/lib/api/rollout-schemas';
import { BUILTIN_PRESETS, type RolloutPreset } from '@/lib/mesh/rollout';
import type { RolloutSummary } from '@/lib/mesh/rollout';
import type { VirtualServiceView } from '@/lib/mesh/traffic-split';
import {
  defaultRoles,
  destinationKey,
  fieldOfPath,
  initialForm,
  notAVersionConflict,
  orderPresets,
  planInput,
  serverFieldMessages,
  startBlocker,
  withPreset,
} from './rollout-form';

const dest = (subset: string | undefined, weight: number, host = 'reviews.shop.svc.cluster.local') => ({ host, service: 'reviews', subset, weight });
const route = { index: 3, name: 'default-split', destinations: [dest('v1', 90), dest('v2-canary', 10)] };
const standard = BUILTIN_PRESETS.find((p) => p.name === 'standard')!;
const own: RolloutPreset = {
  ...standard,
  name: 'reviews',
  description: 'for reviews',
  steps: [2, 20, 100],
  gates: { maxErrorRate: 0.005 },
  services: ['reviews'],
};

describe('the Start rollout form', () => {
  it('takes the heaviest destination as stable and the canary rule’s as candidate', () => {
    expect(defaultRoles([dest('v1', 90), dest('v2-canary', 10)], '.*canary.*')).toEqual({ stable: 0, candidate: 1 });
    // The canary carrying most of the traffic (a rollout to redo from the start) stays the candidate only if it is not the stable.
    expect(defaultRoles([dest('canary', 10), dest('stable', 90)], '.*canary.*')).toEqual({ stable: 1, candidate: 0 });
    // No canary by the rule: the other release name, else the first other destination.
    expect(defaultRoles([dest('v1', 50), dest('v2', 50)], '.*canary.*')).toEqual({ stable: 0, candidate: 1 });
    expect(defaultRoles([dest('a', 20), dest('b', 80), dest('c', 0)], 'nope')).toEqual({ stable: 1, candidate: 0 });
  });

  it('lists the presets meant for the route’s service first', () => {
    const named = (services: string[]) => ({ ...own, services });
    expect(orderPresets([standard, own], 'shop', route.destinations).map((p) => p.name)).toEqual(['reviews', 'standard']);
    expect(orderPresets([standard, named(['shop/reviews'])], 'shop', route.destinations)[0]!.services).toEqual(['shop/reviews']);
    expect(orderPresets([standard, named(['reviews.shop.svc.cluster.local'])], 'shop', route.destinations)[0]!.services).toEqual([
      'reviews.shop.svc.cluster.local',
    ]);
    expect(orderPresets([standard, named(['other/reviews'])], 'shop', route.destinations)[0]).toBe(standard);
  });

  it('opens with the route’s roles and the first preset, shares in percent and durations as Go durations', () => {
    const form = initialForm(route, '.*canary.*', [standard]);
    expect(form).toEqual({
      preset: 'standard',
      stable: destinationKey(route.destinations[0]!),
      candidate: destinationKey(route.destinations[1]!),
      steps: '5, 10, 25, 50, 100',
      stepDuration: '5m',
      interval: '1m',
      window: '2m',
      minRequests: '50',
      maxErrorRate: '5',
      maxErrorRateIncrease: '1',
      maxP99Ms: '',
      maxP99Ratio: '1.5',
      custom: [],
      maxFailedChecks: '2',
    });
    // Another preset replaces the plan and keeps the destinations as chosen.
    const swapped = withPreset({ ...form, stable: form.candidate, candidate: form.stable }, own);
    expect([swapped.preset, swapped.steps, swapped.maxErrorRate, swapped.maxErrorRateIncrease, swapped.stable]).toEqual([
      'reviews',
      '2, 20, 100',
      '0.5',
      '',
      form.candidate,
    ]);
  });

  it('makes the API’s plan input: ratios from percent, empty gates left out, custom gates with their bounds', () => {
    const form = {
      ...initialForm(route, '.*canary.*', [standard]),
      steps: '5,10 , 50',
      maxP99Ratio: '',
      maxErrorRateIncrease: '0.5',
      custom: [
        { name: 'orders', query: 'sum(rate(orders_total[$window]))', max: '', min: '3' },
        { name: '', query: '', max: '', min: '' },
      ],
    };
    expect(planInput(form, route, 'default-split')).toEqual({
      plan: {
        route: 3,
        routeName: 'default-split',
        stable: { host: 'reviews.shop.svc.cluster.local', subset: 'v1' },
        candidate: { host: 'reviews.shop.svc.cluster.local', subset: 'v2-canary' },
        steps: [5, 10, 50],
        stepDuration: '5m',
        interval: '1m',
        window: '2m',
        gates: {
          minRequests: 50,
          maxErrorRate: 0.05,
          maxErrorRateIncrease: 0.005,
          custom: [{ name: 'orders', query: 'sum(rate(orders_total[$window]))', min: 3 }],
        },
        maxFailedChecks: 2,
        preset: 'standard',
      },
    });
  });

  it('names the fields that are not numbers instead of sending them', () => {
    const form = {
      ...initialForm(route, '.*canary.*', []),
      steps: '5, ten',
      maxP99Ms: '2s',
      custom: [{ name: 'x', query: 'up', max: 'lots', min: '' }],
    };
    expect(planInput(form, route).problems).toEqual({
      steps: 'Steps: "ten" is not a number',
      maxP99Ms: 'Max P99 (ms): "2s" is not a number',
      'custom.0': 'Maximum: "lots" is not a number',
      maxFailedChecks: 'Failed checks before rollback: say after how many failed checks in a row to roll back',
    });
    expect(planInput({ ...form, steps: ' ', candidate: 'gone#' }, route).problems).toMatchObject({
      steps: expect.stringContaining('e.g. 5, 10, 25'),
      candidate: "Choose the candidate among the route's destinations",
    });
  });

  it('puts the API’s field messages beside their fields, from details.fields or the message', () => {
    expect(
      serverFieldMessages({
        message: 'plan.steps: must increase (10 after 25); plan.gates.custom[0]: a custom gate needs max or min; plan.gates.maxErrorRateIncrease: at most 1',
      }),
    ).toEqual({ steps: 'must increase (10 after 25)', 'custom.0': 'a custom gate needs max or min', maxErrorRateIncrease: 'at most 1' });
    expect(
      serverFieldMessages({ message: 'x', fields: { 'plan.candidate': 'no subset "v9"', 'plan.gates.custom.1.query': 'empty', 'plan.window': 'a' } }),
    ).toEqual({
      candidate: 'no subset "v9"',
      'custom.1': 'empty',
      window: 'a',
    });
    // A message naming no field (a 409, say) leaves the fields alone.
    expect(serverFieldMessages({ message: 'the rollout controller is not armed: no leader' })).toEqual({});
    // The domain's plan checks name fields without "plan.".
    expect(['plan.stepWeight', 'plan.gates', 'plan.route', 'reason', 'resourceVersion', 'candidate', 'gates.custom[1]', 'route'].map(fieldOfPath)).toEqual([
      'steps',
      'gates',
      'plan',
      'reason',
      undefined,
      'candidate',
      'custom.1',
      'plan',
    ]);
  });

  it('sends what the API’s schema takes, and reads its messages back onto the fields', () => {
    for (const preset of BUILTIN_PRESETS)
      expect(planSchema.safeParse(planInput(initialForm(route, '.*canary.*', [preset]), route).plan).success, preset.name).toBe(true);
    const bad = planInput(
      { ...initialForm(route, '.*canary.*', [standard]), steps: '10, 5', window: '2', custom: [{ name: 'q', query: 'up', max: '', min: '' }] },
      route,
    ).plan;
    const issues = planSchema.safeParse(bad).error!.issues;
    // As lib/http/responses.ts writes a validation error's message.
    const message = issues.map((i) => `plan.${i.path.join('.')}: ${i.message}`).join('; ');
    expect(serverFieldMessages({ message })).toEqual({
      steps: 'must increase: 5 comes after 10',
      window: expect.stringContaining('"2" is not a duration'),
      'custom.0': 'give a max or a min threshold',
    });
  });

  it('says why a rollout cannot start, and tells a 409 of that kind from a version conflict', () => {
    const view = (change: Partial<VirtualServiceView>) => ({ name: 'reviews', resourceVersion: '8', ...change }) as VirtualServiceView;
    const rollout = (phase: RolloutSummary['phase']) => ({ route: 1, routeName: 'split', phase }) as RolloutSummary;
    expect(startBlocker(view({}))).toBeUndefined();
    expect(startBlocker(view({ rollout: rollout('RolledBack') }))).toBeUndefined();
    expect(startBlocker(view({ rollout: rollout('Paused') }))).toBe('A rollout is already paused on reviews (route split): finish or abort it first.');
    expect(startBlocker(view({ managedBy: 'Flagger manages this VirtualService' }))).toBe(
      'Flagger manages this VirtualService: Meshdeck runs no rollout on it.',
    );
    expect(startBlocker(view({ rolloutProblem: 'not JSON' }))).toContain('cannot be read (not JSON)');
    // Someone started a rollout meanwhile: its state says why, whatever the version.
    expect(notAVersionConflict(view({ rollout: rollout('Progressing') }), '7', 'changed since')).toContain('already progressing');
    // Same version (the controller is not armed, say): the server's message.
    expect(notAVersionConflict(view({}), '8', 'the rollout controller is not armed')).toBe('the rollout controller is not armed');
    // Another version and nothing in the way: a version conflict.
    expect([notAVersionConflict(view({}), '7', 'changed since'), notAVersionConflict(undefined, '7', 'changed since')]).toEqual([undefined, undefined]);
  });
});
