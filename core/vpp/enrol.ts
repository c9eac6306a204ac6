// Stage .1 (SMV-03.1): enrolment and onboarding. The fleet is the workspace's DER assets (and
// any DERs the scenario lists or generates); a DER takes part only if its premise or account
// is enrolled in the program for the whole season, its customer's consent to the program's
// grantee covers the data class and its usage point for the whole season, and (storage, PV)
// it has permission to operate. Every other DER is listed with the reason it was excluded.
import type { Database } from 'better-sqlite3';
import { consentCovers } from '../privacy/consent';
import { DataClass } from '../privacy/roles';
import { localDay } from '../time/zone';
import { isoToDay } from '../time/zone';
import { EdwError } from '../workspace/errors';
import type { Der } from './fleet';
import type { CircuitLimit, TransformerLimit } from './optimise';
import { Rng } from './random';
import type { DerKind, Scenario } from './scenario';

export interface Enrolment {
  key: string;
  kind: DerKind;
  kw: number;
  kwh: number | null;
  participant: string;
  premiseId: number | null;
  customerId: number | null;
  assetId: number | null;
  circuit: string | null;
  transformer: string | null;
  source: 'workspace' | 'scenario';
  status: 'enrolled' | 'excluded';
  reason: string;
}

export interface EnrolResult {
  enrolments: Enrolment[];
  ders: Der[];
  circuits: Map<string, CircuitLimit>;
  transformers: Map<string, TransformerLimit>;
}

const CATEGORY: Record<DerKind, string> = {
  storage: 'storage',
  ev_charger: 'ev_charger',
  thermostat: 'thermostat',
  pv: 'pv',
};

interface AssetRow {
  id: number;
  source_key: string;
  org: string;
  category: DerKind;
  kw: number | null;
  kwh: number | null;
  premise_id: number | null;
  usage_point_id: number | null;
  installed_on: string | null;
  circuit_id: number | null;
  circuit: string | null;
  hosting_kw: number | null;
  transformer_id: number | null;
  transformer: string | null;
  kva: number | null;
}

export function enrol(db: Database | null, s: Scenario): EnrolResult {
  const out: Enrolment[] = [];
  const ders: Der[] = [];
  const circuits = new Map<string, CircuitLimit>();
  const transformers = new Map<string, TransformerLimit>();
  const start = s.season.start;
  const end = s.season.end;
  const zone = s.season.timeZone;
  const startAt = new Date((localDay(isoToDay(start), zone).start + 43_200) * 1000);
  const endAt = new Date((localDay(isoToDay(end), zone).start + 43_200) * 1000);
  const push = (e: Enrolment, der: Omit<Der, 'idx'> | null): void => {
    out.push(e);
    if (e.status === 'enrolled' && der) ders.push({ ...der, idx: ders.length });
  };
  const dataClass = DataClass.safeParse(s.program.consentDataClass);
  if (!dataClass.success)
    throw new EdwError(
      'usage',
      `program.consentDataClass: unknown data class ${s.program.consentDataClass}`,
    );

  if (s.fleet.fromWorkspace) {
    if (!db) throw new EdwError('usage', 'fleet.fromWorkspace needs an open workspace');
    let programId: number | null = null;
    if (s.program.requireEnrolment) {
      if (!s.program.code)
        throw new EdwError(
          'usage',
          'program.code is required when program.requireEnrolment is true',
        );
      const rows = db.prepare('SELECT id FROM program WHERE code = ?').all(s.program.code) as {
        id: number;
      }[];
      if (rows.length === 0)
        throw new EdwError('usage', `program ${s.program.code} is not in the workspace`);
      if (rows.length > 1)
        throw new EdwError(
          'usage',
          `program code ${s.program.code} is ambiguous (several organizations use it)`,
        );
      programId = (rows[0] as { id: number }).id;
    }
    let granteeId: number | undefined;
    if (s.program.requireConsent) {
      if (!s.program.consentGrantee)
        throw new EdwError(
          'usage',
          'program.consentGrantee is required when program.requireConsent is true',
        );
      const g = db
        .prepare('SELECT id FROM organization WHERE code = ?')
        .get(s.program.consentGrantee) as { id: number } | undefined;
      if (!g)
        throw new EdwError(
          'usage',
          `program.consentGrantee: no organization ${s.program.consentGrantee} in the workspace`,
        );
      granteeId = g.id;
    }
    const kinds = s.fleet.kinds.map((k) => CATEGORY[k]);
    const orgFilter = s.fleet.orgs && s.fleet.orgs.length > 0 ? s.fleet.orgs : null;
    const assets = db
      .prepare(
        `SELECT a.id, a.source_key, o.code AS org, a.category, a.nameplate_kw AS kw, a.nameplate_kwh AS kwh,
                a.premise_id, a.usage_point_id, a.installed_on,
                c.id AS circuit_id, c.code AS circuit, c.hosting_limit_kw AS hosting_kw,
                (SELECT t.id FROM transformer t WHERE t.node_id = a.node_id ORDER BY t.id LIMIT 1) AS transformer_id,
                (SELECT t.code FROM transformer t WHERE t.node_id = a.node_id ORDER BY t.id LIMIT 1) AS transformer,
                (SELECT t.kva FROM transformer t WHERE t.node_id = a.node_id ORDER BY t.id LIMIT 1) AS kva
         FROM asset a JOIN organization o ON o.id = a.org_id
         LEFT JOIN node n ON n.id = a.node_id LEFT JOIN section se ON se.id = n.section_id
         LEFT JOIN circuit c ON c.id = se.circuit_id
         WHERE a.category IN (${kinds.map(() => '?').join(',')})
         ORDER BY a.id`,
      )
      .all(...kinds) as AssetRow[];
    const customerOf = db.prepare(
      `SELECT ac.customer_id AS customer_id, ac.id AS account_id FROM service_agreement sa JOIN account ac ON ac.id = sa.account_id
       WHERE sa.usage_point_id = ? AND sa.start_date <= ? AND (sa.end_date IS NULL OR sa.end_date >= ?)
       ORDER BY sa.start_date DESC LIMIT 1`,
    );
    const enrolmentOf = db.prepare(
      `SELECT status, effective_date, end_date FROM program_enrolment
       WHERE program_id = ? AND (premise_id = ? OR account_id = ?) ORDER BY effective_date DESC, id DESC`,
    );
    const statusOf = db.prepare(
      `SELECT s.status, s.status_date FROM interconnection_application ap JOIN interconnection_status s ON s.application_id = ap.id
       WHERE ap.asset_id = ? ORDER BY s.status_date, s.status`,
    );
    const circuitOverride = new Map(s.limits.circuits.map((c) => [c.circuit, c]));
    const trOverride = new Map(s.limits.transformers.map((t) => [t.transformer, t]));
    for (const a of assets) {
      if (orgFilter && !orgFilter.includes(a.org)) continue;
      const d = s.fleet.defaults;
      const kw =
        a.kw ??
        (a.category === 'thermostat'
          ? d.thermostatKw
          : a.category === 'ev_charger'
            ? d.evChargerKw
            : a.category === 'storage'
              ? d.storageKw
              : 0);
      const kwh = a.category === 'storage' ? (a.kwh ?? d.storageKwh) : null;
      const circuitKey = a.circuit_id === null ? null : `c${a.circuit_id}`;
      const trKey = a.transformer_id === null ? null : `t${a.transformer_id}`;
      if (circuitKey && !circuits.has(circuitKey)) {
        const o = circuitOverride.get(a.circuit ?? '');
        if (o)
          circuits.set(circuitKey, {
            key: circuitKey,
            label: a.circuit ?? circuitKey,
            exportKw: o.exportKw,
            importKw: o.importKw,
          });
        else if (s.limits.fromTopology && a.hosting_kw !== null) {
          const kwl = a.hosting_kw * s.limits.circuitShare;
          circuits.set(circuitKey, {
            key: circuitKey,
            label: a.circuit ?? circuitKey,
            exportKw: kwl,
            importKw: kwl,
          });
        }
      }
      if (trKey && !transformers.has(trKey)) {
        const o = trOverride.get(a.transformer ?? '');
        if (o)
          transformers.set(trKey, {
            key: trKey,
            label: a.transformer ?? trKey,
            circuit: circuitKey,
            kw: o.kw,
          });
        else if (s.limits.fromTopology && a.kva !== null)
          transformers.set(trKey, {
            key: trKey,
            label: a.transformer ?? trKey,
            circuit: circuitKey,
            kw: a.kva * s.limits.transformerPowerFactor,
          });
      }
      const cust =
        a.usage_point_id === null
          ? undefined
          : (customerOf.get(a.usage_point_id, end, start) as
              { customer_id: number | null; account_id: number } | undefined);
      const customerId = cust?.customer_id ?? null;
      const base: Omit<Enrolment, 'status' | 'reason'> = {
        key: `${a.org}:${a.source_key}`,
        kind: a.category,
        kw,
        kwh,
        participant:
          customerId !== null
            ? `C${customerId}`
            : a.premise_id !== null
              ? `P${a.premise_id}`
              : `A${a.id}`,
        premiseId: a.premise_id,
        customerId,
        assetId: a.id,
        circuit: a.circuit,
        transformer: a.transformer,
        source: 'workspace',
      };
      const reasons: string[] = [];
      if (!(kw > 0)) reasons.push('no nameplate kW');
      if (a.installed_on !== null && a.installed_on > start)
        reasons.push(`installed on ${a.installed_on}, after the season starts`);
      if (s.program.requirePto && (a.category === 'storage' || a.category === 'pv')) {
        const hist = statusOf.all(a.id) as { status: string; status_date: string }[];
        const pto = hist.find((h) => h.status === 'pto');
        const withdrawn = hist.find((h) => h.status === 'withdrawn');
        if (withdrawn) reasons.push(`interconnection withdrawn on ${withdrawn.status_date}`);
        else if (!pto) reasons.push('no permission to operate (interconnection not at PTO)');
        else if (pto.status_date > start)
          reasons.push(`permission to operate only from ${pto.status_date}`);
      }
      if (programId !== null) {
        const rows = enrolmentOf.all(programId, a.premise_id ?? -1, cust?.account_id ?? -1) as {
          status: string;
          effective_date: string;
          end_date: string | null;
        }[];
        const ok = rows.find(
          (r) =>
            (r.status === 'enrolled' || r.status === 'completed') &&
            r.effective_date <= start &&
            (r.end_date === null || r.end_date >= end),
        );
        if (!ok) {
          const r = rows[0];
          if (!r) reasons.push(`not enrolled in program ${s.program.code}`);
          else if (r.status === 'pending')
            reasons.push(`enrolment in ${s.program.code} still pending`);
          else if (r.effective_date > start)
            reasons.push(`enrolled in ${s.program.code} only from ${r.effective_date}`);
          else if (r.end_date !== null && r.end_date < end)
            reasons.push(`enrolment in ${s.program.code} ended on ${r.end_date}`);
          else reasons.push(`enrolment in ${s.program.code} is ${r.status}`);
        }
      }
      if (s.program.requireConsent) {
        if (customerId === null)
          reasons.push('no customer on record for its usage point (nobody can consent)');
        else {
          for (const at of [startAt, endAt]) {
            const dec = consentCovers(db, customerId, dataClass.data, at, {
              usagePointId: a.usage_point_id,
              granteeOrgId: granteeId,
            });
            if (!dec.covered) {
              reasons.push(
                `no valid consent to ${s.program.consentGrantee} on ${at.toISOString().slice(0, 10)}: ${dec.reason}`,
              );
              break;
            }
          }
        }
      }
      const e: Enrolment = {
        ...base,
        status: reasons.length ? 'excluded' : 'enrolled',
        reason: reasons.join('; '),
      };
      push(e, {
        key: e.key,
        kind: e.kind,
        kw,
        kwh,
        participant: e.participant,
        premise: a.premise_id !== null ? `P${a.premise_id}` : `A${a.id}`,
        premiseId: a.premise_id,
        customerId,
        usagePointId: a.usage_point_id,
        assetId: a.id,
        circuit: circuitKey,
        transformer: trKey,
        source: 'workspace',
        variant: 1,
      });
    }
  }

  // Scenario DERs: listed, then generated.
  const listed = [...s.fleet.ders];
  const gen = s.fleet.generate;
  if (gen) {
    const rng = new Rng(s.seed).fork('fleet');
    const mix = gen.mix;
    const total = mix.storage + mix.ev_charger + mix.thermostat + mix.pv;
    if (!(total > 0))
      throw new EdwError('usage', 'fleet.generate.mix: at least one share must be positive');
    const counts = new Map<string, number>();
    for (let i = 0; i < gen.count; i++) {
      const r = rng.fork(i);
      let u = r.next() * total;
      let kind: DerKind = 'pv';
      for (const k of ['storage', 'ev_charger', 'thermostat', 'pv'] as const) {
        if (u < mix[k]) {
          kind = k;
          break;
        }
        u -= mix[k];
      }
      const circuit = `G${1 + (i % gen.circuits)}`;
      counts.set(circuit, (counts.get(circuit) ?? 0) + 1);
      const dv = gen.distinct;
      const kw =
        kind === 'storage'
          ? dv
            ? Math.round(r.range(3, 7) * 100) / 100
            : 5
          : kind === 'ev_charger'
            ? dv
              ? Math.round(r.range(3.3, 11.5) * 100) / 100
              : 7.2
            : kind === 'thermostat'
              ? dv
                ? Math.round(r.range(2, 5) * 100) / 100
                : 3.5
              : Math.round(r.range(3, 10) * 10) / 10;
      listed.push({
        key: `GEN-${String(i + 1).padStart(5, '0')}`,
        kind,
        kw,
        ...(kind === 'storage'
          ? { kwh: dv ? Math.round(kw * r.range(2, 4) * 100) / 100 : 13.5 }
          : {}),
        participant: `GP${String(i + 1).padStart(5, '0')}`,
        circuit,
        enrolled: true,
        consent: !r.chance(gen.noConsentShare),
      });
    }
    for (const [c, n] of counts)
      if (!s.limits.circuits.some((x) => x.circuit === c))
        circuits.set(`s:${c}`, {
          key: `s:${c}`,
          label: c,
          exportKw: n * gen.circuitKwPerDer,
          importKw: n * gen.circuitKwPerDer,
        });
  }
  for (const c of s.limits.circuits)
    if (!circuits.has(`s:${c.circuit}`))
      circuits.set(`s:${c.circuit}`, {
        key: `s:${c.circuit}`,
        label: c.circuit,
        exportKw: c.exportKw,
        importKw: c.importKw,
      });
  for (const t of s.limits.transformers)
    if (!transformers.has(`s:${t.transformer}`))
      transformers.set(`s:${t.transformer}`, {
        key: `s:${t.transformer}`,
        label: t.transformer,
        circuit: null,
        kw: t.kw,
      });
  const seen = new Set(out.map((e) => e.key));
  for (const g of listed) {
    if (seen.has(g.key)) throw new EdwError('usage', `fleet.ders: duplicate DER key ${g.key}`);
    seen.add(g.key);
    const reasons: string[] = [];
    if (s.program.requireEnrolment && !g.enrolled)
      reasons.push(`not enrolled in program ${s.program.code ?? ''}`.trim());
    if (s.program.requireConsent && !g.consent) reasons.push('no consent on record');
    if (!s.fleet.kinds.includes(g.kind)) reasons.push(`kind ${g.kind} is not in fleet.kinds`);
    const kwh = g.kind === 'storage' ? (g.kwh ?? s.fleet.defaults.storageKwh) : null;
    const variant =
      gen?.distinct && g.key.startsWith('GEN-')
        ? 0.8 + 0.4 * new Rng(s.seed).fork('variant', g.key).next()
        : 1;
    const e: Enrolment = {
      key: g.key,
      kind: g.kind,
      kw: g.kw,
      kwh,
      participant: g.participant,
      premiseId: null,
      customerId: null,
      assetId: null,
      circuit: g.circuit ?? null,
      transformer: g.transformer ?? null,
      source: 'scenario',
      status: reasons.length ? 'excluded' : 'enrolled',
      reason: reasons.join('; '),
    };
    push(e, {
      key: g.key,
      kind: g.kind,
      kw: g.kw,
      kwh,
      participant: g.participant,
      premise: `S:${g.participant}`,
      premiseId: null,
      customerId: null,
      usagePointId: null,
      assetId: null,
      circuit: g.circuit ? `s:${g.circuit}` : null,
      transformer: g.transformer ? `s:${g.transformer}` : null,
      source: 'scenario',
      variant,
    });
  }
  return { enrolments: out, ders, circuits, transformers };
}
