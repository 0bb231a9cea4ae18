// fal behind the Provider interface (providers/fal/provider.ts), over real HTTP against the fal
// simulator: what the engine sees of a fal run. The trap: a fal job never says FAILED — COMPLETED
// is an end only once the result fetch has spoken (ARCHITECTURE.md, "Runs and their lifecycle" table).
import { describe, expect, it } from 'vitest';
import { createFalProvider } from '../../../electron/backend/providers/fal/provider.ts';
import { ProviderError } from '../../../electron/backend/providers/errors.ts';
import { falClient, falSim } from '../fal-sim/helpers.ts';

const FLUX = 'fal-ai/flux/schnell';
const FAILS = 'kiln-test/always-fails';

describe('fal as a Provider', () => {
  it('waiting with a queue position, running with logs, succeeded only with the result (output, metrics)', async () => {
    const s = await falSim({ scenario: { concurrency: 1, endpoints: { [FLUX]: { startupMs: 0, runMs: 2_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const first = await p.submit({ model: `fal:${FLUX}`, version: null, target: 'model', input: { prompt: 'first' } });
    await p.submit({ model: `fal:${FLUX}`, version: null, target: 'model', input: { prompt: 'second' } });
    // The first holds the one runner, the second waits: the third has one ahead of it.
    const second = await p.submit({ model: `fal:${FLUX}`, version: null, target: 'model', input: { prompt: 'third', num_inference_steps: 2 } });
    expect(second).toMatchObject({ status: 'starting', rawStatus: 'IN_QUEUE' });
    const ref = { id: second.id, model: `fal:${FLUX}` };
    expect(await p.get(ref)).toMatchObject({ status: 'starting', queuePosition: 1 });
    s.control.advance(4_100);
    const running = await p.get(ref);
    expect(running).toMatchObject({ status: 'processing', rawStatus: 'IN_PROGRESS' });
    expect(typeof running.logs).toBe('string');
    s.control.advance(2_100);
    const done = await p.get(ref);
    expect(done).toMatchObject({ status: 'succeeded', queuePosition: null, output: { images: [expect.anything()] }, metrics: { predictTime: 2 } });
    expect((await p.get({ id: first.id, model: FLUX })).status).toBe('succeeded');
  });

  it('COMPLETED and failed at the result: failed with fal’s message; a start deadline passed: aborted, not billed', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 }, [FAILS]: { startupMs: 0, runMs: 1_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const broken = await p.submit({ model: FAILS, version: null, target: 'model', input: { prompt: 'x' } });
    const late = await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: '[timeout] mine' }, startDeadlineAt: Date.now() + 3_000 });
    s.control.advance(5_000);
    expect(await p.get({ id: broken.id, model: FAILS })).toMatchObject({
      status: 'failed',
      rawStatus: 'COMPLETED',
      error: expect.stringContaining('CUDA error'),
    });
    expect(await p.get({ id: late.id, model: FLUX })).toMatchObject({ status: 'aborted', error: expect.stringContaining('not billed') });
  });

  it('cancel: accepted, then the run ends canceled; a second cancel is refused as an answer', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const j = await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: '[slow]' } });
    const ref = { id: j.id, model: FLUX };
    expect(await p.cancel(ref)).toEqual({ run: null, status: 'canceled' });
    s.control.advance(100);
    expect((await p.get(ref)).status).toBe('canceled');
    const again = await p.cancel(ref).then(
      () => null,
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(ProviderError);
    expect([(again as ProviderError).status, (again as ProviderError).transient]).toEqual([400, false]);
  });

  it('a lost submit is found in request history (one job for one click), with the input fal kept', async () => {
    const s = await falSim({
      scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 } }, faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit', after: 1 }] },
    });
    const p = createFalProvider(falClient(s));
    const since = Date.now() - 1_000;
    await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: 'another click' } });
    const input = { prompt: 'a kiln at night', seed: 5 };
    const lost = await p.submit({ model: FLUX, version: null, target: 'model', input }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((lost as ProviderError).ambiguous).toBe(true);
    // The endpoint's requests since, oldest first, each with the input fal kept: the engine picks
    // the one whose input matches (engine/match.ts).
    const found = await p.findSubmitted!({ model: `fal:${FLUX}`, input: { seed: 5, prompt: 'a kiln at night' }, since });
    expect(found.map((r) => r.input)).toEqual([{ prompt: 'another click' }, input]);
    expect(found[1]).toMatchObject({ status: 'starting' });
    expect(Object.values(s.control.counters().submitsByInputHash).every((n) => n === 1)).toBe(true);
  });

  it('a local input file is uploaded to fal storage and comes back as a URL; the key is trusted only for fal’s API hosts', async () => {
    const s = await falSim();
    const p = createFalProvider(falClient(s));
    const url = await p.upload(new Uint8Array([137, 80, 78, 71, 1, 2, 3]), 'in.png', 'image/png');
    expect(url).toMatch(/^http/);
    expect(p.mayStream(`${s.queueUrl}/x`)).toBe(true);
    expect(p.mayStream(url)).toBe(false);
  });
});
