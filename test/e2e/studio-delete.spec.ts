import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card, deleteFromCard } from './studio.helpers.ts';

// Issue 11 item 7, "Never lose work to a click": a double-click deletes one run, the undo names
// what it undoes and waits while the person reads it, and "Recently deleted" keeps runs and their
// files for 30 days, across restarts, with Restore and "Delete forever".

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';

test('a double-click on Delete deletes one run, not the next one too', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(await generate(page, 'the older teapot')).toHaveAccessibleName(/— succeeded, saved/);
  await expect(await generate(page, 'the newer teapot')).toHaveAccessibleName(/— succeeded, saved/);
  // A person's double-click: the first click deletes, the second lands a moment later at the
  // same spot — where the next card would have slid in.
  // Delete is behind the card's menu: the double-click lands on its menu item.
  await card(page, 'the newer teapot').getByRole('button', { name: 'More actions' }).click();
  const box = (await page.getByRole('menuitem', { name: 'Delete' }).boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(card(page, 'the newer teapot')).toHaveCount(0);
  await page.waitForTimeout(150);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForTimeout(1_500);
  await expect(card(page, 'the older teapot')).toHaveCount(1);
  await expect(page.getByRole('article')).toHaveCount(1);
});

test('the undo toast names the run and waits while hovered', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await page.clock.install();
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(await generate(page, 'a red teapot on a shelf')).toHaveAccessibleName(/— succeeded, saved/);
  await deleteFromCard(page, card(page, 'a red teapot on a shelf'));
  const toast = page.locator('.toast').filter({ hasText: 'Deleted “a red teapot on a shelf”' });
  await expect(toast).toBeVisible();
  await toast.hover();
  await page.clock.fastForward(30_000);
  await expect(toast).toBeVisible();
  await page.mouse.move(0, 0);
  await page.clock.fastForward(30_000);
  await expect(toast).toHaveCount(0);
});

test('Recently deleted keeps a run and its files across a restart; Restore brings it back, Delete forever removes it', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(await generate(page, 'a kept lantern')).toHaveAccessibleName(/— succeeded, saved/);
  await expect(await generate(page, 'a lantern to forget')).toHaveAccessibleName(/— succeeded, saved/);
  for (const p of ['a kept lantern', 'a lantern to forget']) {
    await deleteFromCard(page, card(page, p));
    await expect(card(page, p)).toHaveCount(0);
  }
  // Long past any undo toast: the app restarts.
  await kiln.restart();
  await page.reload();
  await page.getByRole('button', { name: 'Recently deleted' }).click();
  const bin = page.getByRole('dialog', { name: 'Recently deleted' });
  await expect(bin.getByRole('listitem')).toHaveCount(2);
  const kept = bin.getByRole('listitem').filter({ hasText: 'a kept lantern' });
  await expect(kept).toContainText(/Deleted .*kept until/);
  await kept.getByRole('button', { name: 'Restore' }).click();
  const forget = bin.getByRole('listitem').filter({ hasText: 'a lantern to forget' });
  await forget.getByRole('button', { name: 'Delete forever' }).click();
  await expect(bin.getByRole('listitem')).toHaveCount(0);
  await page.keyboard.press('Escape');

  const back = card(page, 'a kept lantern');
  await expect(back).toHaveAccessibleName(/— succeeded, saved/);
  const img = back.locator('img');
  await expect
    .poll(() =>
      img.evaluate((el) => {
        const i = el as unknown as { complete: boolean; naturalWidth: number };
        return i.complete ? i.naturalWidth : 0;
      }),
    )
    .toBeGreaterThan(0);
  await expect(card(page, 'a lantern to forget')).toHaveCount(0);
  await kiln.restart();
  await page.reload();
  await page.getByRole('button', { name: 'Recently deleted' }).click();
  await expect(page.getByRole('dialog', { name: 'Recently deleted' })).toContainText('Nothing was deleted in the last 30 days');
});
