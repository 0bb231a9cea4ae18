import { describe, expect, it } from 'vitest';
import { FLUX, sim } from './helpers.ts';

// The simulator's faults for servers Kiln has never seen (README "Faults"): key refusals, an HTML
// 404, scripted replies with placeholders, an unbounded body and an endless stream.

describe('hostile and recorded-shape faults', () => {
  it('401 / 403 problem details, then normal', async () => {
    const s = await sim({
      scenario: {
        faults: [
          { endpoint: 'list', kind: '401' },
          { endpoint: 'list', kind: '403' },
        ],
      },
    });
    const r1 = await s.api('/predictions');
    expect(r1.status).toBe(401);
    expect((await r1.json()).detail).toBe('You did not pass a valid authentication token');
    expect((await s.api('/predictions')).status).toBe(403);
    expect((await s.api('/predictions')).status).toBe(200);
  });

  it('404-html answers an HTML page (here to a cancel)', async () => {
    const s = await sim({ scenario: { faults: [{ endpoint: 'cancel', kind: '404-html' }] } });
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const r = await s.api(`/predictions/${p.id}/cancel`, { method: 'POST' });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await r.text()).toMatch(/<title>404 Not Found<\/title>/);
  });

  it('reply fills {{origin}}, {{id}} and echoes {{authorization}}', async () => {
    const s = await sim({
      scenario: {
        faults: [
          { endpoint: 'get', kind: 'reply', reply: { status: 418, headers: { 'x-origin': '{{origin}}' }, body: '{"id":"{{id}}","echo":"{{authorization}}"}' } },
        ],
      },
    });
    const r = await s.api('/predictions/abc123');
    expect(r.status).toBe(418);
    expect(r.headers.get('x-origin')).toBe(s.origin);
    expect(await r.json()).toEqual({ id: 'abc123', echo: `Bearer ${s.token}` });
  });

  it('huge sends the declared number of bytes', async () => {
    const s = await sim({ scenario: { faults: [{ endpoint: 'get', kind: 'huge', bytes: 3 * 1024 * 1024 + 5 }] } });
    const r = await s.api('/predictions/x');
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBe(3 * 1024 * 1024 + 5);
  });

  it('endless-stream keeps sending output events and never done', async () => {
    const s = await sim({ scenario: { faults: [{ endpoint: 'stream', kind: 'endless-stream' }] } });
    const ac = new AbortController();
    const r = await fetch(`${s.origin}/stream/anything`, { signal: ac.signal });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const reader = r.body!.getReader();
    let got = 0;
    let text = '';
    while (got < 1024 * 1024) {
      const { value } = await reader.read();
      got += value!.byteLength;
      if (text.length < 4096) text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toMatch(/^event: output\ndata: /);
    expect(text).not.toMatch(/event: done/);
  });
});
