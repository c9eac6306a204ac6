// t-23-der (T-23, seed 004 "Use Case #23: Distributed Energy Resource Deployment Data"): DER
// deployments (and the large transformers the seed lists with them) on their grid path —
// premise → asset → node → section → circuit, the seed's columns A–J — with each resource's
// interconnection status timeline and its circuit's DER capacity against the circuit's hosting
// limit (docs/datasets.md "t-23-der").
//
// Read one circuit at a time: its non-meter assets, its interconnection applications and their
// status histories; applications whose asset is not (yet) installed get rows of their own.
import { z } from 'zod';
import { ListBag } from '../lists';
import { defineDataset, type DatasetRow } from '../types';
import {
  ASSET_PATH_SQL,
  GRID_COLUMNS,
  DateParam,
  agreementSubjects,
  circuits,
  col,
  gridValues,
  orgId,
  round6,
  type AssetPathRow,
} from './regulator';

const CATEGORIES = [
  'pv',
  'storage',
  'ev_charger',
  'thermostat',
  'generator',
  'transformer',
  'other',
] as const;
/** Categories that inject power and count against the hosting limit. */
const GENERATING = new Set(['pv', 'storage', 'generator']);
const STEPS = ['applied', 'studied', 'approved', 'installed', 'pto', 'withdrawn'] as const;
type Step = (typeof STEPS)[number];

const Params = z
  .object({
    org: z
      .string()
      .min(1)
      .optional()
      .describe('Only circuits of this organization (its code, e.g. PSNH).'),
    circuit: z.string().min(1).optional().describe('Only this circuit (its code, e.g. 26666).'),
    category: z.enum(CATEGORIES).optional().describe('Only resources of this category.'),
    as_of: DateParam.optional().describe(
      'Evaluate statuses as of this date (YYYY-MM-DD): later status changes are ignored; default: all.',
    ),
  })
  .strict();

const der = (
  name: string,
  type: 'text' | 'number' | 'date' | 'list',
  unit: string | null,
  d: string,
) => col(name, type, unit, 'customer_usage', d);
const circuitCol = (name: string, d: string) => col(name, 'number', 'kW', 'system', d);

const COLUMNS = [
  ...GRID_COLUMNS,
  der(
    'der_kind',
    'text',
    null,
    'Normalised category: pv, storage, ev_charger, thermostat, generator, transformer, other.',
  ),
  der(
    'nameplate_kw',
    'number',
    'kW',
    'AC nameplate power of the installed resource; else the kW applied for.',
  ),
  der('nameplate_kwh', 'number', 'kWh', 'Storage energy capacity.'),
  der(
    'application',
    'text',
    null,
    'Interconnection application number (the latest one of the resource).',
  ),
  der(
    'status',
    'text',
    null,
    'Latest interconnection status (as of as_of): applied, studied, approved, installed, pto, withdrawn; "installed" for a resource without an application.',
  ),
  der('status_date', 'date', null, 'Date of the latest status.'),
  der('applied_on', 'date', null, 'Date the application was received.'),
  der('studied_on', 'date', null, 'Date the interconnection study was completed.'),
  der('approved_on', 'date', null, 'Date the application was approved.'),
  der('installed_on', 'date', null, 'Date the resource was installed.'),
  der('pto_on', 'date', null, 'Date of permission to operate.'),
  der('withdrawn_on', 'date', null, 'Date the application was withdrawn.'),
  der('status_history', 'list', null, 'The whole timeline: "YYYY-MM-DD status" items.'),
  circuitCol('circuit_hosting_limit_kw', "The circuit's DER hosting limit."),
  circuitCol(
    'circuit_der_kw',
    'Generating DER (pv, storage, generator) in operation on the circuit: installed or permission to operate, not withdrawn.',
  ),
  circuitCol(
    'circuit_queue_kw',
    'Generating DER applied for on the circuit and not yet installed nor withdrawn.',
  ),
  circuitCol(
    'circuit_headroom_kw',
    'Hosting limit − DER in operation − queue (negative: over the limit).',
  ),
];

interface Application {
  id: number;
  number: string;
  assetId: number | null;
  kw: number | null;
  history: { status: Step; date: string }[];
}

function latest(a: Application): { status: Step; date: string } | null {
  let best: { status: Step; date: string } | null = null;
  for (const h of a.history) {
    if (
      !best ||
      h.date > best.date ||
      (h.date === best.date && STEPS.indexOf(h.status) > STEPS.indexOf(best.status))
    )
      best = h;
  }
  return best;
}

function timeline(a: Application | null, installedOn: string | null): Record<string, unknown> {
  const first = (s: Step) =>
    a?.history
      .filter((h) => h.status === s)
      .map((h) => h.date)
      .sort()[0] ?? null;
  const bag = new ListBag();
  for (const h of a?.history ?? []) bag.add('h', `${h.date} ${h.status}`);
  const last = a ? latest(a) : null;
  return {
    application: a?.number ?? null,
    status: last?.status ?? (installedOn !== null ? 'installed' : null),
    status_date: last?.date ?? installedOn,
    applied_on: first('applied'),
    studied_on: first('studied'),
    approved_on: first('approved'),
    installed_on: first('installed') ?? installedOn,
    pto_on: first('pto'),
    withdrawn_on: first('withdrawn'),
    status_history: bag.join('h'),
  };
}

/** Operating (counts against the limit), queued, or neither. */
function standing(
  a: Application | null,
  installedOn: string | null,
): 'operating' | 'queued' | null {
  if (!a) return installedOn !== null ? 'operating' : null;
  const s = a.history.map((h) => h.status);
  if (s.includes('withdrawn')) return null;
  if (s.includes('installed') || s.includes('pto')) return 'operating';
  return 'queued';
}

export const t23Der = defineDataset({
  name: 't-23-der',
  version: 1,
  title: 'T-23 DER deployment tracking',
  description:
    'DER (PV, storage, EV chargers, generators) and large transformers by circuit on their grid path (seed columns A–J), with the interconnection status timeline and circuit DER capacity against the hosting limit.',
  privacyClass: 'customer_usage',
  params: Params,
  columns: COLUMNS,

  *rows(ctx, p): Generator<DatasetRow> {
    const db = ctx.db;
    const owner = p.org === undefined ? null : orgId(db, p.org, 'org');
    const asOf = p.as_of ?? '9999-12-31';
    const assets = db.prepare(
      `${ASSET_PATH_SQL}
       WHERE c.id = ? AND a.category <> 'meter' AND (a.installed_on IS NULL OR a.installed_on <= ?)
       ORDER BY s.code, n.code, a.id`,
    );
    const apps = db.prepare(
      `SELECT ia.id, ia.application_number AS number, ia.asset_id AS assetId, ia.requested_kw AS kw,
              st.status, st.status_date AS date
       FROM interconnection_application ia
       LEFT JOIN interconnection_status st ON st.application_id = ia.id AND st.status_date <= ?
       WHERE ia.circuit_id = ? OR ia.asset_id IN (SELECT a.id FROM asset a JOIN node n ON n.id = a.node_id
                                                  JOIN section s ON s.id = n.section_id WHERE s.circuit_id = ?)
       ORDER BY ia.id`,
    );
    const appAsset = db.prepare(
      `SELECT a.category AS kind, coalesce(a.category_label, a.category) AS category, a.owner,
              a.nameplate_kwh AS kwh, a.usage_point_id AS up
       FROM asset a WHERE a.id = ?`,
    );
    for (const c of circuits(db, owner, p.circuit)) {
      const byApp = new Map<number, Application>();
      for (const r of apps.all(asOf, c.id, c.id) as {
        id: number;
        number: string;
        assetId: number | null;
        kw: number | null;
        status: Step | null;
        date: string | null;
      }[]) {
        let a = byApp.get(r.id);
        if (!a)
          byApp.set(
            r.id,
            (a = { id: r.id, number: r.number, assetId: r.assetId, kw: r.kw, history: [] }),
          );
        if (r.status && r.date) a.history.push({ status: r.status, date: r.date });
      }
      // An application not yet received as of as_of does not exist yet.
      const applications = [...byApp.values()].filter((a) => a.history.length > 0);
      const ofAsset = new Map<number, Application>();
      for (const a of applications) {
        if (a.assetId === null) continue;
        const prev = ofAsset.get(a.assetId);
        if (!prev || (latest(a)?.date ?? '') >= (latest(prev)?.date ?? ''))
          ofAsset.set(a.assetId, a);
      }
      const list = assets.all(c.id, asOf) as AssetPathRow[];
      const onCircuit = new Set(list.map((a) => a.aid));
      const orphans = applications.filter((a) => a.assetId === null || !onCircuit.has(a.assetId));

      // Circuit totals over every resource of the circuit (whatever the category filter).
      let derKw = 0;
      let queueKw = 0;
      for (const a of list) {
        if (!GENERATING.has(a.kind)) continue;
        const app = ofAsset.get(a.aid) ?? null;
        const kw = a.nameplate_kw ?? app?.kw ?? 0;
        const st = standing(app, a.installed_on);
        if (st === 'operating') derKw += kw;
        else if (st === 'queued') queueKw += kw;
      }
      for (const app of orphans) {
        const kind =
          app.assetId === null
            ? null
            : (appAsset.get(app.assetId) as { kind: string } | undefined)?.kind;
        if (kind !== undefined && kind !== null && !GENERATING.has(kind)) continue;
        const st = standing(app, null);
        if (st === 'operating') derKw += app.kw ?? 0;
        else if (st === 'queued') queueKw += app.kw ?? 0;
      }
      const circuitValues = {
        circuit_hosting_limit_kw: c.hosting,
        circuit_der_kw: round6(derKw),
        circuit_queue_kw: round6(queueKw),
        circuit_headroom_kw: c.hosting === null ? null : round6(c.hosting - derKw - queueKw),
      };

      for (const a of list) {
        if (p.category !== undefined && a.kind !== p.category) continue;
        const app = ofAsset.get(a.aid) ?? null;
        yield {
          values: {
            ...gridValues(a),
            der_kind: a.kind,
            nameplate_kw: a.nameplate_kw ?? app?.kw ?? null,
            nameplate_kwh: a.nameplate_kwh,
            ...timeline(app, a.installed_on),
            ...circuitValues,
          },
          subjects: agreementSubjects(db, a.up_row === null ? [] : [a.up_row]),
        };
      }
      // Applications without an installed resource on the circuit: pending or withdrawn.
      for (const app of orphans) {
        const asset =
          app.assetId === null
            ? undefined
            : (appAsset.get(app.assetId) as
                | {
                    kind: string;
                    category: string;
                    owner: string | null;
                    kwh: number | null;
                    up: number | null;
                  }
                | undefined);
        if (p.category !== undefined && asset?.kind !== p.category) continue;
        yield {
          values: {
            circuit_id: c.code,
            circuit_type: c.type,
            circuit_owner: c.org,
            category: asset?.category ?? null,
            owner: asset?.owner ?? null,
            der_kind: asset?.kind ?? null,
            nameplate_kw: app.kw,
            nameplate_kwh: asset?.kwh ?? null,
            ...timeline(app, null),
            ...circuitValues,
          },
          subjects: agreementSubjects(db, asset?.up ? [asset.up] : []),
        };
      }
    }
  },
});
