// Progressive delivery end to end, as an operator does it: a rollout of the nutrition canary
// started from the Traffic page, its timeline filling in step by step until it is promoted
// under a healthy canary, and a rollback under a failing one, announced on every page until
// acknowledged. On a sandbox, Prometheus and dashboard of the spec's own (see rollouts-page.ts),
// with plans in seconds: Prometheus scrapes every second, so a 5 s window holds about five samples.
import { expect, test } from '@playwright/test';
import {
  CANARY_VS,
  NAMESPACE,
  canaryRow,
  canarySplit,
  resetCanaryRoute,
  rowRolloutLink,
  startRolloutFromTraffic,
  startRolloutWorld,
  switchScenario,
  type RolloutWorld,
  type TypedPlan,
} from './rollouts-page';

// Each worker has a world of its own (a failed test restarts the worker, and the next test gets a fresh one).
let world: RolloutWorld;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startRolloutWorld(browser);
});

test.afterAll(async () => {
  await world?.stop();
});

/** The seed's split and no rollout, the simulator switched to `scenario` (its timed phases start now), a new page. */
async function freshScene(scenario: string) {
  resetCanaryRoute(world);
  await switchScenario(world, scenario);
  return world.context.newPage();
}

/** A plan in seconds: checked every second over a 5 s window (about five samples at the 1 s scrape), a 5 % error gate. */
const secondsPlan = (plan: Pick<TypedPlan, 'timePerStep' | 'failedChecks' | 'reason'>): TypedPlan => ({
  steps: '5, 50, 100',
  interval: '1s',
  window: '5s',
  minRequests: '5',
  maxErrorRatePercent: '5',
  ...plan,
});

test.describe('rollouts', () => {
  test.afterEach(async () => {
    if (world) await switchScenario(world, 'default');
  });

  test('a rollout started on the Traffic page steps through its timeline to Promoted under a healthy canary', async () => {
    test.setTimeout(150_000);
    const page = await freshScene('nutrition-canary-healthy');
    await startRolloutFromTraffic(page, secondsPlan({ timePerStep: '8s', failedChecks: '2', reason: 'e2e: release 2.4 of the nutrition canary' }));

    // The route's row says where the rollout is and leads to its page.
    const state = rowRolloutLink(page);
    await expect(state).toHaveText(/^Rollout: (Progressing, step [1-3] of 3 \((5|50|100) %\)|Promoted)/);
    await state.click();
    await expect(page).toHaveURL(new RegExp(`/rollouts/${NAMESPACE}/${CANARY_VS}$`));
    await expect(page.getByRole('heading', { name: `Rollout ${CANARY_VS}`, level: 1 })).toBeVisible();

    // The timeline gains a step at a time (each step lasts at least 8 s) until the promotion.
    const timeline = page.getByRole('list', { name: 'Rollout timeline' });
    // A step's item is the one with its title (the charts inside it hold lists of their own).
    const steps = timeline.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /^(Step \d+ of \d+|Promotion) · \d+ %$/ }) });
    // The "Now" section's first fact is the phase.
    const now = page.getByRole('region', { name: 'Now' });
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          seen.push(await steps.count());
          return now.getByRole('definition').first().textContent();
        },
        { timeout: 90_000, intervals: [250], message: 'the rollout is promoted' },
      )
      .toMatch(/^Promoted/);
    const counts = [...new Set(seen.filter((n) => n > 0))];
    expect(counts[0], `steps shown one after another: ${counts.join(' → ')}`).toBeLessThan(3);
    expect(counts, 'the timeline only grows').toEqual([...counts].sort((a, b) => a - b));
    for (const [i, weight] of ['5', '50', '100'].entries())
      await expect(steps.filter({ has: page.getByRole('heading', { name: `Step ${i + 1} of 3 · ${weight} %` }) })).toContainText('passed');
    expect(canarySplit(world)).toBe('0 100');

    // A step's evidence: its gates charted against their thresholds.
    const first = steps.filter({ has: page.getByRole('heading', { name: 'Step 1 of 3 · 5 %' }) });
    const show = first.getByRole('button', { name: 'Show gate charts of step 1' });
    if (await show.isVisible()) await show.click();
    await expect(first.getByRole('figure', { name: 'Error rate at step 1' })).toBeVisible();
    await expect(first.getByRole('figure', { name: 'Requests at step 1' })).toBeVisible();

    // Back on the Traffic page the row says it is done.
    await page.goto(`/traffic?namespace=${NAMESPACE}`);
    await page.getByRole('searchbox', { name: 'Filter Routes' }).fill(CANARY_VS);
    await expect(rowRolloutLink(page)).toHaveText(/^Rollout: Promoted/);
    await page.close();
  });

  test('a failing canary is rolled back to the stable split, announced on every page until acknowledged', async () => {
    test.setTimeout(150_000);
    // Healthy at first, then 20 % errors 20 s after the switch: the rollout starts on good numbers
    // and its long first step is still running when the canary fails.
    const page = await freshScene('nutrition-canary-failing');
    await startRolloutFromTraffic(page, secondsPlan({ timePerStep: '2m', failedChecks: '1', reason: 'e2e: release 2.5 of the nutrition canary' }));
    await expect(rowRolloutLink(page)).toHaveText(/^Rollout: Progressing, step 1 of 3 \(5 %\)/);

    // One failed check rolls back: the row shows the stable split again, and why.
    await expect(rowRolloutLink(page)).toHaveText(/^Rollout: Rolled back at step 1 of 3/, { timeout: 60_000 });
    await expect(canaryRow(page).getByRole('slider', { name: `Weight of nutrition-service canary in ${CANARY_VS} route default-split` })).toHaveAttribute(
      'aria-valuenow',
      '0',
    );
    await expect(canaryRow(page).getByRole('slider', { name: `Weight of nutrition-service stable in ${CANARY_VS} route default-split` })).toHaveAttribute(
      'aria-valuenow',
      '100',
    );
    expect(canarySplit(world)).toBe('100 0');

    // Another page announces it, with a way to the rollout.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'rolled back' });
    await expect(banner).toContainText(`${NAMESPACE}/${CANARY_VS}`);
    await expect(banner.getByRole('link', { name: `See rollout ${CANARY_VS}` })).toBeVisible();

    // The rollout's page tells the story: the failed check and the rollback in the first step.
    await banner.getByRole('link', { name: `See rollout ${CANARY_VS}` }).click();
    const first = page.getByRole('list', { name: 'Rollout timeline' }).getByRole('listitem').first();
    await expect(first.getByRole('heading', { name: 'Step 1 of 3 · 5 %' })).toBeVisible();
    await expect(first).toContainText('failed on error rate');
    await expect(first).toContainText('rollback');

    // Acknowledged (with a reason), the banner goes from every page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await expect(banner).toBeVisible();
    await banner.getByRole('button', { name: 'Acknowledge' }).click();
    const acknowledge = page.getByRole('dialog', { name: 'Acknowledge rollback' });
    await acknowledge.getByRole('textbox', { name: 'Reason' }).fill('e2e: the canary build is being fixed');
    await acknowledge.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'rolled back' })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'rolled back' })).toHaveCount(0);
    await page.close();
  });
});
