import { test, expect } from './fixtures.ts';
import { pickModel, generate } from './studio.helpers.ts';

// A new user: no key yet. The studio explains what to do, the key goes in through Settings, the
// models load without a reload, and the first image gets made and saved.

test('first run: empty state → save key → models load → first saved image', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { 'black-forest-labs/flux-schnell': { coldBootMs: 200, runMs: 300 } } });
  await page.goto(kiln.url);
  await expect(page.getByRole('heading', { name: 'Your gallery is empty' })).toBeVisible();
  // No key is not an error: a calm pointer to Settings, no red toast.
  await expect(page.getByText('Add your Replicate API key to load this model’s inputs.')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.getByRole('button', { name: 'Add your API key' }).click();
  await page.getByLabel('Replicate API key').fill(sim.token);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByText(`Set, ends in ${sim.token.slice(-4)}`)).toBeVisible();
  await expect(page.getByText(/Account: /)).toBeVisible();
  await page.keyboard.press('Escape');

  await expect(page.getByLabel('Prompt', { exact: true })).toBeVisible();
  await pickModel(page, 'black-forest-labs/flux-schnell');
  const c = await generate(page, 'my very first kiln image');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await expect(page.getByRole('heading', { name: 'Your gallery is empty' })).toHaveCount(0);
});

test('keyboard: Ctrl+Enter generates, arrows move between cards, Enter opens, Escape closes', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { 'black-forest-labs/flux-schnell': { coldBootMs: 100, runMs: 100 } } });
  await page.goto(`${kiln.url}`);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Replicate API key').fill(sim.token);
  await page.getByLabel('Replicate API key').press('Enter');
  await expect(page.getByText(/Set, ends in/)).toBeVisible();
  await page.keyboard.press('Escape');
  await pickModel(page, 'black-forest-labs/flux-schnell');
  for (const p of ['first card', 'second card', 'third card']) {
    await page.getByLabel('Prompt', { exact: true }).fill(p);
    await page.keyboard.press('Control+Enter');
    await expect(page.getByRole('article', { name: new RegExp(`^${p} — succeeded`) })).toBeVisible();
  }
  // Newest first: third, second, first.
  await page.getByRole('article', { name: /^third card/ }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('article', { name: /^second card/ })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('article', { name: /^first card/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /Details: first card/ })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('dialog', { name: /Details: second card/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Space selects; the bulk bar acts on the selection.
  await page.getByRole('article', { name: /^first card/ }).focus();
  await page.keyboard.press(' ');
  await page.getByRole('article', { name: /^second card/ }).focus();
  await page.keyboard.press(' ');
  await expect(page.getByRole('toolbar', { name: 'Selection' })).toContainText('2 selected');
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await expect(page.getByRole('article')).toHaveCount(1);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('article')).toHaveCount(3);
});
