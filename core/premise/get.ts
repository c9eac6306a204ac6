/**
 * getPremise: everything the workspace knows about one platform premise (all premise rows
 * linked to one PremiseID, one per organization's record), panel by panel, each row with the
 * import batch or index run it came from, PII shown only as the role and consent allow.
 * See docs/premise-explorer.md.
 */
import type { Database } from 'better-sqlite3';
import type { Role } from '../privacy/roles';
import { QUALITY_NAMES } from '../metering/quality';
import { PremisePrivacy, type Owner } from './privacy';
import {
  iso,
  list,
  Provenance,
  resolvePremise,
  SERIES_SQL,
  seriesCoverage,
  type SeriesRow,
} from './resolve';
import type { Premise, PremiseRef, Pii } from './schema';

type Out<K extends keyof Premise> = Premise[K];

export interface PremiseOptions {
  role: Role;
  /** Instant consents are checked at (default now). */
  now?: Date;
}

/** The thirteen kinds in the order of docs/data-model.md. */
export const KIND_ORDER = [
  'PremiseID',
  'AddressID',
  'UsagePointID',
  'AccountID',
  'PersonID',
  'OrgID',
  'SensorID',
  'AssetID',
  'InstanceID',
  'ProgramID',
  'RateClassID',
  'TimePeriodID',
  'BlockDefinitionID',
] as const;

interface LinkRow {
  platform_id: string;
  method: string;
  score: number | null;
  run_id: number | null;
  linked_at: number;
}

const STATUS_ORDER = ['applied', 'studied', 'approved', 'installed', 'pto', 'withdrawn'];

/** Owners of a usage point's data: the customers of its agreements. */
function ownersOf(byUp: Map<number, Owner[]>, ups: Iterable<number>): Owner[] {
  const out: Owner[] = [];
  for (const up of ups) out.push(...(byUp.get(up) ?? []));
  return out;
}

export function getPremise(db: Database, ref: PremiseRef, opts: PremiseOptions): Premise {
  const privacy = new PremisePrivacy(db, opts.role, opts.now ?? new Date());
  privacy.assertMayView();
  const resolved = resolvePremise(db, ref);
  const ids = resolved.premiseIds;
  const prov = new Provenance(db);
  const linkStmt = db.prepare(
    'SELECT platform_id, method, score, run_id, linked_at FROM platform_link WHERE kind = ? AND source_table = ? AND source_id = ?',
  );
  const linkedIds: Out<'linkedIds'> = [];
  const linkedSeen = new Set<string>();
  /** The platform ID of a row, recording it in the linked-ID panel. */
  const link = (
    kind: string,
    table: string,
    id: number,
    key: Pii,
    org: string | null,
    batchId: number | null,
  ): string | null => {
    const l = linkStmt.get(kind, table, id) as LinkRow | undefined;
    if (!l) return null;
    const k = `${kind}\u0000${table}\u0000${id}`;
    if (!linkedSeen.has(k)) {
      linkedSeen.add(k);
      linkedIds.push({
        kind,
        platformId: l.platform_id,
        sourceTable: table,
        sourceId: id,
        sourceKey: key,
        org,
        method: l.method,
        score: l.score,
        run: prov.run(l.run_id, true),
        linkedAt: iso(l.linked_at),
        batch: prov.batch(batchId, table, false),
      });
    }
    return l.platform_id;
  };

  // ───── premise records ─────
  const recRows = db
    .prepare(
      `SELECT p.id, p.org_id, o.code AS org, o.name AS org_name, o.regulated, p.source_key, p.kind,
              p.parent_premise_id, p.town, p.state, p.latitude, p.longitude, p.import_batch_id
       FROM premise p JOIN organization o ON o.id = p.org_id
       WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY o.code, p.id`,
    )
    .all(list(ids)) as {
    id: number;
    org_id: number;
    org: string;
    org_name: string;
    regulated: number;
    source_key: string;
    kind: string;
    parent_premise_id: number | null;
    town: string | null;
    state: string | null;
    latitude: number | null;
    longitude: number | null;
    import_batch_id: number | null;
  }[];
  const records: Out<'records'> = recRows.map((r) => {
    link('PremiseID', 'premise', r.id, r.source_key, r.org, r.import_batch_id);
    return {
      premiseId: r.id,
      org: r.org,
      orgName: r.org_name,
      regulated: r.regulated === 1,
      sourceKey: r.source_key,
      kind: r.kind,
      parentPremiseId: r.parent_premise_id,
      town: r.town,
      state: r.state,
      latitude: r.latitude,
      longitude: r.longitude,
      batch: prov.batch(r.import_batch_id, 'premise'),
    };
  });
  const orgIds = new Map<number, string>();
  for (const r of recRows) orgIds.set(r.org_id, r.org);

  // ───── usage points and agreements (who the customers are) ─────
  const upRows = db
    .prepare(
      `SELECT up.id, up.org_id, o.code AS org, up.source_key, up.premise_id, up.commodity, up.status,
              coalesce(up.time_zone, o.time_zone) AS tz, up.import_batch_id
       FROM usage_point up JOIN organization o ON o.id = up.org_id
       WHERE up.premise_id IN (SELECT value FROM json_each(?)) ORDER BY o.code, up.commodity, up.source_key`,
    )
    .all(list(ids)) as {
    id: number;
    org_id: number;
    org: string;
    source_key: string;
    premise_id: number | null;
    commodity: string;
    status: string;
    tz: string;
    import_batch_id: number | null;
  }[];
  const upIds = upRows.map((u) => u.id);
  const upKey = new Map(upRows.map((u) => [u.id, u.source_key]));
  const agrRows = db
    .prepare(
      `SELECT sa.id, sa.account_id, sa.usage_point_id, sa.rate_class_id, sa.tariff_id, sa.start_date, sa.end_date,
              sa.import_batch_id, ac.customer_id, up.commodity,
              rc.code AS rc_code, rc.name AS rc_name, t.code AS t_code, t.name AS t_name
       FROM service_agreement sa
       JOIN account ac ON ac.id = sa.account_id
       JOIN usage_point up ON up.id = sa.usage_point_id
       LEFT JOIN rate_class rc ON rc.id = sa.rate_class_id
       LEFT JOIN tariff t ON t.id = sa.tariff_id
       WHERE sa.usage_point_id IN (SELECT value FROM json_each(?))
       ORDER BY sa.start_date, sa.id`,
    )
    .all(list(upIds)) as {
    id: number;
    account_id: number;
    usage_point_id: number;
    rate_class_id: number | null;
    tariff_id: number | null;
    start_date: string;
    end_date: string | null;
    import_batch_id: number | null;
    customer_id: number | null;
    commodity: string;
    rc_code: string | null;
    rc_name: string | null;
    t_code: string | null;
    t_name: string | null;
  }[];
  const ownersByUp = new Map<number, Owner[]>();
  const ownersByAccount = new Map<number, Owner[]>();
  const ownersByCustomer = new Map<number, Owner[]>();
  for (const a of agrRows) {
    if (a.customer_id === null) continue;
    const o = { customerId: a.customer_id, usagePointId: a.usage_point_id };
    for (const [m, k] of [
      [ownersByUp, a.usage_point_id],
      [ownersByAccount, a.account_id],
      [ownersByCustomer, a.customer_id],
    ] as const) {
      let l = m.get(k);
      if (!l) m.set(k, (l = []));
      l.push(o);
    }
  }
  const upsByPremise = new Map<number, number[]>();
  for (const u of upRows) {
    if (u.premise_id === null) continue;
    const l = upsByPremise.get(u.premise_id) ?? [];
    l.push(u.id);
    upsByPremise.set(u.premise_id, l);
  }

  // ───── addresses ─────
  const addrRows = db
    .prepare(
      `SELECT a.id, a.org_id, o.code AS org, pa.premise_id, pa.role, a.raw, a.normalized, a.city, a.zip,
              pa.valid_from, pa.valid_to, a.import_batch_id
       FROM premise_address pa JOIN address a ON a.id = pa.address_id JOIN organization o ON o.id = a.org_id
       WHERE pa.premise_id IN (SELECT value FROM json_each(?)) ORDER BY o.code, pa.role, a.id`,
    )
    .all(list(ids)) as {
    id: number;
    org_id: number;
    org: string;
    premise_id: number;
    role: string;
    raw: string;
    normalized: string | null;
    city: string | null;
    zip: string | null;
    valid_from: string | null;
    valid_to: string | null;
    import_batch_id: number | null;
  }[];
  const addressPids = new Set<string>();
  const addresses: Out<'addresses'> = addrRows.map((a) => {
    const owners = ownersOf(ownersByUp, upsByPremise.get(a.premise_id) ?? []);
    // An address tied to no customer (a vendor's or an empty premise's) is not personal data.
    const raw = owners.length === 0 ? a.raw : privacy.required(a.raw, owners);
    const pid = link('AddressID', 'address', a.id, a.normalized ?? raw, a.org, a.import_batch_id);
    if (pid) addressPids.add(pid);
    return {
      addressId: a.id,
      platformAddressId: pid,
      premiseId: a.premise_id,
      org: a.org,
      role: a.role,
      raw,
      normalized: a.normalized,
      city: a.city,
      zip: a.zip,
      validFrom: a.valid_from,
      validTo: a.valid_to,
      batch: prov.batch(a.import_batch_id, 'address'),
    };
  });

  // ───── accounts, customers, persons ─────
  const accountIds = [...new Set(agrRows.map((a) => a.account_id))];
  const accRows = db
    .prepare(
      `SELECT ac.id, o.code AS org, ac.account_number, ac.status, ac.opened_on, ac.closed_on, ac.import_batch_id,
              c.id AS c_id, c.source_key AS c_key, c.name AS c_name, c.customer_class, c.import_batch_id AS c_batch,
              pe.id AS p_id, pe.name AS p_name, pe.email, pe.phone, pe.import_batch_id AS p_batch, pe.source_key AS p_key
       FROM account ac JOIN organization o ON o.id = ac.org_id
       LEFT JOIN customer c ON c.id = ac.customer_id
       LEFT JOIN person pe ON pe.id = c.person_id
       WHERE ac.id IN (SELECT value FROM json_each(?)) ORDER BY o.code, ac.id`,
    )
    .all(list(accountIds)) as {
    id: number;
    org: string;
    account_number: string;
    status: string;
    opened_on: string | null;
    closed_on: string | null;
    import_batch_id: number | null;
    c_id: number | null;
    c_key: string | null;
    c_name: string | null;
    customer_class: string;
    c_batch: number | null;
    p_id: number | null;
    p_name: string | null;
    email: string | null;
    phone: string | null;
    p_batch: number | null;
    p_key: string | null;
  }[];
  const accountNumber = new Map<number, Pii>();
  const rateClassPid = (id: number | null, code: string | null, org: string): string | null =>
    id === null ? null : link('RateClassID', 'rate_class', id, code ?? String(id), org, null);
  const accounts: Out<'accounts'> = accRows.map((a) => {
    const owners = ownersByAccount.get(a.id) ?? [];
    const number = privacy.required(a.account_number, owners);
    accountNumber.set(a.id, number);
    const agreements = agrRows.filter((g) => g.account_id === a.id);
    const cOwners = a.c_id === null ? [] : (ownersByCustomer.get(a.c_id) ?? []);
    return {
      accountId: a.id,
      platformAccountId: link('AccountID', 'account', a.id, number, a.org, a.import_batch_id),
      org: a.org,
      commodities: [...new Set(agreements.map((g) => g.commodity))].sort(),
      accountNumber: number,
      status: a.status,
      openedOn: a.opened_on,
      closedOn: a.closed_on,
      customer:
        a.c_id === null
          ? null
          : {
              customerId: a.c_id,
              sourceKey: a.c_key ?? '',
              name: privacy.field(a.c_name, cOwners),
              customerClass: a.customer_class,
              person:
                a.p_id === null
                  ? null
                  : {
                      personId: a.p_id,
                      platformPersonId: link(
                        'PersonID',
                        'person',
                        a.p_id,
                        a.p_key ?? String(a.p_id),
                        a.org,
                        a.p_batch,
                      ),
                      name: privacy.field(a.p_name, cOwners),
                      email: privacy.field(a.email, cOwners),
                      phone: privacy.field(a.phone, cOwners),
                    },
            },
      agreements: agreements.map((g) => ({
        agreementId: g.id,
        usagePointId: g.usage_point_id,
        usagePoint: upKey.get(g.usage_point_id) ?? String(g.usage_point_id),
        commodity: g.commodity,
        rateClass:
          g.rate_class_id === null
            ? null
            : {
                code: g.rc_code ?? '',
                name: g.rc_name ?? '',
                platformId: rateClassPid(g.rate_class_id, g.rc_code, a.org),
              },
        tariff: g.t_code === null ? null : { code: g.t_code, name: g.t_name ?? '' },
        startDate: g.start_date,
        endDate: g.end_date,
        batch: prov.batch(g.import_batch_id, 'service_agreement'),
      })),
      batch: prov.batch(a.import_batch_id, 'account'),
    };
  });

  // ───── usage points: meters, series coverage, reads summary ─────
  const meterStmt = db.prepare(
    `SELECT m.id, m.serial, m.kind, m.multiplier, mu.installed_on, mu.removed_on, m.import_batch_id, o.code AS org
     FROM meter_usage_point mu JOIN meter m ON m.id = mu.meter_id JOIN organization o ON o.id = m.org_id
     WHERE mu.usage_point_id = ? ORDER BY mu.installed_on, m.id`,
  );
  const seriesStmt = db.prepare(`${SERIES_SQL} WHERE s.usage_point_id = ? ORDER BY rt.id, s.id`);
  const readSumStmt = db.prepare(
    'SELECT count(*) AS n, sum(estimated) AS est, min(read_date) AS first, max(read_date) AS last FROM register_read WHERE usage_point_id = ?',
  );
  const instance = (s: SeriesRow, key: string, org: string) =>
    link('InstanceID', 'series', s.id, `${key} ${s.reading_type}`, org, null);
  const withheldUps = new Map<number, string>();
  const usagePoints: Out<'usagePoints'> = upRows.map((u) => {
    const reason = privacy.hiddenReason(ownersByUp.get(u.id) ?? [], 'customer_usage');
    if (reason !== null) withheldUps.set(u.id, reason);
    const meters = (
      meterStmt.all(u.id) as {
        id: number;
        serial: string;
        kind: string;
        multiplier: string;
        installed_on: string;
        removed_on: string | null;
        import_batch_id: number | null;
        org: string;
      }[]
    ).map((m) => ({
      meterId: m.id,
      platformSensorId: link('SensorID', 'meter', m.id, m.serial, m.org, m.import_batch_id),
      serial: m.serial,
      kind: m.kind,
      multiplier: m.multiplier,
      installedOn: m.installed_on,
      removedOn: m.removed_on,
      batch: prov.batch(m.import_batch_id, 'meter'),
    }));
    const series = (seriesStmt.all(u.id) as SeriesRow[]).map((s) =>
      seriesCoverage(db, s, instance(s, u.source_key, u.org), prov),
    );
    const rs = readSumStmt.get(u.id) as {
      n: number;
      est: number | null;
      first: string | null;
      last: string | null;
    };
    return {
      usagePointId: u.id,
      platformId: link('UsagePointID', 'usage_point', u.id, u.source_key, u.org, u.import_batch_id),
      org: u.org,
      sourceKey: u.source_key,
      premiseId: u.premise_id,
      commodity: u.commodity,
      status: u.status,
      timeZone: u.tz,
      meters,
      // Coverage figures are customer usage too: withheld when the role may not see it.
      series: reason === null ? series : [],
      reads:
        reason === null
          ? { count: rs.n, estimated: rs.est ?? 0, first: rs.first, last: rs.last }
          : { count: 0, estimated: 0, first: null, last: null },
      withheld: reason === null ? null : { reason },
      batch: prov.batch(u.import_batch_id, 'usage_point'),
    };
  });
  const visibleUps = upIds.filter((id) => !withheldUps.has(id));

  // ───── register reads ─────
  const reads: Out<'reads'> = (
    db
      .prepare(
        `SELECT r.id, r.usage_point_id, o.code AS org, m.serial, rt.name AS rt, rt.unit, r.read_date, r.reading,
                r.multiplier, r.estimated, r.quality, r.import_batch_id
         FROM register_read r JOIN usage_point up ON up.id = r.usage_point_id
         JOIN organization o ON o.id = up.org_id
         JOIN reading_type rt ON rt.id = r.reading_type_id
         LEFT JOIN meter m ON m.id = r.meter_id
         WHERE r.usage_point_id IN (SELECT value FROM json_each(?))
         ORDER BY o.code, r.usage_point_id, r.read_date, r.id`,
      )
      .all(list(visibleUps)) as {
      id: number;
      usage_point_id: number;
      org: string;
      serial: string | null;
      rt: string;
      unit: string;
      read_date: string;
      reading: string;
      multiplier: string;
      estimated: number;
      quality: number;
      import_batch_id: number | null;
    }[]
  ).map((r) => ({
    readId: r.id,
    usagePoint: upKey.get(r.usage_point_id) ?? String(r.usage_point_id),
    org: r.org,
    meter: r.serial,
    readingType: r.rt,
    unit: r.unit,
    readDate: r.read_date,
    reading: r.reading,
    multiplier: r.multiplier,
    estimated: r.estimated === 1,
    quality: QUALITY_NAMES[r.quality] ?? String(r.quality),
    batch: prov.batch(r.import_batch_id, 'register_read'),
  }));

  // ───── bills ─────
  const billRows = db
    .prepare(
      `SELECT b.*, o.code AS org, t.code AS t_code FROM bill b
       JOIN organization o ON o.id = b.org_id LEFT JOIN tariff t ON t.id = b.tariff_id
       WHERE b.account_id IN (SELECT value FROM json_each(?))
         AND (b.usage_point_id IS NULL OR b.usage_point_id IN (SELECT value FROM json_each(?)))
       ORDER BY b.period_from, b.id`,
    )
    .all(list(accountIds), list(upIds)) as {
    id: number;
    org: string;
    account_id: number;
    usage_point_id: number | null;
    tariff_id: number | null;
    t_code: string | null;
    bill_number: string | null;
    period_from: string;
    period_to: string;
    issued_on: string | null;
    meter_serial: string | null;
    read_previous: string | null;
    read_present: string | null;
    usage: string | null;
    usage_unit: string | null;
    total_micros: number;
    source: string;
    import_batch_id: number | null;
  }[];
  const lineStmt = db.prepare(
    'SELECT line_no, code, description, quantity, unit, rate, amount_micros FROM bill_line WHERE bill_id = ? ORDER BY line_no',
  );
  const valStmt = db.prepare(
    `SELECT v.id, v.passed, v.summary, v.tolerance_micros, v.created_at, cb.total_micros AS computed
     FROM bill_validation v JOIN computed_bill cb ON cb.id = v.computed_bill_id
     WHERE v.bill_id = ? ORDER BY v.created_at, v.id`,
  );
  const bills: Out<'bills'> = billRows
    // A bill is usage data of its usage point: withheld with it.
    .filter((b) => b.usage_point_id === null || !withheldUps.has(b.usage_point_id))
    .map((b) => {
      const validations = (
        valStmt.all(b.id) as {
          id: number;
          passed: number;
          summary: string;
          tolerance_micros: number;
          created_at: number;
          computed: number;
        }[]
      ).map((v) => ({
        validationId: v.id,
        passed: v.passed === 1,
        summary: v.summary,
        toleranceMicros: v.tolerance_micros,
        computedTotalMicros: v.computed,
        differenceMicros: b.total_micros - v.computed,
        at: iso(v.created_at),
      }));
      const last = validations[validations.length - 1];
      return {
        billId: b.id,
        org: b.org,
        accountNumber: accountNumber.get(b.account_id) ?? '',
        usagePoint: b.usage_point_id === null ? null : (upKey.get(b.usage_point_id) ?? null),
        tariff: b.t_code,
        billNumber: b.bill_number,
        periodFrom: b.period_from,
        periodTo: b.period_to,
        issuedOn: b.issued_on,
        meterSerial: b.meter_serial,
        readPrevious: b.read_previous,
        readPresent: b.read_present,
        usage: b.usage,
        usageUnit: b.usage_unit,
        totalMicros: b.total_micros,
        source: b.source,
        lines: (
          lineStmt.all(b.id) as {
            line_no: number;
            code: string | null;
            description: string;
            quantity: string | null;
            unit: string | null;
            rate: string | null;
            amount_micros: number;
          }[]
        ).map((l) => ({
          lineNo: l.line_no,
          code: l.code,
          description: l.description,
          quantity: l.quantity,
          unit: l.unit,
          rate: l.rate,
          amountMicros: l.amount_micros,
        })),
        status: last === undefined ? 'not validated' : last.passed ? 'passed' : 'failed',
        validations,
        batch: prov.batch(b.import_batch_id, 'bill'),
      };
    });

  // ───── assets, interconnection, grid ─────
  const assetRows = db
    .prepare(
      `SELECT a.*, o.code AS org FROM asset a JOIN organization o ON o.id = a.org_id
       WHERE a.premise_id IN (SELECT value FROM json_each(?))
          OR a.usage_point_id IN (SELECT value FROM json_each(?))
       ORDER BY o.code, a.category, a.source_key`,
    )
    .all(list(ids), list(upIds)) as {
    id: number;
    org: string;
    source_key: string;
    category: string;
    category_label: string | null;
    owner: string | null;
    usage_point_id: number | null;
    node_id: number | null;
    nameplate_kw: number | null;
    nameplate_kwh: number | null;
    installed_on: string | null;
    import_batch_id: number | null;
  }[];
  const appStmt = db.prepare(
    `SELECT ia.id, ia.application_number, o.code AS org, c.code AS circuit, ia.requested_kw, ia.import_batch_id
     FROM interconnection_application ia JOIN organization o ON o.id = ia.org_id
     LEFT JOIN circuit c ON c.id = ia.circuit_id WHERE ia.asset_id = ? ORDER BY ia.id`,
  );
  const statusStmt = db.prepare(
    'SELECT status, status_date, import_batch_id FROM interconnection_status WHERE application_id = ? ORDER BY status_date',
  );
  const assets: Out<'assets'> = assetRows.map((a) => ({
    assetId: a.id,
    platformId: link('AssetID', 'asset', a.id, a.source_key, a.org, a.import_batch_id),
    org: a.org,
    sourceKey: a.source_key,
    category: a.category,
    label: a.category_label,
    owner: a.owner,
    usagePoint: a.usage_point_id === null ? null : (upKey.get(a.usage_point_id) ?? null),
    nameplateKw: a.nameplate_kw,
    nameplateKwh: a.nameplate_kwh,
    installedOn: a.installed_on,
    applications: (
      appStmt.all(a.id) as {
        id: number;
        application_number: string;
        org: string;
        circuit: string | null;
        requested_kw: number | null;
        import_batch_id: number | null;
      }[]
    ).map((x) => ({
      applicationId: x.id,
      number: x.application_number,
      org: x.org,
      circuit: x.circuit,
      requestedKw: x.requested_kw,
      statuses: (
        statusStmt.all(x.id) as {
          status: string;
          status_date: string;
          import_batch_id: number | null;
        }[]
      )
        .sort(
          (p, q) =>
            p.status_date.localeCompare(q.status_date) ||
            STATUS_ORDER.indexOf(p.status) - STATUS_ORDER.indexOf(q.status),
        )
        .map((s) => ({
          status: s.status,
          date: s.status_date,
          batch: prov.batch(s.import_batch_id, 'interconnection_status'),
        })),
      batch: prov.batch(x.import_batch_id, 'interconnection_application'),
    })),
    batch: prov.batch(a.import_batch_id, 'asset'),
  }));

  const nodeStmt = db.prepare(
    `SELECT n.code AS node, se.code AS section, c.code AS circuit, o.code AS org, c.circuit_type,
            c.hosting_limit_kw, s.code AS sub, s.name AS sub_name, c.import_batch_id
     FROM node n JOIN section se ON se.id = n.section_id JOIN circuit c ON c.id = se.circuit_id
     JOIN organization o ON o.id = c.org_id LEFT JOIN substation s ON s.id = c.substation_id
     WHERE n.id = ?`,
  );
  const trStmt = db.prepare('SELECT code, kva FROM transformer WHERE node_id = ? ORDER BY code');
  const byNode = new Map<number, string[]>();
  for (const a of assetRows) {
    if (a.node_id === null) continue;
    const l = byNode.get(a.node_id) ?? [];
    l.push(`asset ${a.source_key} (${a.category})`);
    byNode.set(a.node_id, l);
  }
  const grid: Out<'grid'> = [];
  for (const [nodeId, via] of byNode) {
    const n = nodeStmt.get(nodeId) as
      | {
          node: string;
          section: string;
          circuit: string;
          org: string;
          circuit_type: string | null;
          hosting_limit_kw: number | null;
          sub: string | null;
          sub_name: string | null;
          import_batch_id: number | null;
        }
      | undefined;
    if (!n) continue;
    grid.push({
      via: via.join(', '),
      node: n.node,
      section: n.section,
      circuit: n.circuit,
      circuitOrg: n.org,
      circuitType: n.circuit_type,
      hostingLimitKw: n.hosting_limit_kw,
      substation: n.sub,
      substationName: n.sub_name,
      transformers: trStmt.all(nodeId) as { code: string; kva: number | null }[],
      batch: prov.batch(n.import_batch_id, 'circuit'),
    });
  }

  // ───── programs ─────
  const progRows = db
    .prepare(
      `SELECT e.id, e.account_id, e.status, e.effective_date, e.end_date, e.import_batch_id,
              p.id AS p_id, p.code, p.name, p.kind, p.commodity, o.code AS org
       FROM program_enrolment e JOIN program p ON p.id = e.program_id JOIN organization o ON o.id = p.org_id
       WHERE e.premise_id IN (SELECT value FROM json_each(?)) OR e.account_id IN (SELECT value FROM json_each(?))
       ORDER BY e.effective_date, e.id`,
    )
    .all(list(ids), list(accountIds)) as {
    id: number;
    account_id: number | null;
    status: string;
    effective_date: string;
    end_date: string | null;
    import_batch_id: number | null;
    p_id: number;
    code: string;
    name: string;
    kind: string;
    commodity: string | null;
    org: string;
  }[];
  const changeStmt = db.prepare(
    'SELECT change, effective_date, status, import_batch_id FROM program_enrolment_change WHERE enrolment_id = ? ORDER BY effective_date, id',
  );
  const programs: Out<'programs'> = progRows.map((e) => ({
    enrolmentId: e.id,
    program: {
      code: e.code,
      name: e.name,
      kind: e.kind,
      org: e.org,
      commodity: e.commodity,
      platformId: link('ProgramID', 'program', e.p_id, e.code, e.org, null),
    },
    accountNumber:
      e.account_id === null
        ? null
        : (accountNumber.get(e.account_id) ??
          privacy.required(
            (db
              .prepare('SELECT account_number FROM account WHERE id = ?')
              .pluck()
              .get(e.account_id) as string | undefined) ?? '',
            ownersByAccount.get(e.account_id) ?? [],
          )),
    status: e.status,
    effectiveDate: e.effective_date,
    endDate: e.end_date,
    changes: (
      changeStmt.all(e.id) as {
        change: string;
        effective_date: string;
        status: string;
        import_batch_id: number | null;
      }[]
    ).map((c) => ({
      change: c.change,
      effectiveDate: c.effective_date,
      status: c.status,
      batch: prov.batch(c.import_batch_id, 'program_enrolment_change'),
    })),
    batch: prov.batch(e.import_batch_id, 'program_enrolment'),
  }));

  // ───── non-utility sensors ─────
  const sensorRows = db
    .prepare(
      `SELECT s.id, s.source_key, s.kind, s.premise_id, s.address_id, s.import_batch_id,
              o.code AS vendor, o.name AS vendor_name, o.regulated
       FROM sensor s JOIN organization o ON o.id = s.org_id
       WHERE s.premise_id IN (SELECT value FROM json_each(?))
          OR s.address_id IN (SELECT source_id FROM platform_link WHERE kind = 'AddressID' AND source_table = 'address'
                              AND platform_id IN (SELECT value FROM json_each(?)))
       ORDER BY o.code, s.source_key`,
    )
    .all(list(ids), list([...addressPids])) as {
    id: number;
    source_key: string;
    kind: string;
    premise_id: number | null;
    address_id: number | null;
    import_batch_id: number | null;
    vendor: string;
    vendor_name: string;
    regulated: number;
  }[];
  const sensorSeriesStmt = db.prepare(`${SERIES_SQL} WHERE s.sensor_id = ? ORDER BY rt.id, s.id`);
  // Sensor data is usage of the place: shown as the customers at the premise allow.
  const sensorReason = privacy.hiddenReason(ownersOf(ownersByUp, upIds), 'customer_usage');
  const sensors: Out<'sensors'> = sensorRows.map((s) => ({
    sensorId: s.id,
    platformId: link('SensorID', 'sensor', s.id, s.source_key, s.vendor, s.import_batch_id),
    vendor: s.vendor,
    vendorName: s.vendor_name,
    regulated: s.regulated === 1,
    sourceKey: s.source_key,
    kind: s.kind,
    via:
      s.premise_id !== null && ids.includes(s.premise_id)
        ? `premise record ${s.premise_id}`
        : `address ${s.address_id ?? ''} (same AddressID)`,
    series:
      sensorReason === null
        ? (sensorSeriesStmt.all(s.id) as SeriesRow[]).map((x) =>
            seriesCoverage(db, x, instance(x, s.source_key, s.vendor), prov),
          )
        : [],
    batch: prov.batch(s.import_batch_id, 'sensor'),
  }));

  // ───── organizations, tariffs' time periods and block definitions ─────
  const orgStmt = db.prepare('SELECT id, code FROM organization WHERE code = ?');
  const orgCodes = new Set<string>([
    ...records.map((r) => r.org),
    ...sensors.map((s) => s.vendor),
    ...programs.map((p) => p.program.org),
    ...assets.map((a) => a.org),
  ]);
  for (const code of [...orgCodes].sort()) {
    const o = orgStmt.get(code) as { id: number; code: string } | undefined;
    if (o) link('OrgID', 'organization', o.id, o.code, o.code, null);
  }
  const tariffIds = db
    .prepare(
      `SELECT DISTINCT id FROM tariff WHERE id IN (SELECT value FROM json_each(?))
            OR rate_class_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .pluck()
    .all(
      list([
        ...agrRows.flatMap((a) => (a.tariff_id === null ? [] : [a.tariff_id])),
        ...billRows.flatMap((b) => (b.tariff_id === null ? [] : [b.tariff_id])),
      ]),
      list(agrRows.flatMap((a) => (a.rate_class_id === null ? [] : [a.rate_class_id]))),
    ) as number[];
  for (const table of ['time_period', 'block_definition'] as const) {
    const kind = table === 'time_period' ? 'TimePeriodID' : 'BlockDefinitionID';
    for (const r of db
      .prepare(
        `SELECT x.id, x.code, t.code AS tariff, v.effective_from, o.code AS org, v.import_batch_id
         FROM ${table} x JOIN tariff_version v ON v.id = x.tariff_version_id JOIN tariff t ON t.id = v.tariff_id
         JOIN organization o ON o.id = t.org_id
         WHERE v.tariff_id IN (SELECT value FROM json_each(?)) ORDER BY t.code, v.effective_from, x.code`,
      )
      .all(list(tariffIds)) as {
      id: number;
      code: string;
      tariff: string;
      effective_from: string;
      org: string;
      import_batch_id: number | null;
    }[]) {
      link(
        kind,
        table,
        r.id,
        `${r.tariff} ${r.effective_from} ${r.code}`,
        r.org,
        r.import_batch_id,
      );
    }
  }
  linkedIds.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind as (typeof KIND_ORDER)[number]) -
        KIND_ORDER.indexOf(b.kind as (typeof KIND_ORDER)[number]) || a.sourceId - b.sourceId,
  );

  // ───── unit/building relations and match evidence ─────
  const pairRows = db
    .prepare(
      `SELECT m.id, m.left_premise_id AS l, m.right_premise_id AS r, m.score, m.reasons, m.status, m.run_id,
              d.decision, d.decided_by, d.decided_at, d.note
       FROM match_pair m LEFT JOIN match_decision d
         ON d.left_premise_id = m.left_premise_id AND d.right_premise_id = m.right_premise_id
       WHERE m.left_premise_id IN (SELECT value FROM json_each(?))
          OR m.right_premise_id IN (SELECT value FROM json_each(?))
       ORDER BY m.id`,
    )
    .all(list(ids), list(ids)) as {
    id: number;
    l: number;
    r: number;
    score: number;
    reasons: string;
    status: string;
    run_id: number | null;
    decision: string | null;
    decided_by: string | null;
    decided_at: number | null;
    note: string | null;
  }[];
  const idSet = new Set(ids);
  const otherStmt = db.prepare(
    `SELECT p.id, o.code AS org, a.normalized, a.unit_number,
            (SELECT platform_id FROM platform_link WHERE kind = 'PremiseID' AND source_table = 'premise' AND source_id = p.id) AS pid
     FROM premise p JOIN organization o ON o.id = p.org_id
     LEFT JOIN premise_address pa ON pa.premise_id = p.id AND pa.role = 'service'
     LEFT JOIN address a ON a.id = pa.address_id WHERE p.id = ? LIMIT 1`,
  );
  type Other = {
    id: number;
    org: string;
    normalized: string | null;
    unit_number: string | null;
    pid: string | null;
  };
  const relations: Out<'relations'> = [];
  const matches: Out<'audit'>['matches'] = [];
  for (const p of pairRows) {
    let reasons: { feature: string; value: string; weight: number }[] = [];
    try {
      const parsed: unknown = JSON.parse(p.reasons);
      if (Array.isArray(parsed))
        reasons = parsed.flatMap((x: unknown) => {
          if (typeof x !== 'object' || x === null) return [];
          const o = x as Record<string, unknown>;
          return [
            {
              feature: String(o.feature ?? ''),
              value: String(o.value ?? ''),
              weight: Number(o.weight ?? 0),
            },
          ];
        });
    } catch {
      reasons = [];
    }
    const inside = idSet.has(p.l) && idSet.has(p.r);
    const building = reasons.find((x) => x.feature === 'building');
    if (inside || p.decision !== null) {
      matches.push({
        pairId: p.id,
        leftPremiseId: p.l,
        rightPremiseId: p.r,
        score: p.score,
        status: p.status,
        reasons,
        decision:
          p.decision === null
            ? null
            : {
                decision: p.decision,
                by: p.decided_by ?? '',
                at: iso(p.decided_at ?? 0),
                note: p.note,
              },
        run: prov.run(p.run_id),
      });
    }
    if (building && !inside) {
      const mine = idSet.has(p.l) ? p.l : p.r;
      const other = otherStmt.get(mine === p.l ? p.r : p.l) as Other | undefined;
      const self = otherStmt.get(mine) as Other | undefined;
      if (!other) continue;
      // The record without a unit is the building.
      const otherIsBuilding = !other.unit_number && !!self?.unit_number;
      relations.push({
        pairId: p.id,
        premiseId: mine,
        otherPremiseId: other.id,
        otherPlatformId: other.pid,
        otherOrg: other.org,
        otherAddress: other.normalized,
        relation: otherIsBuilding ? 'building' : 'unit',
        score: p.score,
        status: p.status,
        reason: building.value,
        run: prov.run(p.run_id),
      });
    }
  }

  // ───── platform ID history and the audit log ─────
  const idKeys = [
    ...new Map(
      linkedIds.map((l) => [`${l.kind}\u0000${l.platformId}`, [l.kind, l.platformId]]),
    ).values(),
  ];
  const events: Out<'audit'>['events'] = (
    db
      .prepare(
        `SELECT e.kind, e.platform_id, e.event, e.other_id, e.run_id, e.at, e.reason
         FROM json_each(?) j CROSS JOIN platform_event e
           ON e.kind = json_extract(j.value, '$[0]') AND e.platform_id = json_extract(j.value, '$[1]')
         ORDER BY e.at, e.id`,
      )
      .all(JSON.stringify(idKeys)) as {
      kind: string;
      platform_id: string;
      event: string;
      other_id: string | null;
      run_id: number | null;
      at: number;
      reason: string | null;
    }[]
  ).map((e) => ({
    kind: e.kind,
    platformId: e.platform_id,
    event: e.event,
    otherId: e.other_id,
    runId: e.run_id,
    at: iso(e.at),
    reason: e.reason,
  }));
  const log = premiseAuditLog(db, {
    platformId: resolved.platformId,
    premiseIds: ids,
    usagePoints: upRows.map((u) => ({ key: u.source_key, org: u.org })),
    customers: accRows.flatMap((a) => (a.c_key === null ? [] : [a.c_key])),
  });

  const notes: string[] = [];
  if (privacy.pii !== 'allow')
    notes.push(
      privacy.pii === 'deny'
        ? `PII (names, account numbers, addresses as written, emails, phones) is never shown to role ${opts.role}`
        : `PII is shown to role ${opts.role} only where the customer's valid consent covers it`,
    );
  if (withheldUps.size > 0)
    notes.push(
      `usage data of ${withheldUps.size} usage point(s) withheld from role ${opts.role} (no consent)`,
    );

  return {
    platformId: resolved.platformId,
    requested: resolved.requested,
    records,
    linkedIds,
    addresses,
    accounts,
    usagePoints,
    reads,
    bills,
    assets,
    programs,
    sensors,
    grid,
    relations,
    audit: {
      batches: prov.allBatches(),
      runs: prov.allRuns(),
      matches,
      events,
      log,
    },
    privacy: {
      role: opts.role,
      pii: privacy.pii,
      customerUsage: privacy.usage,
      asOf: privacy.now.toISOString().slice(0, 10),
      redactedFields: privacy.redactedFields,
      withheldUsagePoints: withheldUps.size,
      notes,
    },
  };
}

interface AuditRow {
  id: number;
  at: number;
  role: string;
  action: string;
  subject: string | null;
  details: string | null;
}

/** The subject of premise exports in the audit log. */
export const premiseSubject = (platformId: string | null, premiseIds: readonly number[]): string =>
  platformId !== null ? `premise:${platformId}` : `premise-record:${premiseIds.join(',')}`;

/**
 * Audit log rows about this premise: its own exports (subject premise:<ID>, or details naming
 * its premise rows), Green Button and other exports naming its usage points or customers, and
 * review decisions on its records.
 */
export function premiseAuditLog(
  db: Database,
  p: {
    platformId: string | null;
    premiseIds: readonly number[];
    usagePoints: readonly { key: string; org: string }[];
    customers: readonly string[];
  },
): Premise['audit']['log'] {
  const ids = new Set(p.premiseIds);
  const ups = new Map<string, Set<string>>();
  for (const u of p.usagePoints) {
    const s = ups.get(u.key) ?? new Set<string>();
    s.add(u.org);
    ups.set(u.key, s);
  }
  const customers = new Set(p.customers);
  const subject = premiseSubject(p.platformId, p.premiseIds);
  const out: Premise['audit']['log'] = [];
  for (const r of db
    .prepare(
      "SELECT id, at, role, action, subject, details FROM audit_log WHERE action IN ('export', 'review', 'privacy_decision') ORDER BY at, id",
    )
    .iterate() as IterableIterator<AuditRow>) {
    let details: unknown;
    try {
      details = r.details === null ? null : JSON.parse(r.details);
    } catch {
      details = r.details;
    }
    const d = (typeof details === 'object' && details !== null ? details : {}) as Record<
      string,
      unknown
    >;
    const strings = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    const org = typeof d.org === 'string' ? d.org : null;
    const hit =
      r.subject === subject ||
      (Array.isArray(d.premiseIds) &&
        d.premiseIds.some((x) => typeof x === 'number' && ids.has(x))) ||
      (r.action === 'review' &&
        /^premises (\d+)\/(\d+)$/.test(r.subject ?? '') &&
        (r.subject ?? '')
          .slice(9)
          .split('/')
          .some((x) => ids.has(Number(x)))) ||
      [...strings(d.usagePoints), ...strings(d.exportedUsagePoints)].some((k) => {
        const orgs = ups.get(k);
        return orgs !== undefined && (org === null || orgs.has(org));
      }) ||
      (typeof d.customer === 'string' && customers.has(d.customer));
    if (hit)
      out.push({
        id: r.id,
        at: iso(r.at),
        role: r.role,
        action: r.action,
        subject: r.subject,
        details,
      });
  }
  return out;
}
