// Shared e2e harness: a real `edw serve` process on a real demo workspace, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const root = path.resolve(__dirname, '..');
export const results = path.join(root, 'test-results');
const edw = path.join(root, 'bin', 'edw.cjs');

export function edwSync(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [edw, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh demo workspace under test-results/ (created by the real CLI). */
export function demoWorkspace(name: string, scale?: string): string {
  fs.mkdirSync(results, { recursive: true });
  const file = path.join(results, name);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const r = edwSync([
    'init',
    file,
    '--demo',
    '--json',
    '--quiet',
    ...(scale ? ['--scale', scale] : []),
  ]);
  if (r.status !== 0) throw new Error(`edw init failed (${r.status}): ${r.stderr}`);
  return file;
}

/** The demo workspace built once by globalSetup for this run. */
export function sharedDemo(): string {
  const file = process.env.EDW_E2E_DEMO;
  if (!file || !fs.existsSync(file))
    throw new Error('the e2e demo workspace is missing (globalSetup did not run)');
  return file;
}

/**
 * A fresh copy of the shared demo for a test that writes to its workspace (index runs, imports,
 * decisions), so the shared file stays as globalSetup built it. `extra` files are removed first
 * (a test's earlier outputs).
 */
export function copySharedDemo(copy: string, extra: readonly string[] = []): string {
  const from = sharedDemo();
  for (const f of [copy, `${copy}-wal`, `${copy}-shm`, ...extra]) fs.rmSync(f, { force: true });
  fs.copyFileSync(from, copy);
  if (fs.existsSync(`${from}-wal`)) fs.copyFileSync(`${from}-wal`, `${copy}-wal`);
  return copy;
}

export interface Server {
  url: string;
  origin: string;
  token: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** `edw serve` on a workspace; `role` is the session's privacy role (--role, default analyst). */
export function serve(workspace: string, opts: { role?: string } = {}): Promise<Server> {
  const args = [edw, 'serve', workspace, '--json', ...(opts.role ? ['--role', opts.role] : [])];
  const proc = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`edw serve did not start: ${err}`)), 60_000);
    proc.on('exit', (code) => reject(new Error(`edw serve exited ${code}: ${err}`)));
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n') || !line) return;
      clearTimeout(timer);
      const info = JSON.parse(line) as { url: string };
      const u = new URL(info.url);
      resolve({
        url: info.url,
        origin: u.origin,
        token: u.searchParams.get('token') ?? '',
        proc,
        stop: () =>
          new Promise<void>((r) => {
            if (proc.exitCode !== null) return r();
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
      });
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.EDW_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Call the API of a running `edw serve` directly (NDJSON frames → the result, or throws). */
export async function apiCall<T = unknown>(
  server: Server,
  method: string,
  input: unknown = {},
): Promise<T> {
  const res = await fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-edw-token': server.token },
    body: JSON.stringify(input),
  });
  const lines = (await res.text()).split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    const frame = JSON.parse(line) as {
      type: string;
      result?: unknown;
      error?: { code: string; message: string };
    };
    if (frame.type === 'result') return frame.result as T;
    if (frame.type === 'error')
      throw new Error(`${method} failed: ${frame.error?.code}: ${frame.error?.message}`);
  }
  throw new Error(`${method}: no result (HTTP ${res.status})`);
}
