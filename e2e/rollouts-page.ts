// Rollouts end to end need a world of their own: a rollout moves the weights of the seed's
// nutrition canary, announces a rollback on every page and wants the traffic simulator in a
// canary scenario, and its controller must hold the Lease (the shared dashboard runs without
// it). So the spec starts its own sandbox with traffic, a Prometheus scraping it every second
// and a dashboard that runs the controller, all on ports the OS picks; nothing shared changes.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { ownContext, startDashboardProcess, stopDashboardProcess } from './dashboard-process';
import { jsonpath, kubectlAt } from './kube';
import { endWithWorker, freePort, startSandboxProcess, stopProcess, type SandboxProcess } from './processes';
import { signIn } from './sign-in';
import { openRoute } from './traffic-page';

export const NAMESPACE = 'ai-nutritionist';
/** The seed's canary VirtualService; its route default-split (http[3]) splits stable 95 / canary 5. */
export const CANARY_VS = 'nutrition-service-canary';
export const CANARY_ROUTE = 'default-split';
const CANARY_ROUTE_INDEX = 3;

export interface RolloutWorld {
  sandbox: SandboxProcess;
  trafficPort: number;
  prometheus: ChildProcess;
  dashboard: ChildProcess;
  port: number;
  context: BrowserContext;
  stop(): Promise<void>;
}

/** Starts the sandbox (traffic at 150 req/s), its Prometheus and a dashboard running the rollout controller; an operator's session on it. */
export async function startRolloutWorld(browser: Browser): Promise<RolloutWorld> {
  const [trafficPort, prometheusPort, port] = [await freePort(), await freePort(), await freePort()];
  const sandbox = await startSandboxProcess(['--traffic', '--traffic-port', String(trafficPort), '--rate', '150']);
  const stopped: (() => Promise<unknown>)[] = [() => stopProcess(sandbox.child)];
  const stopAll = async () => {
    for (const stop of stopped.reverse()) await stop();
  };
  try {
    // The e2e Prometheus (scrape interval 1s), as playwright.config.ts runs it for the shared sandbox.
    const prometheus = endWithWorker(
      spawn(process.execPath, ['scripts/e2e-prometheus.ts', `127.0.0.1:${trafficPort}`, String(prometheusPort)], {
        stdio: ['ignore', 'ignore', 'inherit'],
        detached: true,
      }),
    );
    stopped.push(() => stopProcess(prometheus));
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    await expect
      .poll(
        () =>
          fetch(`${prometheusUrl}/-/ready`).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 30_000, message: 'the rollouts Prometheus is ready' },
      )
      .toBe(200);
    const dashboard = await startDashboardProcess(port, {
      KUBECONFIG: sandbox.kubeconfig,
      MESHDECK_PROMETHEUS_URL: prometheusUrl,
      // This replica holds the Lease: its rollout controller is armed (a start is refused otherwise).
      MESHDECK_EMERGENCY_RECONCILER: '1',
    });
    stopped.push(() => stopDashboardProcess(dashboard, port));
    await expect
      .poll(
        async () => {
          const readiness = (await (await fetch(`http://127.0.0.1:${port}/api/readyz`)).json()) as { checks: { name: string; ok: boolean }[] };
          return readiness.checks.find((c) => c.name === 'rollout-controller')?.ok;
        },
        { timeout: 30_000, message: 'the rollout controller is armed' },
      )
      .toBe(true);
    const context = await ownContext(browser, port);
    stopped.push(() => context.close());
    const signInPage = await context.newPage();
    await signIn(signInPage, 'operator');
    await signInPage.close();
    return { sandbox, trafficPort, prometheus, dashboard, port, context, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Switches the world's traffic simulator to a scenario of sandbox/scenarios (its timed phases start now). */
export async function switchScenario(world: RolloutWorld, name: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${world.trafficPort}/scenario?name=${name}`, { method: 'POST' });
  expect(response.status, await response.text()).toBe(200);
}

/** The canary route's weights now, "stable canary". */
export const canarySplit = (world: RolloutWorld) =>
  jsonpath('virtualservice', CANARY_VS, `.spec.http[${CANARY_ROUTE_INDEX}].route[*].weight`, NAMESPACE, world.sandbox.kubeconfig);

/** The seed's scene before a rollout: stable 95 / canary 5 and no rollout annotation (as a person at kubectl would put it back). */
export function resetCanaryRoute(world: RolloutWorld): void {
  const annotated = jsonpath('virtualservice', CANARY_VS, '.metadata.annotations.meshdeck\\.io/rollout', NAMESPACE, world.sandbox.kubeconfig) !== '';
  const ops = [
    { op: 'replace', path: `/spec/http/${CANARY_ROUTE_INDEX}/route/0/weight`, value: 95 },
    { op: 'replace', path: `/spec/http/${CANARY_ROUTE_INDEX}/route/1/weight`, value: 5 },
    ...(annotated ? [{ op: 'remove', path: '/metadata/annotations/meshdeck.io~1rollout' }] : []),
  ];
  kubectlAt(world.sandbox.kubeconfig, 'patch', 'virtualservice', CANARY_VS, '-n', NAMESPACE, '--type=json', `-p=${JSON.stringify(ops)}`);
}

/** A plan as typed into the "Start rollout" dialog; a gate left out is cleared. */
export interface TypedPlan {
  steps: string;
  timePerStep: string;
  interval: string;
  window: string;
  minRequests: string;
  maxErrorRatePercent: string;
  failedChecks: string;
  reason: string;
}

/**
 * On the Traffic page: opens the canary route, "Start rollout", checks the seed's preset is
 * offered for it, types the plan over the preset's fields, reviews and starts it.
 */
export async function startRolloutFromTraffic(page: Page, plan: TypedPlan): Promise<void> {
  await page.goto(`/traffic?namespace=${NAMESPACE}`);
  const route = await openRoute(page, CANARY_VS, CANARY_ROUTE);
  await route.getByRole('button', { name: 'Start rollout' }).click();
  const dialog = page.getByRole('dialog', { name: 'Start rollout' });
  // The mesh configuration's preset for this service comes first and fills the plan.
  await expect(dialog.getByRole('combobox', { name: 'Preset' })).toHaveValue('nutrition-canary');
  await expect(dialog.getByRole('combobox', { name: 'Stable' })).toHaveValue('nutrition-service#stable');
  await expect(dialog.getByRole('combobox', { name: 'Candidate' })).toHaveValue('nutrition-service#canary');
  const fields: [Locator, string][] = [
    [dialog.getByRole('textbox', { name: 'Steps' }), plan.steps],
    [dialog.getByRole('textbox', { name: 'Time per step' }), plan.timePerStep],
    [dialog.getByRole('textbox', { name: 'Check interval' }), plan.interval],
    [dialog.getByRole('textbox', { name: 'Window' }), plan.window],
    [dialog.getByRole('spinbutton', { name: 'Minimum requests' }), plan.minRequests],
    [dialog.getByRole('spinbutton', { name: 'Max error rate (%)' }), plan.maxErrorRatePercent],
    // Relative gates compare a few dozen requests a window: noise, not evidence, at these timings.
    [dialog.getByRole('spinbutton', { name: 'Max error rate over stable (points)' }), ''],
    [dialog.getByRole('spinbutton', { name: 'Max P99 (ms)' }), ''],
    [dialog.getByRole('spinbutton', { name: 'Max P99 × stable' }), ''],
    [dialog.getByRole('spinbutton', { name: 'Failed checks before rollback' }), plan.failedChecks],
  ];
  for (const [field, value] of fields) await field.fill(value);
  await dialog.getByRole('textbox', { name: 'Reason' }).fill(plan.reason);
  await dialog.getByRole('button', { name: 'Review change' }).click();
  await dialog.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(dialog.getByRole('link', { name: `Open the rollout of ${CANARY_VS}` })).toBeVisible();
  // Both drawers closed (the start's, then the route's), so the table is in reach again.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page).not.toHaveURL(/[?&]route=/);
}

/** The Routes table's row of the canary route (the row holding its canary slider). */
export const canaryRow = (page: Page) =>
  page
    .getByRole('table', { name: 'Routes' })
    .getByRole('row')
    .filter({ has: page.getByRole('slider', { name: `Weight of nutrition-service canary in ${CANARY_VS} route ${CANARY_ROUTE}`, exact: true }) });

/** The rollout state link in the canary route's row: "Rollout: Progressing, step 1 of 3 (5 %)". */
export const rowRolloutLink = (page: Page) => canaryRow(page).getByRole('link', { name: /^Rollout: / });
