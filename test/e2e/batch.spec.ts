import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditThemes } from './screens.helpers.ts';
import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, card, sentInputs } from './studio.helpers.ts';

// Batch (issue 14), driven like a person in browser mode against the Replicate simulator: a
// 12-prompt CSV opened from disk, its count and whole estimate before Start, the runs as one stack
// in the gallery with the stack's progress, one member refused by the provider (a scripted 422 on
// the fifth create) and retried alone, the others untouched.

const FLUX = 'black-forest-labs/flux-schnell';
const PROMPTS = Array.from({ length: 12 }, (_, i) => `batch lantern ${i + 1}, ink wash`);
const refusal = {
  status: 422,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    title: 'Input validation failed',
    detail: '- prompt: scripted refusal for this one run\n',
    status: 422,
    invalid_fields: [{ type: 'format', field: 'prompt', description: 'scripted refusal for this one run' }],
  }),
};

test.use({
  kilnOptions: { apiToken: 'sim' },
  viewport: { width: 1280, height: 860 },
  simOptions: {
    scenario: { models: { [FLUX]: { coldBootMs: 0, runMs: 800 } }, faults: [{ endpoint: 'create', kind: 'reply', after: 4, count: 1, reply: refusal }] },
  },
});

test('a 12-prompt batch from a CSV: one stack, its progress, one failure retried alone', async ({ page, kiln, sim }) => {
  // A long flow with axe audits in both themes, on a machine shared by several test runs.
  test.setTimeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-batch-'));
  const csv = path.join(dir, 'lanterns.csv');
  fs.writeFileSync(csv, `prompt,seed,mood\n${PROMPTS.map((p, i) => `"${p}",${100 + i},calm`).join('\n')}\n`);

  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await page.getByRole('button', { name: 'Batch…' }).click();
  const dialog = page.getByRole('dialog', { name: `Batch — ${FLUX}` });
  await expect(dialog).toBeVisible();

  // Alternatives typed by hand expand before anything is sent; the count follows.
  await dialog.getByLabel('Prompts, one per line').fill('a {red|blue|green} kite\nthe sea');
  await expect(dialog.getByTestId('batch-total')).toHaveText(/^4 runs · ≈ \$0\.012$/);
  // An unclosed brace is refused with where it is.
  await dialog.getByLabel('Prompts, one per line').fill('a {red|blue kite');
  await expect(dialog.getByRole('alert')).toHaveText(/"\{" at character 3 is never closed/);
  await expect(dialog.getByRole('button', { name: /^Start/ })).toBeDisabled();

  // The file replaces the pasted list: its columns name inputs, the unknown one is said.
  await dialog.getByLabel('Open a prompt list (.txt or .csv)').setInputFiles(csv);
  await expect(dialog.getByTestId('batch-file')).toContainText('lanterns.csv — 12 rows; columns prompt, seed; not inputs of this model, ignored: mood');
  await expect(dialog.getByTestId('batch-total')).toHaveText(/^12 runs · ≈ \$0\.036$/);
  await auditThemes(page, 'batch-dialog');
  await dialog.getByRole('button', { name: 'Start 12 runs' }).click();
  await expect(dialog).toHaveCount(0);

  // One stack, not twelve cards; its progress is the group's.
  const stack = page.getByRole('article', { name: /^Batch · 12 runs — / });
  await expect(stack).toHaveCount(1);
  await expect(card(page, PROMPTS[0]!)).toHaveCount(0);
  await expect(stack.getByTestId('stack-summary')).toHaveText('12 of 12 done · 1 failed', { timeout: 45_000 });
  await expect(stack.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '12');
  const sent = await sentInputs(sim);
  expect(sent).toHaveLength(11);
  expect(sent.every((s) => s.model === FLUX)).toBe(true);
  const failedPrompt = PROMPTS.find((p) => !sent.some((s) => s.input.prompt === p))!;
  // Each member carries its own row: prompt and seed from the CSV, the rest from the composer.
  expect(sent.find((s) => s.input.prompt === PROMPTS[0])?.input).toMatchObject({ seed: 100, num_outputs: 1 });

  // Open the stack: the members are ordinary cards; the failed one says why.
  await stack.getByRole('button', { name: 'Show runs' }).click();
  // The gallery is virtualized: a tall window holds every row, so all cards are counted.
  await page.setViewportSize({ width: 1280, height: 1800 });
  await expect(page.getByRole('article', { name: /^batch lantern \d+, ink wash — / })).toHaveCount(12);
  await expect(card(page, failedPrompt)).toContainText(/scripted refusal/);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.locator('.gallery-scroll').evaluate((el) => {
    el.scrollTop = 0;
  });
  await page.mouse.move(0, 0);
  await auditThemes(page, 'batch-stack');
  await page.setViewportSize({ width: 1280, height: 1800 });

  // Retry only the failed member: one more create, for that prompt; the eleven stay as they were.
  await stack.getByRole('button', { name: 'Retry failed (1)' }).click();
  await expect(stack.getByTestId('stack-summary')).toHaveText('12 of 12 done', { timeout: 30_000 });
  await expect(stack.getByRole('button', { name: /Retry failed/ })).toHaveCount(0);
  const after = await sentInputs(sim);
  expect(after).toHaveLength(12);
  expect(after.filter((s) => s.input.prompt === failedPrompt)).toHaveLength(1);
  expect(after.map((s) => s.input.prompt).sort()).toEqual([...PROMPTS].sort());
  // The retry joined the stack (13 cards inside it: the refused original and its retry).
  await expect(page.getByRole('article', { name: /^batch lantern \d+, ink wash — / })).toHaveCount(13);
  await stack.getByRole('button', { name: 'Hide runs' }).click();
  await expect(page.getByRole('article', { name: /^batch lantern \d+, ink wash — / })).toHaveCount(0);
  await expect(stack).toHaveAccessibleName(/Batch · 12 runs — .* — 12 of 12 done$/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a list over the size limit is refused before it is read, naming the limit', async ({ page, kiln }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-batch-'));
  const big = path.join(dir, 'huge.txt');
  fs.writeFileSync(big, 'x'.repeat(1024 * 1024 + 10));
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await page.getByRole('button', { name: 'Batch…' }).click();
  const dialog = page.getByRole('dialog', { name: `Batch — ${FLUX}` });
  await dialog.getByLabel('Open a prompt list (.txt or .csv)').setInputFiles(big);
  await expect(dialog.getByRole('alert')).toHaveText(/huge\.txt \(1 MB\) is larger than 1 MB, the most a batch list may be \(batchFileBytes\)/);
  await expect(dialog.getByRole('button', { name: /^Start/ })).toBeDisabled();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a batch whose whole estimate would cross the daily budget asks first; Cancel sends nothing', async ({ page, kiln, sim }) => {
  test.setTimeout(180_000);
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 0, runMs: 300 } } }); // no scripted refusal here
  await openStudio(page, kiln.url);
  await page.getByRole('button', { name: /Settings/ }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  const daily = settings.getByRole('region', { name: 'Budget' }).getByLabel('Daily budget (USD)');
  await daily.fill('0.01');
  await daily.press('Enter');
  await expect(settings.getByRole('region', { name: 'Budget' }).getByRole('status')).toHaveText('Saved: $0.01.');
  await page.keyboard.press('Escape');
  await pickModel(page, FLUX);

  // Each run alone ($0.003) is within $0.01; the six together ($0.018) are not.
  await page.getByRole('button', { name: 'Batch…' }).click();
  const dialog = page.getByRole('dialog', { name: `Batch — ${FLUX}` });
  await dialog.getByLabel('Prompts, one per line').fill('a {paper|glass|brass} lantern {at dusk|at dawn}');
  await expect(dialog.getByTestId('batch-total')).toHaveText(/^6 runs · ≈ \$0\.018$/);
  await dialog.getByRole('button', { name: 'Start 6 runs' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Over your daily budget' });
  await expect(ask).toContainText('These 6 runs would take you over your daily budget of $0.01');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toHaveCount(0);
  await expect(dialog).toBeVisible();
  expect(sim.control.predictions()).toHaveLength(0);

  await dialog.getByRole('button', { name: 'Start 6 runs' }).click();
  await ask.getByRole('button', { name: 'Run anyway' }).click();
  await expect(page.getByRole('article', { name: /^Batch · 6 runs — / })).toBeVisible();
  await expect.poll(() => sim.control.predictions().length, { timeout: 30_000 }).toBe(6);
  expect((await sentInputs(sim)).map((s) => s.input.prompt).sort()).toEqual([
    'a brass lantern at dawn',
    'a brass lantern at dusk',
    'a glass lantern at dawn',
    'a glass lantern at dusk',
    'a paper lantern at dawn',
    'a paper lantern at dusk',
  ]);
});
