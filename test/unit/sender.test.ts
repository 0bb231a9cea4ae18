import { describe, expect, it } from 'vitest';
import { externalOpenTarget, isAllowedNavigation, isAllowedPermission, isTrustedSender, type AppOrigin } from '../../electron/main/sender-check.ts';
import { guardedInvoke } from '../../electron/main/ipc.ts';

const prod: AppOrigin = { indexFileUrl: 'file:///opt/Kiln/resources/app.asar/out/renderer/index.html', devServerUrl: null };
const dev: AppOrigin = { indexFileUrl: 'file:///work/out/renderer/index.html', devServerUrl: 'http://127.0.0.1:5173/' };

describe('IPC sender check', () => {
  it('trusts only our own top frame', () => {
    expect(isTrustedSender({ frameUrl: prod.indexFileUrl, isTopFrame: true }, prod)).toBe(true);
    expect(isTrustedSender({ frameUrl: `${prod.indexFileUrl}?x=1#/settings`, isTopFrame: true }, prod)).toBe(true);
    expect(isTrustedSender({ frameUrl: prod.indexFileUrl, isTopFrame: false }, prod)).toBe(false);
  });

  it('refuses other files, other schemes, missing URLs and look-alikes', () => {
    for (const url of [
      'file:///opt/Kiln/resources/app.asar/out/renderer/other.html',
      'file:///tmp/index.html',
      'file:///opt/Kiln/resources/app.asar/out/renderer/index.html.evil',
      'https://evil.example/index.html',
      'http://127.0.0.1:5173/',
      'about:blank',
      'data:text/html,hi',
      'not a url',
      '',
    ]) {
      expect(isTrustedSender({ frameUrl: url, isTopFrame: true }, prod), url).toBe(false);
    }
    expect(isTrustedSender({ frameUrl: undefined, isTopFrame: true }, prod)).toBe(false);
    expect(isTrustedSender({ frameUrl: null, isTopFrame: true }, prod)).toBe(false);
  });

  it('accepts the dev server origin only while developing', () => {
    expect(isTrustedSender({ frameUrl: 'http://127.0.0.1:5173/index.html', isTopFrame: true }, dev)).toBe(true);
    expect(isTrustedSender({ frameUrl: 'http://127.0.0.1:5174/', isTopFrame: true }, dev)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'http://localhost:5173/', isTopFrame: true }, dev)).toBe(false);
  });

  it('guards the router: untrusted frames get forbidden and the backend is never called', async () => {
    const called: string[] = [];
    const refused: string[] = [];
    const invoke = guardedInvoke(
      async (channel) => {
        called.push(channel);
        return { ok: true, value: 'v' };
      },
      prod,
      (channel) => refused.push(channel),
    );
    expect(await invoke('app:info', { frameUrl: 'https://evil.example/', isTopFrame: true }, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(called).toEqual([]);
    expect(refused).toEqual(['app:info']);
    expect(await invoke('app:info', { frameUrl: prod.indexFileUrl, isTopFrame: true }, {})).toEqual({ ok: true, value: 'v' });
    expect(called).toEqual(['app:info']);
  });

  it('allows navigation only to our page and opens only https links externally', () => {
    expect(isAllowedNavigation(prod.indexFileUrl, prod)).toBe(true);
    expect(isAllowedNavigation('https://replicate.com/', prod)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', prod)).toBe(false);
    expect(externalOpenTarget('https://replicate.com/account/api-tokens')).toBe('https://replicate.com/account/api-tokens');
    for (const u of ['http://replicate.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'nonsense'])
      expect(externalOpenTarget(u), u).toBe(null);
  });

  it('denies every web permission except clipboard writes and fullscreen', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'midiSysex', 'openExternal', 'clipboard-read', 'display-capture', 'unknown-future'])
      expect(isAllowedPermission(p), p).toBe(false);
    expect(isAllowedPermission('clipboard-sanitized-write')).toBe(true);
    expect(isAllowedPermission('fullscreen')).toBe(true);
  });
});
