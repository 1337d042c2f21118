import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'meshdeck-demo';

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, user: 'viewer' | 'operator' | 'admin') {
  await page.goto('/signin');
  const form = page.getByRole('form', { name: 'Demo sign-in' });
  await form.getByRole('combobox', { name: 'User' }).selectOption(user);
  await form.getByLabel('Password').fill(DEMO_PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('group', { name: 'Signed-in user' })).toContainText(`${user}@meshdeck.local`);
}
