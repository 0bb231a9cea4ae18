import type { Page, Locator } from '@playwright/test';
import { expect } from './fixtures.ts';

// Steps a person takes in the studio, shared by the studio specs.

export async function openStudio(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible();
}

export async function pickModel(page: Page, ref: string): Promise<void> {
  await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
  const menu = page.getByRole('dialog', { name: 'Choose a model' });
  const row = menu.getByRole('button', { name: new RegExp(`^${ref.replace(/[/.-]/g, '\\$&')}\\b`) }).first();
  if (!(await row.isVisible().catch(() => false))) await menu.getByRole('searchbox', { name: 'Search models' }).fill(ref.split('/')[1]!);
  await row.click();
  await expect(page.getByRole('button', { name: `Model: ${ref}. Change model` })).toBeVisible();
  // The form is built once the model's schema has arrived.
  await expect(page.locator('.composer-form')).not.toHaveAttribute('aria-busy', 'true');
}

export async function generate(page: Page, prompt: string): Promise<Locator> {
  await page.getByLabel('Prompt', { exact: true }).fill(prompt);
  await page.getByRole('button', { name: 'Generate' }).click();
  return card(page, prompt);
}

export function card(page: Page, prompt: string): Locator {
  return page.getByRole('article', { name: new RegExp(`^${prompt.replace(/[[\]().*+?^$|\\]/g, '\\$&')} — `) });
}
