import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { call, until } from './harness.ts';
import { setupFal, type FalHarness } from './fal-harness.ts';

// The engine following fal runs end to end: `fal:ENDPOINT_ID` through predictions:create, the
// fal provider behind the Provider interface, the fal simulator over real HTTP, a real SQLite
// history and vault. The Replicate-only cases stay in the other files of this suite; DECISIONS.md
// lists which conformance cases run for both providers so far.

let h: FalHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const FLUX = 'fal-ai/flux/schnell';
const rec = (id: string) => h!.backend.services.history.get(id)!;

describe('engine on fal', () => {
  it('waits in the queue with its position on the card, succeeds only with the result, and saves the image', async () => {
    h = await setupFal({ scenario: { concurrency: 1, endpoints: { [FLUX]: { startupMs: 0, runMs: 60_000 } } } });
    h.sim.control.freeze();
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'first' }, count: 3 });
    const last = ids[2];
    expect(rec(last).provider).toBe('fal');
    await until(() => rec(last).note === 'In queue — 1 ahead', 10_000, 'queue position on the card');
    h.sim.control.advance(61_000);
    await until(() => rec(last).note === 'In queue — next', 10_000, 'the queue moved');
    h.sim.control.advance(61_000);
    await until(() => rec(last).status === 'processing', 10_000, 'running');
    expect(rec(last).note).toBeNull();
    h.sim.control.advance(61_000);
    const done = await until(() => (rec(last).saveState === 'saved' ? rec(last) : null), 15_000, 'saved');
    expect(done.status).toBe('succeeded');
    expect(done.timeline.map((t) => t.status)).toEqual(expect.arrayContaining(['queued', 'submitting', 'starting', 'processing', 'succeeded']));
    expect(h.backend.services.history.getOutputs(last).length > 0 && h.backend.services.history.getOutputs(last).every((o) => o.state === 'saved')).toBe(true);
    // One job per click: three clicks, three jobs.
    expect(h.sim.control.jobs()).toHaveLength(3);
  });

  it('COMPLETED with a runner error ends failed with fal’s message (never succeeded)', async () => {
    h = await setupFal({ scenario: { endpoints: { 'kiln-test/always-fails': { startupMs: 0, runMs: 200 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: 'fal:kiln-test/always-fails', input: { prompt: 'x' } });
    const done = await until(() => (rec(ids[0]).status === 'failed' ? rec(ids[0]) : null), 15_000, 'failed');
    expect(done.error?.message).toMatch(/CUDA error/);
    expect(done.timeline.map((t) => t.status)).not.toContain('succeeded');
  });

  it('cancel while queued: fal accepts, the run ends canceled', async () => {
    h = await setupFal({ scenario: { concurrency: 1, endpoints: { [FLUX]: { startupMs: 0, runMs: 600_000 } } } });
    h.sim.control.freeze();
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'p' }, count: 2 });
    await until(() => rec(ids[1]).providerId && rec(ids[1]).status === 'starting', 10_000, 'queued at fal');
    const outcome = await h.backend.services.engine.cancel(ids[1]);
    expect(outcome).toMatchObject({ outcome: 'accepted' });
    await until(() => rec(ids[1]).status === 'canceled', 15_000, 'canceled');
    expect(h.sim.control.jobs().find((j) => j.request_id === rec(ids[1]).providerId)?.canceled).toBe(true);
  });

  it('cancel while queued, and fal then forgets the request (404 everywhere): the run ends canceled', async () => {
    h = await setupFal({ scenario: { afterCancel: 'not-found', concurrency: 1, endpoints: { [FLUX]: { startupMs: 0, runMs: 600_000 } } } });
    h.sim.control.freeze();
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'p' }, count: 2 });
    await until(() => rec(ids[1]).providerId && rec(ids[1]).status === 'starting', 10_000, 'queued at fal');
    expect(await h.backend.services.engine.cancel(ids[1])).toMatchObject({ outcome: 'accepted' });
    const done = await until(() => (rec(ids[1]).status === 'canceled' ? rec(ids[1]) : null), 15_000, 'canceled');
    expect(done.note).toBeNull();
    expect(h.sim.control.jobs().find((j) => j.request_id === done.providerId)?.status).toBe('CANCELED_GONE');
  });

  it('a lost submit answer is reconciled through request history: one job, followed to its end', async () => {
    h = await setupFal({
      scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 200 } }, faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit' }] },
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'lost answer', seed: 7 } });
    const done = await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 20_000, 'succeeded');
    expect(done.submitAttempts).toBe(1);
    expect(h.sim.control.jobs()).toHaveLength(1);
    expect(done.providerId).toBe(h.sim.control.jobs()[0]!.request_id);
  });

  it('a lost submit still queued (fal lists a request once it has started) is looked for, never sent again; found once it runs', async () => {
    h = await setupFal({
      engine: { reconcileWaitMs: 150 },
      scenario: {
        historyIncludesPending: false,
        endpoints: { [FLUX]: { startupMs: 0, runMs: 200 } },
        faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit' }],
      },
    });
    h.sim.control.freeze(); // the job waits at fal, unlisted, for as long as the clock stands
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'lost while queued' } });
    // The create's answer does not wait for the job to show: no refusal is coming (else this outlives the test's timeout).
    expect(await h.backend.services.engine.waitSubmitted(ids[0]!, 600_000)).toMatchObject({ providerId: null });
    expect(rec(ids[0]).note).toMatch(/answer to this submit was lost — looking for it/);
    await new Promise((r) => setTimeout(r, 1_500)); // ten looks and more: still one job
    expect(h.sim.control.jobs()).toHaveLength(1);
    expect(rec(ids[0])).toMatchObject({ status: 'submitting', submitAttempts: 1, providerId: null });
    h.sim.control.advance(1_000); // it runs and ends: now the history lists it
    const done = await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 20_000, 'succeeded');
    expect(h.sim.control.jobs()).toHaveLength(1);
    expect(done.providerId).toBe(h.sim.control.jobs()[0]!.request_id);
  });

  it('a lost submit with a start deadline is sent again only once that deadline has passed (it can never start then)', async () => {
    h = await setupFal({
      settings: { cancelAfter: '5s' },
      engine: { reconcileWaitMs: 150, reconcileDeadlineMarginMs: 200 },
      scenario: {
        historyIncludesPending: false,
        endpoints: { [FLUX]: { startupMs: 0, runMs: 200 } },
        faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit' }],
      },
    });
    h.sim.control.freeze();
    const t0 = Date.now();
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'lost with a deadline' } });
    await until(() => (h!.sim.control.jobs().length === 2 ? true : null), 15_000, 'sent again');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5_000);
    expect(rec(ids[0]).submitAttempts).toBe(2);
  });

  it('a lost submit with a local file is found too: fal holds the file’s URL where the run holds its vault ref', async () => {
    const ESRGAN = 'fal-ai/esrgan';
    h = await setupFal({
      scenario: { endpoints: { [ESRGAN]: { startupMs: 0, runMs: 200 } }, faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit', after: 1 }] },
    });
    // Someone else's job of the endpoint a moment before, with another input: never taken for ours.
    const other = await fetch(`${h.sim.queueUrl}/${ESRGAN}`, {
      method: 'POST',
      headers: { Authorization: `Key ${h.sim.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ image_url: 'https://example.com/another.png', scale: 4 }),
    });
    expect(other.status).toBe(200);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const staged = await h.backend.services.vault.stageInput('photo.png', 'image/png', new Uint8Array(png));
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${ESRGAN}`, input: { image_url: staged.ref, scale: 2 } });
    const done = await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 20_000, 'succeeded');
    // One job for one click: not sent again because the history's input has a URL for the file.
    const jobs = h.sim.control.jobs();
    expect(jobs).toHaveLength(2);
    expect(done.submitAttempts).toBe(1);
    expect(done.providerId).toBe(jobs[1]!.request_id);
  });

  it('the give-up setting becomes x-fal-request-timeout; not started in time → aborted, not billed', async () => {
    h = await setupFal({ settings: { cancelAfter: '30s' }, scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 200 } } } });
    h.sim.control.freeze();
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: '[timeout] never starts' } });
    await until(() => rec(ids[0]).providerId, 10_000, 'submitted');
    const sent = Number(h.sim.control.jobs()[0]!.headers.requestTimeout);
    expect(sent).toBeGreaterThan(25);
    expect(sent).toBeLessThanOrEqual(30);
    h.sim.control.advance(31_000);
    const done = await until(() => (rec(ids[0]).status === 'aborted' ? rec(ids[0]) : null), 15_000, 'aborted');
    expect(done.error?.message).toMatch(/not billed/);
  });
});
