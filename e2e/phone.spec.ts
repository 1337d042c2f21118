import { expect, test, type Page } from '@playwright/test';
import { pages } from '../lib/navigation';

// The on-call case: a 390 px phone. No page may scroll sideways, and the menu reaches every page.
test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

/** What sticks out past the right edge, to name it when a page overflows. */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5);
    // The outermost offenders only: their children stick out because they do.
    const outermost = wide.filter((el) => !wide.includes(el.parentElement!));
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      offenders: outermost
        .slice(0, 5)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} (right ${Math.round(el.getBoundingClientRect().right)} px)`,
        ),
    };
  });
}

test.describe('on a 390 px phone', () => {
  for (const { href, label } of pages) {
    test(`${label} (${href}) does not scroll sideways, and its menu lists every page`, async ({ page }) => {
      await page.goto(`${href}?namespace=ai-nutritionist`);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      // Let the page's data arrive: tables and charts are what grow wide.
      await expect(page.getByText(/^Loading /)).toHaveCount(0, { timeout: 20_000 });
      await page.waitForTimeout(1000);
      const fit = await overflowing(page);
      expect(fit.scrollWidth, `wider than the phone: ${fit.offenders.join(', ')}`).toBeLessThanOrEqual(fit.innerWidth);

      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav).toBeHidden();
      const menu = page.getByRole('button', { name: 'Menu' });
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      await menu.click();
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      for (const other of pages) await expect(nav.getByRole('link', { name: other.label, exact: true })).toBeVisible();
      await expect(nav.getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page');
      expect((await overflowing(page)).scrollWidth).toBeLessThanOrEqual(390);
      // Escape closes it and hands the focus back.
      await page.keyboard.press('Escape');
      await expect(nav).toBeHidden();
      await expect(menu).toBeFocused();
    });
  }

  test('a link in the menu goes to its page and closes the menu; the signed-in user and sign-out are in it', async ({ page }) => {
    await page.goto('/?namespace=ai-nutritionist');
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect(page.getByRole('group', { name: 'Signed-in user' })).toContainText('operator@meshdeck.local');
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await expect(page).toHaveURL(/\/audit\?namespace=ai-nutritionist$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  });
});
