import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, showAdvanced } from './studio.helpers.ts';
import { auditThemes } from './screens.helpers.ts';

// Money in the studio (issue 13, ARCHITECTURE.md, "Money"), driven like a person in browser mode against the
// simulator: the estimate next to Generate, the budget prompt, a run's cost on its card and in
// the detail view, and the spend view. Prices come from Replicate's shipped table
// (flux-schnell: $0.003 per image, table of 2026-10); stability-ai/sdxl is not in it.

test.use({ kilnOptions: { apiToken: 'sim' }, viewport: { width: 1280, height: 860 } });

const FLUX = 'black-forest-labs/flux-schnell';
const SHOTS = process.env.KILN_COST_SHOTS; // a folder: screenshots of the money screens in both themes

const estimate = (page: Page) => page.getByTestId('cost-estimate');
/** Predictions the simulator actually created (its counters, keyed by model + input). */
const creates = (sim: { control: { counters(): { createsByInputHash: Record<string, number> } } }) =>
  Object.values(sim.control.counters().createsByInputHash).reduce((a, b) => a + b, 0);

async function openSettings(page: Page) {
  await page.getByRole('button', { name: /Settings/ }).click();
  return page.getByRole('dialog', { name: 'Settings' });
}

test('the estimate next to Generate follows the form, with its basis, and never on the wire', async ({ page, kiln }) => {
  const sent: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string') sent.push(f.payload);
    }),
  );
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(estimate(page)).toHaveText(/\$0\.003$/);
  await expect(estimate(page)).toHaveAccessibleDescription("1 image × $0.003, Replicate's price table of 2026-10");

  // From here on the figure is computed in the page: no cost:* request on a form change.
  const before = sent.filter((f) => f.includes('"cost:')).length;
  await showAdvanced(page);
  await page.getByLabel('Num outputs').fill('4');
  await expect(estimate(page)).toHaveText(/\$0\.012$/);
  await expect(estimate(page)).toHaveAccessibleDescription("4 images × $0.003, Replicate's price table of 2026-10");
  await page.getByLabel('Number of predictions').selectOption('2');
  await expect(estimate(page)).toHaveText(/\$0\.024$/);
  await expect(estimate(page)).toHaveAccessibleDescription(/^8 images × \$0\.003/);
  expect(sent.filter((f) => f.includes('"cost:')).length).toBe(before);

  // The basis shows on focus, for keyboard users as for the mouse.
  await estimate(page).focus();
  await expect(page.getByRole('tooltip')).toHaveText(/8 images × \$0\.003/);
  await auditThemes(page, 'estimate', SHOTS);
  // A press (touch, or a mouse that then moves away) keeps the basis shown; Escape lets it go.
  await estimate(page).click();
  await expect(estimate(page)).toHaveAttribute('aria-expanded', 'true');
  await page.mouse.move(0, 0);
  await expect(page.getByRole('tooltip')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(estimate(page)).toHaveAttribute('aria-expanded', 'false');

  // A model the table does not price: unknown, never $0.
  await pickModel(page, 'stability-ai/sdxl');
  await expect(estimate(page)).toHaveText(/Price unknown/);
  await expect(estimate(page)).not.toHaveText(/\$0/);
  await expect(estimate(page)).toHaveAccessibleDescription(/No price known for stability-ai\/sdxl/);
});

test('a batch that would cross the daily budget asks first; Cancel sends nothing', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);

  // The budget field says why a value is refused, and keeps a good one.
  const settings = await openSettings(page);
  const budgets = settings.getByRole('region', { name: 'Budget' });
  const daily = budgets.getByLabel('Daily budget (USD)');
  await daily.fill('-5');
  await daily.press('Enter');
  await expect(budgets.getByRole('alert')).toHaveText(/in dollars/);
  await expect(daily).toHaveAttribute('aria-invalid', 'true');
  await daily.fill('0');
  await daily.press('Enter');
  await expect(budgets.getByRole('alert')).toHaveText(/more than \$0/);
  await daily.fill('0.01');
  await daily.press('Enter');
  await expect(budgets.getByRole('status')).toHaveText('Saved: $0.01.');
  await settings.getByLabel('Monthly budget (USD)').fill('lots');
  await settings.getByLabel('Monthly budget (USD)').press('Enter');
  await expect(budgets.getByRole('alert')).toHaveText(/in dollars/);
  await auditThemes(page, 'settings-budget', SHOTS);
  await settings.getByLabel('Monthly budget (USD)').fill('');
  await page.keyboard.press('Escape');
  await expect(settings).toBeHidden();

  // One image ($0.003) stays within $0.01: no question.
  await pickModel(page, FLUX);
  await expect(await generate(page, 'a copper kettle')).toHaveAccessibleName(/— succeeded/);
  expect(creates(sim)).toBe(1);

  // × 4 more would make $0.015 today: the prompt names the budget, the spend so far and the estimate.
  await page.getByLabel('Number of predictions').selectOption('4');
  await page.getByLabel('Prompt', { exact: true }).fill('a brass kettle');
  await page.getByRole('button', { name: 'Generate' }).click();
  const prompt = page.getByRole('alertdialog', { name: 'Over your daily budget' });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('daily budget of $0.01');
  await expect(prompt).toContainText('Spent today: $0.003');
  await expect(prompt).toContainText('These 4 runs: about $0.012');
  await expect(prompt.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // The shared dialog: the page behind is hidden from assistive technology and Tab stays inside.
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    // A page function: DOM globals, not Node types.
    expect(await page.evaluate(() => !!(globalThis as any).document.activeElement?.closest('[role="alertdialog"]'))).toBe(true);
  }
  await prompt.getByRole('button', { name: 'Cancel' }).focus();
  await auditThemes(page, 'budget-prompt', SHOTS);
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toBeHidden();
  // Nothing was created: not on the provider, not in the gallery.
  await page.waitForTimeout(500);
  expect(creates(sim)).toBe(1);
  await expect(page.getByRole('article', { name: /a brass kettle/ })).toHaveCount(0);

  // Escape is Cancel too; "Run anyway" starts all four.
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(prompt).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(prompt).toBeHidden();
  expect(creates(sim)).toBe(1);
  await page.getByRole('button', { name: 'Generate' }).click();
  await prompt.getByRole('button', { name: 'Run anyway' }).click();
  await expect(page.getByRole('article', { name: /a brass kettle/ })).toHaveCount(4);
  expect(creates(sim)).toBe(5);
});

test('a run shows its cost on the card and in the detail view; Retry says its price; aborted is not billed', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page);
  await page.getByLabel('Num outputs').fill('2');
  const c = await generate(page, 'two paper cranes');
  await expect(c).toHaveAccessibleName(/— succeeded/);
  const cost = c.getByTestId('card-cost');
  await expect(cost).toContainText('$0.006 est.');
  await expect(cost).toHaveAttribute('title', /2 images × \$0\.003/);
  const retry = c.getByRole('button', { name: 'Retry' });
  await expect(retry).toHaveAccessibleDescription(/^Costs about \$0\.006: 2 images × \$0\.003/);

  await c.click();
  const detail = page.getByRole('dialog', { name: /Details: two paper cranes/ });
  await expect(detail.getByTestId('detail-cost')).toContainText('Cost $0.006 est.');
  await expect(detail.getByTestId('detail-cost')).toContainText("2 images × $0.003, Replicate's price table of 2026-10");
  await expect(detail.getByRole('button', { name: 'Retry' })).toHaveAccessibleDescription(/Costs about \$0\.006/);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/detail-cost.png` });
  await page.keyboard.press('Escape');

  // Replicate aborts a run that did not start before Cancel-After: not billed, and said so.
  const settings = await openSettings(page);
  await settings.getByLabel('Give up if not started within').selectOption({ label: '1 minute' });
  await page.keyboard.press('Escape');
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 10 * 60_000, runMs: 200 } } });
  sim.control.freeze();
  const late = await generate(page, 'a cold kiln');
  await expect(late).toHaveAccessibleName(/— starting/);
  sim.control.advance(2 * 60_000);
  await expect(late).toHaveAccessibleName(/— aborted/);
  await expect(late.getByTestId('card-cost')).toContainText('Not billed');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/card-cost.png` });
});

test('the spend view totals per day, month, provider and model, filters by date and exports CSV', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page);
  await page.getByLabel('Num outputs').fill('2');
  await expect(await generate(page, 'a pair of boots')).toHaveAccessibleName(/— succeeded/);
  await page.getByLabel('Num outputs').fill('1');
  await expect(await generate(page, 'one boot')).toHaveAccessibleName(/— succeeded/);

  await page.getByRole('button', { name: 'Spend' }).click();
  const view = page.getByRole('dialog', { name: 'Spend' });
  await expect(view.getByTestId('spend-total')).toHaveText('$0.009 est. over 2 runs');
  await expect(view.getByRole('img', { name: /Spend per day, 1 day, highest \$0\.009/ })).toBeVisible();
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const row = (caption: string, key: string) =>
    view.getByRole('table', { name: caption }).getByRole('row', { name: new RegExp(`^${key.replace(/[/.]/g, '\\$&')} `) });
  await expect(row('Per day', today)).toContainText('$0.009');
  await expect(row('Per month', today.slice(0, 7))).toContainText('$0.009');
  await expect(row('Per provider', 'Replicate')).toContainText('$0.009');
  await expect(row('Per model', FLUX)).toContainText('$0.009 est.');
  await expect(row('Per model', FLUX)).toContainText('2');
  // Ctrl+Enter is the composer's, and the composer is behind the view: it starts nothing.
  await view.getByLabel('From').focus();
  await page.keyboard.press('Control+Enter');
  await page.waitForTimeout(500);
  expect(creates(sim)).toBe(2);
  await auditThemes(page, 'spend', SHOTS);

  const download = page.waitForEvent('download');
  await view.getByRole('button', { name: 'Export CSV' }).click();
  const csv = fs
    .readFileSync(await (await download).path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csv).toHaveLength(3); // a header and one row per run
  expect(csv.slice(1).every((l) => l.includes(FLUX))).toBe(true);

  // A range after today holds nothing.
  const next = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  await view.getByLabel('From').fill(next);
  await expect(view).toContainText('No runs with a cost in this range.');
  await view.getByRole('button', { name: 'All time' }).click();
  await expect(view.getByTestId('spend-total')).toHaveText('$0.009 est. over 2 runs');
});

test('a Retry that would cross the daily budget asks first; Cancel sends nothing', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page); // Num outputs is an advanced field, folded by default
  await page.getByLabel('Num outputs').fill('2');
  const c = await generate(page, 'a tin lantern');
  await expect(c).toHaveAccessibleName(/— succeeded/);
  expect(creates(sim)).toBe(1);

  // $0.006 spent; another $0.006 would pass a $0.01 day.
  const settings = await openSettings(page);
  await settings.getByLabel('Daily budget (USD)').fill('0.01');
  await settings.getByLabel('Daily budget (USD)').press('Enter');
  await expect(settings.getByRole('region', { name: 'Budget' }).getByRole('status')).toHaveText('Saved: $0.01.');
  await page.keyboard.press('Escape');

  await c.getByRole('button', { name: 'Retry' }).click();
  const prompt = page.getByRole('alertdialog', { name: 'Over your daily budget' });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('This run would take you over your daily budget of $0.01');
  await expect(prompt).toContainText('Spent today: $0.006');
  await expect(prompt).toContainText("This run: about $0.006 (2 images × $0.003, Replicate's price table of 2026-10)");
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toBeHidden();
  await page.waitForTimeout(500);
  expect(creates(sim)).toBe(1);
  await expect(page.getByRole('article', { name: /a tin lantern/ })).toHaveCount(1);

  await c.getByRole('button', { name: 'Retry' }).click();
  await prompt.getByRole('button', { name: 'Run anyway' }).click();
  // The two tries stack (issue 14): one stack of 2 runs.
  await expect(page.getByRole('article', { name: /^Retried · 2 runs — a tin lantern — / })).toHaveCount(1);
  // The new card shows from the click on; its create reaches the provider a moment later.
  await expect.poll(() => creates(sim)).toBe(2);
});

test('Settings → Prices: an override is listed, edited and removed, refused with reasons, and changes the estimate at once', async ({ page, kiln }) => {
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(estimate(page)).toHaveText(/\$0\.003$/);

  const settings = await openSettings(page);
  const prices = settings.getByRole('region', { name: 'Prices' });
  await expect(prices.getByTestId('no-overrides')).toHaveText('No prices of your own yet.');
  const model = prices.getByLabel('Model');
  const usd = prices.getByLabel('Price (USD)');
  // Refusals say what to type instead, on the field that is wrong.
  await model.fill('flux-schnell');
  await usd.fill('ten cents');
  await prices.getByRole('button', { name: 'Add price' }).click();
  await expect(model).toHaveAttribute('aria-invalid', 'true');
  await expect(model).toHaveAccessibleDescription(/owner\/name, like black-forest-labs\/flux-schnell/);
  await expect(usd).toHaveAccessibleDescription(/amount in dollars, like 0\.003/);
  await model.fill(FLUX);
  await usd.fill('0.01');
  await prices.getByRole('button', { name: 'Add price' }).click();
  await expect(prices.getByRole('status')).toHaveText(`Added: replicate:${FLUX} at $0.01 per output.`);
  const row = prices.getByRole('row', { name: new RegExp(`replicate:${FLUX}`) });
  await expect(row).toContainText('$0.01 per output');
  // The same model again is an edit, not a second price.
  await model.fill(FLUX);
  await usd.fill('0.02');
  await prices.getByRole('button', { name: 'Add price' }).click();
  await expect(model).toHaveAccessibleDescription(`replicate:${FLUX} already has your price: use Edit on its row.`);
  await model.fill('');
  await usd.fill('');
  await auditThemes(page, 'settings-prices', SHOTS);
  await page.keyboard.press('Escape');

  // The estimate beside Generate uses it at once, and says where it comes from.
  await expect(estimate(page)).toHaveText(/\$0\.01$/);
  await expect(estimate(page)).toHaveAccessibleDescription('1 output × $0.01, your price in Settings');

  await openSettings(page);
  await row.getByRole('button', { name: `Edit the price for replicate:${FLUX}` }).click();
  await expect(prices.getByRole('heading', { name: `Edit the price for replicate:${FLUX}` })).toBeVisible();
  await expect(usd).toHaveValue('0.01');
  await prices.getByLabel('Billed').selectOption('run');
  await usd.fill('0.05');
  await prices.getByRole('button', { name: 'Save price' }).click();
  await expect(row).toContainText('$0.05 per run');
  await page.keyboard.press('Escape');
  await page.getByLabel('Number of predictions').selectOption('2');
  await expect(estimate(page)).toHaveText(/\$0\.10$/);

  await openSettings(page);
  await row.getByRole('button', { name: `Remove the price for replicate:${FLUX}` }).click();
  await expect(prices.getByRole('status')).toHaveText(`Removed your price for replicate:${FLUX}; its listed price applies again.`);
  await expect(prices.getByTestId('no-overrides')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(estimate(page)).toHaveText(/\$0\.006$/);
  await expect(estimate(page)).toHaveAccessibleDescription("2 images × $0.003, Replicate's price table of 2026-10");
});
