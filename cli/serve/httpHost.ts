// Browser mode: the built renderer and the API on 127.0.0.1 only, behind a per-launch token.
// - GET /?token=T sets an HttpOnly SameSite=Strict cookie and redirects to /; static files need
//   that cookie. index.html carries the token in a meta tag for the page's API calls.
// - POST /api/<method> needs the X-EDW-Token header; answers with NDJSON frames (core/api/wire).
//   Closing the request cancels the call.
// - Only files inside the built renderer directory are served; Host must be loopback.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { isMethodName } from '../../core/api/definition';
import { toApiError, type Workbench } from '../../core/api/server';
import { API_PREFIX, TOKEN_HEADER, httpStatus, type Frame } from '../../core/api/wire';

export interface HttpHostOptions {
  workbench: Workbench;
  rendererDir: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface HttpHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;
const COOKIE = 'edw_token';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  const frame: Frame = { type: 'error', error: { code, message, ...(details ? { details } : {}) } };
  res.writeHead(status, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  res.end(JSON.stringify(frame) + '\n');
}

export function startHttpHost(opts: HttpHostOptions): Promise<HttpHost> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const root = path.resolve(opts.rendererDir);
  const indexFile = path.join(root, 'index.html');
  if (!fs.existsSync(indexFile)) {
    return Promise.reject(
      new Error(`the renderer is not built (${indexFile} missing): run npm run build`),
    );
  }
  let port = 0;

  const server = http.createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendError(res, 403, 'forbidden', 'requests must address 127.0.0.1');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith(API_PREFIX)) {
      handleApi(req, res, url.pathname.slice(API_PREFIX.length));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'usage', 'method not allowed');
      return;
    }
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!safeEqual(queryToken, token)) {
        sendError(res, 401, 'unauthorized', 'wrong token: open the URL edw serve printed');
        return;
      }
      res.writeHead(302, {
        location: '/',
        'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    const cookie = cookieToken(req);
    if (cookie === null || !safeEqual(cookie, token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('401: this edw session needs its token; open the URL edw serve printed\n');
      return;
    }
    serveStatic(url.pathname, res);
  });

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      sendError(res, 400, 'usage', 'bad path');
      return;
    }
    const file = path.resolve(root, '.' + (rel === '/' ? '/index.html' : rel));
    if (file !== root && !file.startsWith(root + path.sep)) {
      sendError(res, 404, 'not_found', 'not found');
      return;
    }
    let target = file;
    if (!fs.existsSync(target) || !fs.statSync(target).isFile()) {
      // Client-side routes fall back to the app; anything with an extension is a real 404.
      if (path.extname(rel) !== '') {
        sendError(res, 404, 'not_found', 'not found');
        return;
      }
      target = indexFile;
    }
    const headers: Record<string, string> = {
      'content-type': MIME[path.extname(target)] ?? 'application/octet-stream',
      'cache-control': target === indexFile ? 'no-store' : 'private, max-age=3600',
    };
    if (target === indexFile) {
      headers['content-security-policy'] = CSP;
      const html = fs
        .readFileSync(indexFile, 'utf8')
        .replace('</head>', `<meta name="edw-token" content="${token}"></head>`);
      res.writeHead(200, headers);
      res.end(html);
      return;
    }
    res.writeHead(200, headers);
    fs.createReadStream(target).pipe(res);
  }

  function handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): void {
    const given = req.headers[TOKEN_HEADER];
    if (typeof given !== 'string' || !safeEqual(given, token)) {
      sendError(res, 401, 'unauthorized', `missing or wrong ${TOKEN_HEADER} header`);
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 405, 'usage', 'API calls are POST');
      return;
    }
    if (!isMethodName(method)) {
      sendError(res, 404, 'not_found', `unknown method: ${method}`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        sendError(res, 413, 'usage', 'request body too large');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let input: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        sendError(res, 400, 'usage', 'request body is not JSON');
        return;
      }
      void runCall(method, input, res);
    });
  }

  async function runCall(method: string, input: unknown, res: http.ServerResponse): Promise<void> {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let started = false;
    const write = (f: Frame) => {
      if (!started) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        started = true;
      }
      res.write(JSON.stringify(f) + '\n');
    };
    try {
      const result = await opts.workbench.call(method, input, {
        signal: controller.signal,
        progress: (p) => write({ type: 'progress', progress: p }),
      });
      write({ type: 'result', result });
      res.end();
    } catch (e) {
      const error = toApiError(e);
      if (!started) {
        sendError(res, httpStatus(error.code), error.code, error.message, error.details);
        return;
      }
      write({ type: 'error', error });
      res.end();
    }
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}/?token=${token}`,
        port,
        token,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
