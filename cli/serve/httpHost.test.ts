import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../core/api/server';
import { startHttpHost, type HttpHost } from './httpHost';
import { tmpDir } from '../../core/testing/tmp';
import type { Frame } from '../../core/api/wire';

let host: HttpHost;
let wb: Workbench;
let base: string;

async function frames(res: Response): Promise<Frame[]> {
  return (await res.text())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Frame);
}

beforeAll(async () => {
  const dir = tmpDir();
  const renderer = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(
    path.join(renderer, 'index.html'),
    '<html><head><title>edw</title></head><body></body></html>',
  );
  fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
  wb = new Workbench();
  await wb.call('workspace.create', { path: path.join(dir, 'ws.edw') });
  host = await startHttpHost({ workbench: wb, rendererDir: renderer });
  base = `http://127.0.0.1:${host.port}`;
});

afterAll(async () => {
  await host.close();
  wb.close();
});

describe('browser-mode HTTP host', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(host.url).toBe(`${base}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 401 to API calls and pages without the token', async () => {
    const api = await fetch(`${base}/api/workspace.status`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);
    const wrong = await fetch(`${base}/api/workspace.status`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-edw-token': 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
  });

  it('trades the URL token for a cookie and serves only the renderer', async () => {
    const first = await fetch(host.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(first.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const index = await fetch(`${base}/`, { headers: { cookie } });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await index.text()).toContain(`<meta name="edw-token" content="${host.token}">`);
    expect((await fetch(`${base}/assets/app.js`, { headers: { cookie } })).status).toBe(200);
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    ]) {
      const r = await fetch(`${base}${p}`, { headers: { cookie } });
      expect(r.status, p).toBe(404);
      expect(await r.text()).not.toContain('outside the renderer');
    }
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('routes API calls from the definition and answers with NDJSON frames', async () => {
    const headers = { 'x-edw-token': host.token, 'content-type': 'application/json' };
    const ok = await fetch(`${base}/api/workspace.status`, { method: 'POST', headers, body: '{}' });
    expect(ok.status).toBe(200);
    const [frame] = await frames(ok);
    expect(frame).toMatchObject({ type: 'result', result: { open: true, name: 'ws.edw' } });
    const unknown = await fetch(`${base}/api/nope`, { method: 'POST', headers, body: '{}' });
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${base}/api/workspace.open`, {
      method: 'POST',
      headers,
      body: '{"path": 1}',
    });
    expect(bad.status).toBe(400);
    expect((await frames(bad))[0]).toMatchObject({ type: 'error', error: { code: 'usage' } });
    const notJson = await fetch(`${base}/api/workspace.open`, {
      method: 'POST',
      headers,
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });
});
