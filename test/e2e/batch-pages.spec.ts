import type { Page } from '@playwright/test';
import type { KilnApi } from '../../shared/ipc.ts';
import { test, expect } from './fixtures.ts';
import { openStudio } from './studio.helpers.ts';
import { auditThemes } from './screens.helpers.ts';

// A stack counts its whole group (issue 14), not the members the gallery has loaded. The gallery
// reads the history 200 runs a page (stores/predictions.ts); here a 12-run batch is followed by 200
// single runs, so none of its members is on the first page. Retrying its failed member puts the
// batch's stack at the top of the gallery with one loaded member (the retry) — and the stack still
// says "12 runs", its progress moving to "12 of 12 done" as the retry ends, live.

const FLUX = 'black-forest-labs/flux-schnell';
const FILLERS = 200; // one history page
const refusal = {
  status: 422,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({ title: 'Input validation failed', detail: '- prompt: scripted refusal for this one run\n', status: 422 }),
};

test.use({
  kilnOptions: { apiToken: 'sim' },
  viewport: { width: 1280, height: 860 },
  simOptions: {
    scenario: { models: { [FLUX]: { coldBootMs: 0, runMs: 100 } }, faults: [{ endpoint: 'create', kind: 'reply', after: 4, count: 1, reply: refusal }] },
  },
});

/** The same calls the renderer makes, over the page's own window.kiln (browser mode's WebSocket). */
function invoke<T>(page: Page, channel: string, req: unknown): Promise<T> {
  return page.evaluate(([c, r]) => (globalThis as unknown as { kiln: KilnApi }).kiln.invoke(c as never, r as never) as Promise<unknown>, [
    channel,
    req,
  ] as const) as Promise<T>;
}

test('a stack whose members are past the first history page still counts all of them, and follows a retry live', async ({ page, kiln }) => {
  // 213 runs through the simulator on a machine shared by several test runs.
  test.setTimeout(400_000);
  await openStudio(page, kiln.url);
  await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);

  const batch = await invoke<{ groupId: string; ids: string[] }>(page, 'predictions:createGroup', {
    kind: 'batch',
    members: Array.from({ length: 12 }, (_, i) => ({ model: FLUX, input: { prompt: `paged lantern ${i + 1}` } })),
  });
  const stack = page.getByRole('article', { name: /^Batch · 12 runs — paged lantern 1 — / });
  await expect(stack.getByTestId('stack-summary')).toHaveText('12 of 12 done · 1 failed', { timeout: 60_000 });
  const [failed] = (await invoke<{ items: { id: string }[] }>(page, 'predictions:list', { groupId: batch.groupId, status: ['failed'] })).items;
  expect(failed).toBeTruthy();

  // A page of newer single runs: the batch's members are all on the second page now.
  for (let i = 0; i < FILLERS / 8; i++) await invoke(page, 'predictions:create', { model: FLUX, input: { prompt: `filler ${i}` }, count: 8 });
  await page.reload();
  await expect(page.getByRole('article', { name: /^filler \d+ — / }).first()).toBeVisible();
  await expect(stack).toHaveCount(0); // past the loaded page: not shown at all

  // The failed member retried: its stack comes to the top with that one run loaded…
  await invoke(page, 'predictions:retry', { id: failed!.id });
  const top = page.locator('article[data-index="0"]');
  await expect(top).toHaveAttribute('data-group', batch.groupId);
  // …and counts the whole group, following the retry to its end.
  await expect(top).toHaveAccessibleName(/^Batch · 12 runs — paged lantern \d+ — 1[12] of 12 done/);
  await expect(top.getByTestId('stack-summary')).toHaveText('12 of 12 done', { timeout: 60_000 });
  await expect(top.getByRole('progressbar')).toHaveAttribute('aria-valuemax', '12');
  await expect(top.getByRole('button', { name: /Retry failed/ })).toHaveCount(0);
  // Only the retry is loaded: the count did not come from the gallery's page.
  await top.getByRole('button', { name: 'Show runs' }).click();
  await expect(page.getByRole('article', { name: /^paged lantern \d+ — / })).toHaveCount(1);
  await top.getByRole('button', { name: 'Hide runs' }).click();
  await page.mouse.move(0, 0);
  await auditThemes(page, 'stack-whole-group');
});
