import { test as setup } from '@playwright/test';
import { AUTH_DIR } from '../playwright.config';
import { signIn } from './sign-in';

for (const user of ['viewer', 'operator', 'admin'] as const) {
  setup(`sign in as ${user}`, async ({ page }) => {
    await signIn(page, user);
    await page.context().storageState({ path: `${AUTH_DIR}/${user}.json` });
  });
}
