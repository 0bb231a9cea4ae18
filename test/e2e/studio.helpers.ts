import type { Page, Locator } from '@playwright/test';
import { expect } from './fixtures.ts';
import type { Sim } from '../replicate-sim/types.ts';

// Steps a person takes in the studio, shared by the studio specs.

export async function openStudio(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible();
}

export async function pickModel(page: Page, ref: string): Promise<void> {
  await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
  const menu = page.getByRole('dialog', { name: 'Choose a model' });
  // An option is named "REF — Provider" (the picker says who runs each model).
  const row = menu.getByRole('option', { name: new RegExp(`^${ref.replace(/[/.-]/g, '\\$&')}( — |$)`) }).first();
  if (!(await row.isVisible().catch(() => false))) await menu.getByRole('combobox', { name: 'Search models' }).fill(ref.split('/')[1]!);
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

/** A run retried: its tries fold into one stack (issue 14); this opens it so each try is a card again. */
export async function openRetries(page: Page, prompt: string, runs: number): Promise<void> {
  const stack = page.getByRole('article', { name: new RegExp(`^Retried · ${runs} runs — ${prompt.replace(/[[\]().*+?^$|\\]/g, '\\$&')} — `) });
  await stack.getByRole('button', { name: 'Show runs' }).click();
}

export function card(page: Page, prompt: string): Locator {
  return page.getByRole('article', { name: new RegExp(`^${prompt.replace(/[[\]().*+?^$|\\]/g, '\\$&')} — `) });
}

/** The inputs the simulator received, read back through its own API as a client would. */
export async function sentInputs(sim: Sim): Promise<{ model: string; input: Record<string, unknown> }[]> {
  const out: { model: string; input: Record<string, unknown> }[] = [];
  for (const p of sim.control.predictions()) {
    const res = await fetch(`${sim.baseUrl}/predictions/${p.id}`, { headers: { authorization: `Bearer ${sim.token}` } });
    const body = (await res.json()) as { input?: Record<string, unknown> };
    out.push({ model: p.model, input: body.input ?? {} });
  }
  return out;
}

/** Model creates of every kind: official models are created through the model endpoint. */
export function creates(sim: Sim): number {
  const c = sim.control.counters().byEndpoint;
  return (c['predictions.create'] ?? 0) + (c['models.predictions.create'] ?? 0) + (c['deployments.predictions.create'] ?? 0);
}

/** Unfolds the composer's "Advanced" fields (optional settings) if they are folded. */
export async function showAdvanced(page: Page): Promise<void> {
  const toggle = page.locator('.composer-form .advanced-toggle');
  if (!(await toggle.count())) return; // a model without optional settings has no fold
  if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
}

/**
 * Waits until every toast has timed out. A toast waits while the pointer rests on it, and the last
 * click (a card menu's Delete, low on the page) can leave the pointer over the toast stack in the
 * corner: the pointer is taken away first. The wait is longer than the longest toast's own life
 * (the undo toast's 10 s, paused while the pointer rests on it): a wait of exactly that life lost
 * the race on a loaded machine (CI, stop 24).
 */
export async function toastsGone(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await expect(page.locator('.toast')).toHaveCount(0, { timeout: 20_000 });
}

/** Deletes a run from its card: Delete sits behind the card's "More actions" menu. */
export async function deleteFromCard(page: Page, c: Locator): Promise<void> {
  await c.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
}
