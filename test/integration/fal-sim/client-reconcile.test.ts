// A lost submit is looked up in fal's request history before anything is re-sent: one click, one job.
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/backend/providers/fal/client.ts';
import { inputsMatch } from '../../../electron/backend/engine/match.ts';
import { falClient, falSim } from './helpers.ts';

const FLUX = 'fal-ai/flux/schnell';

describe('fal client: reconciling a lost submit', () => {
  it('a dropped answer is ambiguous; history finds the one job by its input (any key order), and it is followed to its result', async () => {
    const s = await falSim({
      scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 } }, faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit', after: 1 }] },
    });
    const c = falClient(s);
    const input = { prompt: 'a kiln at night', seed: 5, image_size: { width: 640, height: 480 } };
    const since = Date.now() - 1_000;
    // Another run of the same endpoint with a different input must not be mistaken for ours.
    await c.submit({ endpointId: FLUX, input: { prompt: 'a different click' } });
    const err = await c.submit({ endpointId: FLUX, input }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).ambiguous).toBe(true);
    // The engine matches the history's inputs (any key order) with the run's own (engine/match.ts).
    const history = await c.requestHistory(FLUX, { since });
    expect(history).toHaveLength(2);
    const found = history.filter((it) => inputsMatch({ image_size: { height: 480, width: 640 }, seed: 5, prompt: 'a kiln at night' }, it.json_input));
    expect(found).toHaveLength(1);
    const mine = s.control.jobs().find((j) => j.inputHash && j.request_id === found[0]!.request_id)!;
    expect(mine).toBeDefined();
    s.control.advance(1_500);
    expect(await c.result({ endpointId: FLUX, requestId: found[0]!.request_id })).toMatchObject({ outcome: 'succeeded' });
    // Nothing was submitted twice.
    expect(Object.values(s.control.counters().submitsByInputHash).every((n) => n === 1)).toBe(true);
    expect(history.filter((it) => inputsMatch({ prompt: 'never sent' }, it.json_input))).toEqual([]);
  });

  it('requestHistory pages through more than one page, newest first, bounded', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 10 } } } });
    s.control.freeze();
    const c = falClient(s);
    const since = s.control.now() - 1;
    for (let i = 0; i < 130; i++) await s.submit(FLUX, { prompt: `p${i}` });
    const items = await c.requestHistory(FLUX, { since });
    expect(items).toHaveLength(130);
    expect((items[0]!.json_input as { prompt: string }).prompt).toBe('p129');
    expect(s.control.counters().byEndpoint['platform.requests']).toBe(2);
  });
});
