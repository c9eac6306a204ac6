// Handlers for import.* methods.
import fs from 'node:fs';
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { EdwError } from '../workspace/errors';
import { IMPORT_KINDS, Profile, nativeProfile } from './profile';
import { previewCsv } from './preview';
import { resolveProfile, runImport } from './run';
import { SHIPPED_PROFILES } from './shippedProfiles';

type ImportMethods =
  | 'import.preview'
  | 'import.run'
  | 'import.profiles'
  | 'import.saveProfile'
  | 'import.batches'
  | 'import.rejectsFile';

const MAX_REJECTS_TEXT = 64 * 1024 * 1024;

export function importApp(session: Session): HandlerMap<ImportMethods> {
  return {
    'import.preview': async ({ kind, file, org, profile }) => {
      const ws = session.requireWorkspace();
      if (!fs.existsSync(file)) throw new EdwError('usage', `no such file: ${file}`);
      const orgRow = org
        ? ((ws.db
            .prepare(
              'SELECT id, code, time_zone AS timeZone FROM organization WHERE code = ? COLLATE NOCASE',
            )
            .get(org) as { id: number; code: string; timeZone: string } | undefined) ?? null)
        : null;
      return previewCsv(kind, file, resolveProfile(ws, kind, orgRow, profile));
    },
    'import.run': (input, ctx) =>
      runImport(session.requireWorkspace(), input, {
        signal: ctx.signal,
        progress: ctx.progress,
        role: session.role,
      }),
    'import.profiles': ({ kind, org }) => {
      const ws = session.requireWorkspace();
      const rows = ws.db
        .prepare(
          `SELECT p.json FROM mapping_profile p LEFT JOIN organization o ON o.id = p.org_id
           WHERE (? IS NULL OR p.kind = ?) AND (? IS NULL OR o.code = ? COLLATE NOCASE OR p.org_id IS NULL)
           ORDER BY p.kind, p.name`,
        )
        .all(kind ?? null, kind ?? null, org ?? null, org ?? null) as { json: string }[];
      const saved = rows.map((r) => Profile.parse(JSON.parse(r.json)));
      const builtIn = IMPORT_KINDS.filter((k) => kind === undefined || k === kind).map((k) =>
        nativeProfile(k),
      );
      // Shipped profiles of the demo fixture layouts, unless a saved one has the same name.
      const shipped = SHIPPED_PROFILES.filter(
        (p) =>
          (kind === undefined || p.kind === kind) &&
          (org === undefined || !p.org || p.org.toUpperCase() === org.toUpperCase()) &&
          !saved.some((x) => x.kind === p.kind && x.name.toLowerCase() === p.name.toLowerCase()),
      );
      return [...builtIn, ...shipped, ...saved];
    },
    'import.saveProfile': ({ profile }) => {
      const ws = session.requireWorkspace();
      if (profile.name === 'native')
        throw new EdwError('usage', 'the name "native" is reserved for the built-in layout');
      let orgId: number | null = null;
      if (profile.org) {
        const row = ws.db
          .prepare('SELECT id FROM organization WHERE code = ? COLLATE NOCASE')
          .get(profile.org) as { id: number } | undefined;
        if (!row) throw new EdwError('usage', `unknown organization ${profile.org}`);
        orgId = row.id;
      }
      ws.db
        .prepare(
          `INSERT INTO mapping_profile (org_id, kind, name, json) VALUES (?, ?, ?, ?)
           ON CONFLICT (org_id, kind, name) DO UPDATE SET json = excluded.json`,
        )
        .run(orgId, profile.kind, profile.name, JSON.stringify(profile));
      return profile;
    },
    'import.batches': ({ limit }) => {
      const ws = session.requireWorkspace();
      return ws.db
        .prepare(
          `SELECT b.id, b.kind, o.code AS org, b.file_name AS fileName, b.status, b.rows_total AS rowsTotal,
                  b.rows_accepted AS rowsAccepted, b.rows_rejected AS rowsRejected, b.started_at AS startedAt
           FROM import_batch b LEFT JOIN organization o ON o.id = b.org_id ORDER BY b.id DESC LIMIT ?`,
        )
        .all(limit) as {
        id: number;
        kind: string;
        org: string | null;
        fileName: string;
        status: string;
        rowsTotal: number;
        rowsAccepted: number;
        rowsRejected: number;
        startedAt: number;
      }[];
    },
    'import.rejectsFile': ({ path: file }) => {
      // Only rejects files edw wrote may be read through the API.
      if (!file.endsWith('.rejects.csv'))
        throw new EdwError('usage', 'not a rejects file (expected *.rejects.csv)');
      if (!fs.existsSync(file)) throw new EdwError('not_found', `no such rejects file: ${file}`);
      if (fs.statSync(file).size > MAX_REJECTS_TEXT)
        throw new EdwError('usage', `${file} is too large to show; open it from disk`);
      return { path: file, text: fs.readFileSync(file, 'utf8') };
    },
  };
}
