// The Traffic page as a person uses it: the table of routes, filtered to a VirtualService so its
// rows are rendered (the table only renders rows in view), and a route opened in the drawer.
import { expect, type Page } from '@playwright/test';

/** Filters the table to a VirtualService and opens one of its routes; returns the route's section in the drawer. */
export async function openRoute(page: Page, vs: string, name: string) {
  // One drawer at a time: Escape closes the open one (and takes it out of the URL).
  if (await page.getByRole('dialog').isVisible()) {
    await page.keyboard.press('Escape');
    // The drawer's close rewrites the URL; a filter typed before that lands was overwritten by it (CI flake).
    await expect(page).not.toHaveURL(/[?&]route=/);
  }
  const filter = page.getByRole('searchbox', { name: 'Filter Routes' });
  await filter.fill(vs);
  await expect(filter).toHaveValue(vs);
  await page.getByRole('button', { name: `Open route ${name} of ${vs}`, exact: true }).click();
  return page.getByRole('dialog').getByRole('region', { name: `Route ${name} of ${vs}` });
}

/** A route's row slider: "Weight of nutrition-service canary in nutrition-service-canary route default-split". */
export const rowSlider = (page: Page, destination: string, vs: string, route: string) =>
  page.getByRole('table', { name: 'Routes' }).getByRole('slider', { name: `Weight of ${destination} in ${vs} route ${route}`, exact: true });

/** The live numbers beside a destination in a route's row. */
export const rowNumbers = (page: Page, destination: string, vs: string, route: string) =>
  page.getByRole('table', { name: 'Routes' }).getByRole('group', { name: `Live numbers of ${destination} in ${vs} route ${route}`, exact: true });

/** Opens a weighted route's "Start rollout" dialog (from the route's drawer, where the button sits next to its weights); returns the dialog. */
export async function openStartRollout(page: Page, vs: string, name: string) {
  const route = await openRoute(page, vs, name);
  await route.getByRole('button', { name: 'Start rollout', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start rollout', exact: true });
  await expect(dialog.getByRole('combobox', { name: 'Preset', exact: true })).toBeVisible();
  return dialog;
}

/** A route's rollout state in its table row: the link "Rollout: Progressing, step 2 of 5 (10 %)" to the rollout's page. */
export const rowRollout = (page: Page) => page.getByRole('table', { name: 'Routes' }).getByRole('link', { name: /^Rollout: / });
