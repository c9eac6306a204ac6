// Electron main process: one window, the core Workbench in-process, IPC derived from the API
// definition. The renderer is served from the edw:// scheme so a strict CSP header applies.
import path from 'node:path';
import fs from 'node:fs';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  net,
  protocol,
  type IpcMainInvokeEvent,
} from 'electron';
import { pathToFileURL } from 'node:url';
import { Workbench, toApiError } from '../core/api/server';
import { CHANNEL } from './ipc';
import { createDispatcher } from './dispatch';

const SCHEME = 'edw';
const ORIGIN = `${SCHEME}://app`;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const rendererDir = path.resolve(__dirname, '..', 'renderer');
let workbench: Workbench | null = null;
let win: BrowserWindow | null = null;

function serveRenderer(): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, '.' + rel);
    if (
      url.host !== 'app' ||
      (file !== rendererDir && !file.startsWith(rendererDir + path.sep)) ||
      !fs.existsSync(file)
    ) {
      return new Response('not found', { status: 404 });
    }
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

function fromTrustedFrame(e: IpcMainInvokeEvent | Electron.IpcMainEvent): boolean {
  const url = e.senderFrame?.url ?? '';
  return url.startsWith(`${ORIGIN}/`);
}

function registerIpc(wb: Workbench): void {
  const dispatcher = createDispatcher(wb);
  ipcMain.handle(CHANNEL.call, (e, callId: unknown, method: unknown, input: unknown) => {
    if (!fromTrustedFrame(e))
      return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    return dispatcher.call(callId, method, input, (id, p) => {
      if (!e.sender.isDestroyed()) e.sender.send(CHANNEL.progress, id, p);
    });
  });
  ipcMain.on(CHANNEL.cancel, (e, callId: unknown) => {
    if (fromTrustedFrame(e)) dispatcher.cancel(callId);
  });
}

async function openFromDialog(): Promise<void> {
  if (!win || !workbench) return;
  const r = await dialog.showOpenDialog(win, {
    title: 'Open workspace',
    properties: ['openFile'],
    filters: [
      { name: 'edw workspace', extensions: ['edw', 'sqlite', 'db'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  const file = r.filePaths[0];
  if (r.canceled || !file) return;
  try {
    await workbench.call('workspace.open', { path: file });
    win.webContents.reload();
  } catch (err) {
    dialog.showErrorBox('Cannot open workspace', toApiError(err).message);
  }
}

function buildMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      {
        label: 'File',
        submenu: [
          {
            label: 'Open Workspace…',
            accelerator: 'CmdOrCtrl+O',
            click: () => void openFromDialog(),
          },
          { type: 'separator' },
          { role: 'quit' },
        ],
      },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Energy Data Workbench',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (ev, url) => {
    if (!url.startsWith(`${ORIGIN}/`)) ev.preventDefault();
  });
  void win.loadURL(`${ORIGIN}/index.html`);
}

/** The workspace to open at launch: first CLI argument, EDW_WORKSPACE, or the most recent. */
function initialWorkspace(wb: Workbench): string | undefined {
  const arg = process.argv
    .slice(app.isPackaged ? 1 : 2)
    .find((a) => !a.startsWith('-') && a !== '.');
  return arg ?? process.env.EDW_WORKSPACE ?? wb.session.recent()[0];
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  void app.whenReady().then(async () => {
    workbench = new Workbench({ recentFile: path.join(app.getPath('userData'), 'recent.json') });
    const initial = initialWorkspace(workbench);
    if (initial) {
      // A workspace that cannot be opened is reported in the app; the user can pick another.
      await workbench.call('workspace.open', { path: initial }).catch(() => undefined);
    }
    serveRenderer();
    registerIpc(workbench);
    buildMenu();
    createWindow();
  });
  app.on('window-all-closed', () => {
    workbench?.close();
    app.quit();
  });
}
