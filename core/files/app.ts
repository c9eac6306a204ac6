// files.list: directory listing so the renderer can offer a file chooser in every host
// (a browser page cannot see local paths; the Electron dialog is not available in browser mode).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HandlerMap } from '../api/server';
import { EdwError } from '../workspace/errors';

export function filesApp(): HandlerMap<'files.list'> {
  return {
    'files.list': ({ dir }) => {
      const target = path.resolve(dir ?? os.homedir());
      let names: fs.Dirent[];
      try {
        names = fs.readdirSync(target, { withFileTypes: true });
      } catch (e) {
        throw new EdwError('not_found', `cannot list ${target}: ${(e as Error).message}`);
      }
      const entries = names
        .filter((d) => !d.name.startsWith('.'))
        .map((d) => {
          const full = path.join(target, d.name);
          let size = 0;
          let isDir = d.isDirectory();
          try {
            const st = fs.statSync(full);
            size = st.size;
            isDir = st.isDirectory();
          } catch {
            // broken link: list it as a file of size 0
          }
          return { name: d.name, path: full, dir: isDir, size };
        })
        .sort((a, b) => Number(b.dir) - Number(a.dir) || a.name.localeCompare(b.name));
      const parent = path.dirname(target);
      return { dir: target, parent: parent === target ? null : parent, entries };
    },
  };
}
