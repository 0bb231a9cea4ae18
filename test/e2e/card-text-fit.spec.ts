import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { openStudio, pickModel, generate, card } from './studio.helpers.ts';

// The card's text block has a fixed height (the gallery computes row heights, it does not measure
// them), so what it holds must fit it: no line cut in half, no row drawn over another, nothing
// below the block's edge — with a prompt of several lines, a cost, a failure's message, at every
// thumbnail size.

test.use({ kilnOptions: { apiToken: 'sim' }, viewport: { width: 1440, height: 900 } });

const FLUX = 'black-forest-labs/flux-schnell';

interface Misfit {
  card: string;
  row: string;
  why: string;
}

/** Every visible card body's rows, checked against the body's content box and each other. */
function misfits(page: Page): Promise<Misfit[]> {
  return page.evaluate(() => {
    // The page's DOM (this project's typecheck has no DOM library: the e2e specs read it untyped).
    const g = globalThis as any;
    const out: { card: string; row: string; why: string }[] = [];
    for (const body of g.document.querySelectorAll('.gallery-scroll .card-body:not(.card-body-lite)')) {
      const name: string = body.closest('article')?.getAttribute('aria-label')?.slice(0, 40) ?? '?';
      const b = body.getBoundingClientRect();
      const cs = g.getComputedStyle(body);
      const top = b.top + parseFloat(cs.paddingTop);
      const bottom = b.bottom - parseFloat(cs.paddingBottom);
      let prevBottom = top;
      for (const el of body.children) {
        const style = g.getComputedStyle(el);
        // The actions sit on the picture (position: absolute), outside the text block's flow.
        if (style.position === 'absolute' || style.display === 'none') continue;
        const r = el.getBoundingClientRect();
        const label: string = el.className || el.tagName;
        if (r.top < prevBottom - 0.5) out.push({ card: name, row: label, why: `drawn over the row above (${r.top.toFixed(1)} < ${prevBottom.toFixed(1)})` });
        if (r.bottom > bottom + 0.5) out.push({ card: name, row: label, why: `below the block's edge (${r.bottom.toFixed(1)} > ${bottom.toFixed(1)})` });
        const line = parseFloat(style.lineHeight);
        // A row squeezed below its content: a clamped prompt shows whole lines, the others all of theirs.
        if (el.classList.contains('card-prompt')) {
          const lines = el.clientHeight / line;
          if (lines < 0.98 || Math.abs(lines - Math.round(lines)) > 0.05) out.push({ card: name, row: label, why: `${lines.toFixed(2)} lines shown` });
        } else if (el.scrollHeight > el.clientHeight + 1) {
          out.push({ card: name, row: label, why: `content ${el.scrollHeight} px in ${el.clientHeight} px` });
        }
        prevBottom = r.bottom;
      }
    }
    return out;
  });
}

test('the card text block holds its rows whole at every thumbnail size', async ({ page, kiln, sim }) => {
  test.setTimeout(90_000);
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const long = 'waves rolling onto a black sand beach at dawn, drone shot, long exposure, mist over the water';
  await expect(await generate(page, long)).toHaveAccessibleName(/— succeeded, saved/);
  await expect(await generate(page, 'a lighthouse on a cliff during a storm with spray and gulls [fail]')).toHaveAccessibleName(/— failed/);
  await expect(await generate(page, 'a teapot [fail]')).toHaveAccessibleName(/— failed/);
  await expect(await generate(page, 'a fox')).toHaveAccessibleName(/— succeeded, saved/);
  // A retried run folds into a stack card, whose text block is laid out the same way.
  await card(page, 'a teapot [fail]').getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('article', { name: /^Retried · 2 runs — a teapot/ })).toBeVisible();
  // The failed ones say why, and every card its cost, on the card itself.
  await expect(page.locator('.card-error').first()).toBeVisible();
  await expect(page.getByTestId('card-cost')).toHaveCount(3);

  for (const size of ['Small', 'Medium', 'Large']) {
    await page.getByRole('radio', { name: size }).click();
    await page.mouse.move(0, 0);
    await expect.poll(() => misfits(page), { message: `thumbnail size ${size}` }).toEqual([]);
  }
});
