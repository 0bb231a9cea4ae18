import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card } from './studio.helpers.ts';

// Issue 14, "retries and batches stacked": the runs of one retry family show as one stack in the
// gallery, newest first, that opens like a batch's.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';

test('a failed run retried twice is one stack of 3 runs that opens', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100, outcome: 'failed', error: 'always fails' } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a stubborn failure');
  await expect(c).toHaveAccessibleName(/— failed/);
  await c.getByRole('button', { name: 'Retry' }).click();

  const stack = page.getByRole('article', { name: /^Retried · \d runs — a stubborn failure — / });
  await expect(stack).toHaveAccessibleName(/^Retried · 2 runs — a stubborn failure — latest try failed$/);
  await expect(card(page, 'a stubborn failure')).toHaveCount(0); // folded into the stack
  await stack.getByRole('button', { name: 'Retry', exact: true }).click();
  await expect(stack).toHaveAccessibleName(/^Retried · 3 runs — a stubborn failure — latest try failed$/);
  await expect(page.getByRole('article', { name: /^Retried · / })).toHaveCount(1);

  await stack.getByRole('button', { name: 'Show runs' }).click();
  await expect(card(page, 'a stubborn failure')).toHaveCount(3);
  // Newest first: the stack, then its runs in the order they were made, the latest try on top.
  const order = await page.locator('article[data-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
  expect(order).toEqual([1, 2, 3]);
  await stack.getByRole('button', { name: 'Hide runs' }).click();
  await expect(card(page, 'a stubborn failure')).toHaveCount(0);
});
