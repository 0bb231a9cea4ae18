import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, launchKiln } from './fixtures.ts';

// The frame works end to end in browser mode: the real renderer in Chromium, the real backend in a
// child process, over the real WebSocket transport (issue 2). No simulator needed.

function fakeKey(): string {
  // Shaped like a Replicate token so the log redaction is exercised on the realistic case.
  return `r8_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 33)}9731`;
}

function readLogs(dataDir: string): string {
  const dir = path.join(dataDir, 'logs');
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

test('a key saved in Settings survives a reload and never leaves the backend', async ({ page, kilnAlone: kiln }) => {
  const key = fakeKey();
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));

  await page.goto(kiln.url);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Replicate API key').fill(key);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByText('Set, ends in 9731')).toBeVisible();

  await page.reload();
  if (!(await page.getByText('Set, ends in 9731').isVisible())) await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByText('Set, ends in 9731')).toBeVisible();
  expect(await page.getByLabel('Replicate API key').inputValue()).not.toBe(key);

  // The key is really stored (user-only file), yet nothing the page received or rendered holds it.
  const secretsFile = path.join(kiln.dataDir, 'secrets.json');
  expect(fs.readFileSync(secretsFile, 'utf8')).toContain(key);
  expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);
  expect(await page.content()).not.toContain(key);
  expect(received.length).toBeGreaterThan(0);
  expect(received.some((f) => f.includes('"last4":"9731"'))).toBe(true);
  for (const f of received) expect(f).not.toContain(key);
  const logs = readLogs(kiln.dataDir);
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).not.toContain(key);
  expect(kiln.logs.join('\n')).not.toContain(key);

  await page.getByRole('button', { name: 'Clear key' }).click();
  await expect(page.getByText('Set, ends in 9731')).toHaveCount(0);
  expect(fs.readFileSync(secretsFile, 'utf8')).not.toContain(key);
});

test('window.kiln speaks the contract over the WebSocket: events, typed errors, reconnect after a restart', async ({ page, kilnAlone: kiln }) => {
  await page.goto(kiln.url);
  // (waitForFunction would need 'unsafe-eval', which our CSP rightly forbids.)
  await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);

  const pong = await page.evaluate(async () => {
    const k = (globalThis as any).kiln;
    const got = new Promise((resolve) => {
      const off = k.on('app:pong', (p: unknown) => {
        off();
        resolve(p);
      });
    });
    await k.invoke('app:ping', { nonce: 'n-42' });
    return { pong: await got, mode: k.mode, media: k.mediaUrl('outputs/a b.png') };
  });
  expect(pong.pong).toEqual({ nonce: 'n-42' });
  expect(pong.mode).toBe('web');
  // A per-file signature, not the token: "Copy image address" hands out a link to that image only.
  expect(pong.media).toMatch(/^\/media\/outputs\/a%20b\.png\?sig=[0-9a-f]{32}$/);

  const bad = await page.evaluate(() =>
    (globalThis as any).kiln.invoke('secrets:set', { provider: 'replicate', key: 5 }).then(
      () => null,
      (e: any) => ({ name: e.name, code: e.code, message: e.message }),
    ),
  );
  expect(bad).toMatchObject({ name: 'KilnError', code: 'bad_request' });
  expect(bad!.message).toContain('key');
  const unknown = await page.evaluate(() =>
    (globalThis as any).kiln.invoke('nope:nothing', {}).then(
      () => null,
      (e: any) => e.code,
    ),
  );
  expect(unknown).toBe('unknown_channel');

  // Same port and token after the restart: the page's transport reconnects by itself.
  await kiln.restart();
  const info = await page.evaluate(async () => {
    for (let i = 0; i < 100; i++) {
      try {
        return await (globalThis as any).kiln.invoke('app:info', {});
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return null;
  });
  expect(info).toMatchObject({ name: 'Kiln', mode: 'web' });
});

test('a wrong or missing token gets HTTP 403', async ({ request, kilnAlone: kiln }) => {
  expect((await request.get(`${kiln.origin}/`)).status()).toBe(403);
  expect((await request.get(`${kiln.origin}/?token=wrong`)).status()).toBe(403);
  const ok = await request.get(kiln.url);
  expect(ok.status()).toBe(200);
  expect(ok.headers()['content-security-policy']).toContain("script-src 'self'");
});

// The fixtures others build on: Kiln against the simulator with the key from the environment, and
// Kiln surviving the simulator going away (the backend keeps answering, a restart still works).
test.describe('against the simulator', () => {
  test.use({ kilnOptions: { apiToken: 'sim' } });

  test('Kiln runs against the simulator with REPLICATE_API_TOKEN, and keeps answering when it stops', async ({ page, kiln, sim }) => {
    await page.goto(kiln.url);
    await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
    const status = await page.evaluate(() => (globalThis as any).kiln.invoke('secrets:status', { provider: 'replicate' }));
    expect(status).toMatchObject({ set: true, protection: 'env', last4: sim.token.slice(-4) });
    const account = await page.evaluate(() => (globalThis as any).kiln.invoke('secrets:validate', { provider: 'replicate' }));
    expect(typeof account.username).toBe('string');
    const info = await page.evaluate(() => (globalThis as any).kiln.invoke('app:info', {}));
    expect(info.providerBaseUrl).toBe(sim.baseUrl);

    await sim.close();
    const offline = await page.evaluate(() =>
      (globalThis as any).kiln.invoke('secrets:validate', { provider: 'replicate' }).then(
        () => null,
        (e: any) => e.code,
      ),
    );
    expect(offline).toBe('network');
    // Restart on the same data dir with the simulator gone: Kiln still starts and serves the page.
    await kiln.restart();
    await page.reload();
    await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
    expect(await page.evaluate(() => (globalThis as any).kiln.invoke('app:info', {}).then((i: any) => i.name))).toBe('Kiln');
  });
});

// Issue 10 item 3: the token does not ride a cookie (cookies are shared by every port of 127.0.0.1),
// leaves the address bar once used, stays out of the DOM and media URLs, and a reload still works.
test('the token leaves the address bar, survives a reload, and no other local server receives it', async ({ page, kilnAlone: kiln }) => {
  const seen: string[] = [];
  const other = http.createServer((req, res) => {
    seen.push(`${req.url} ${JSON.stringify(req.headers)}`);
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another local app</title><img src="/pixel.png">');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
  try {
    await page.goto(kiln.url);
    await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
    const addressBar = page.url();
    const html = await page.content();
    const media = await page.evaluate(() => (globalThis as any).kiln.mediaUrl('outputs/x.png') as string);

    // What the browser sends another server on 127.0.0.1, navigated to and fetched from.
    await page.goto(otherUrl);
    await page.evaluate((u) => fetch(u, { credentials: 'include' }).then((r) => r.text()), `${otherUrl}probe`);
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) expect(line).not.toContain(kiln.token);
    expect((await page.context().cookies()).map((c) => c.name)).toEqual([]);

    expect(addressBar).toBe(`${kiln.origin}/`);
    expect(html).not.toContain(kiln.token);
    expect(media).not.toContain(kiln.token);

    // Back (a load of the token-less address) and a reload both still open the app.
    await page.goBack();
    await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
    await page.reload();
    await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
    expect(await page.evaluate(() => (globalThis as any).kiln.invoke('app:info', {}).then((i: any) => i.mode))).toBe('web');
    expect(page.url()).toBe(`${kiln.origin}/`);
  } finally {
    other.close();
  }
});

test('an open tab says plainly when Kiln restarted with a new token', async ({ page, kilnAlone: kiln }) => {
  await page.goto(kiln.url);
  await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
  // Same port and data folder, another token (as after deleting the data folder's web-token file).
  await kiln.stop();
  const newToken = randomBytes(24).toString('base64url');
  const again = await launchKiln({ dataDir: kiln.dataDir, port: kiln.port, webToken: newToken, replicateBaseUrl: 'http://127.0.0.1:9/v1' });
  try {
    await expect(page.getByText('Kiln restarted — open the new link printed in the terminal.')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('Reconnecting to Kiln…')).toHaveCount(0);
    // A reload says the same instead of a bare 403.
    await page.reload();
    await expect(page.getByText('Kiln restarted — open the new link printed in the terminal.')).toBeVisible();
    // The new link works in this very tab.
    await page.goto(again.url);
    await expect.poll(() => page.evaluate(() => 'kiln' in globalThis)).toBe(true);
  } finally {
    await again.stop();
  }
});

test("the first page is asked for while the UI's code is still on its way; a UI that cannot load still says so", async ({ page, kilnAlone: kiln }) => {
  // The UI's chunk (app-root) is held back for a second: the entry must not wait for it to connect
  // and ask for the gallery's first page, and the page's head must already be fetching it.
  const sent: { channel: string; at: number }[] = [];
  let chunkReleasedAt = 0;
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      const m = /"channel":"([^"]+)"/.exec(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'));
      if (m) sent.push({ channel: m[1]!, at: Date.now() });
    }),
  );
  await page.route(/\/assets\/app-root-[^/]*\.js$/, async (route) => {
    await new Promise((r) => setTimeout(r, 1000));
    chunkReleasedAt = Date.now();
    await route.continue();
  });
  await page.goto(kiln.url);
  await expect(page.getByRole('heading', { name: 'Your gallery is empty' })).toBeVisible();
  const list = sent.find((s) => s.channel === 'predictions:list');
  expect(list, 'the first page was asked for').toBeTruthy();
  expect(list!.at).toBeLessThan(chunkReleasedAt);
  // Requested from the page's head (modulepreload), not once the entry has run: asked before the
  // entry itself had finished arriving.
  const timing = await page.evaluate(() =>
    Object.fromEntries(
      (performance.getEntriesByType('resource') as unknown as { name: string; startTime: number; responseEnd: number }[])
        .filter((r) => /\/assets\/(index|app-root)-[^/]*\.js$/.test(r.name))
        .map((r) => [/app-root/.test(r.name) ? 'ui' : 'entry', { start: r.startTime, end: r.responseEnd }]),
    ),
  );
  expect(timing.ui!.start).toBeLessThanOrEqual(timing.entry!.end);

  // A damaged install (the chunk missing): a message where the app would be, not a blank page.
  await page.unroute(/\/assets\/app-root-[^/]*\.js$/);
  await page.route(/\/assets\/app-root-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.reload();
  await expect(page.getByRole('alert')).toContainText('Kiln could not start its window');
});
