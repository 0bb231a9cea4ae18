import { describe, expect, it } from 'vitest';
import { ProviderError, type FalStatus } from '../../../electron/backend/providers/fal/client.ts';
import { falClient, falSim } from './helpers.ts';

const FLUX = 'fal-ai/flux/schnell';

describe('fal client: status stream', () => {
  it('one request follows a run to COMPLETED, each event carrying only its new log entries', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: { startupMs: 60_000, runMs: 4_000 } } } });
    s.control.freeze();
    const c = falClient(s);
    const j = await c.submit({ endpointId: FLUX, input: { prompt: 'x', num_inference_steps: 4 } });
    const seen: FalStatus[] = [];
    // Simulated time moves once the client has seen each change.
    const last = await c.streamStatus(j, {
      logs: true,
      onStatus: (st) => {
        seen.push(st);
        setTimeout(() => s.control.advance(st.status === 'IN_QUEUE' ? 60_000 : 1_000), 1);
      },
    });
    expect(last?.status).toBe('COMPLETED');
    expect(seen.map((st) => st.status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    const messages = seen.flatMap((st) => (st.logs ?? []).map((l) => l.message)).filter((m) => m.includes('|'));
    expect(messages).toEqual(['  0%|          | 0/4', ' 25%|██        | 1/4', ' 50%|█████     | 2/4', ' 75%|███████   | 3/4', '100%|██████████| 4/4']);
    expect(s.control.counters().byEndpoint['queue.stream']).toBe(1);
    expect(s.control.counters().byEndpoint['queue.status']).toBeUndefined();
  });

  it('a failing stream is a transient error (the engine falls back to polling)', async () => {
    const s = await falSim({
      scenario: {
        faults: [
          { endpoint: 'stream', kind: '503' },
          { endpoint: 'stream', kind: 'reset' },
        ],
      },
    });
    const c = falClient(s);
    const j = await c.submit({ endpointId: FLUX, input: { prompt: 'x' } });
    for (const code of ['provider', 'network']) {
      const e = await c.streamStatus(j, { onStatus: () => {} }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(ProviderError);
      expect([(e as ProviderError).code, (e as ProviderError).transient]).toEqual([code, true]);
    }
  });
});
