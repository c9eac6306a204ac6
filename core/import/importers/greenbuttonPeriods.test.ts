// Green Button readings longer than a day (billing periods) → period_usage, beside interval
// data of the same file, and how the premise explorer shows and exports them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlocks } from '../../metering/intervals';
import { QUALITY } from '../../metering/quality';
import { exportPremise } from '../../premise/export';
import { premiseUsage } from '../../premise/usage';
import { demoBench } from './demoBench';

const at = (iso: string) => Date.parse(iso) / 1000;
const UP = '/espi/1_1/resource/Subscription/5/UsagePoint/1066972800';

function entry(self: string, related: string[], content: string, up?: string): string {
  return `  <entry>
    <link rel="self" href="${self}" type="espi-entry"/>${up ? `\n    <link rel="up" href="${up}" type="espi-feed"/>` : ''}
${related.map((r) => `    <link rel="related" href="${r}" type="espi-feed"/>`).join('\n')}
    <content>${content}</content>
  </entry>`;
}

function readingType(intervalLength: number): string {
  return `<espi:ReadingType><espi:accumulationBehaviour>4</espi:accumulationBehaviour><espi:commodity>1</espi:commodity>
      <espi:flowDirection>1</espi:flowDirection><espi:intervalLength>${intervalLength}</espi:intervalLength><espi:kind>12</espi:kind>
      <espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier><espi:uom>72</espi:uom></espi:ReadingType>`;
}

function reading(start: number, duration: number, value: number, quality?: number): string {
  return `<espi:IntervalReading>${quality === undefined ? '' : `<espi:ReadingQuality><espi:quality>${quality}</espi:quality></espi:ReadingQuality>`}<espi:timePeriod><espi:duration>${duration}</espi:duration><espi:start>${start}</espi:start></espi:timePeriod><espi:value>${value}</espi:value></espi:IntervalReading>`;
}

/** A feed for UES usage point 1066972800 (the demo's CORE-01 premise): hourly Wh and monthly Wh. */
function mixedFeed(periods: string[]): string {
  const day = at('2017-10-01T04:00:00Z'); // local midnight EDT
  const hourly = Array.from({ length: 24 }, (_, i) => reading(day + i * 3600, 3600, 1000 + i));
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
${entry(UP, [`${UP}/MeterReading`], '<espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind></espi:ServiceCategory></espi:UsagePoint>')}
${entry(`${UP}/MeterReading/1`, ['/espi/1_1/resource/ReadingType/1', `${UP}/MeterReading/1/IntervalBlock`], '<espi:MeterReading/>', `${UP}/MeterReading`)}
${entry('/espi/1_1/resource/ReadingType/1', [], readingType(3600))}
${entry(`${UP}/MeterReading/2`, ['/espi/1_1/resource/ReadingType/2', `${UP}/MeterReading/2/IntervalBlock`], '<espi:MeterReading/>', `${UP}/MeterReading`)}
${entry('/espi/1_1/resource/ReadingType/2', [], readingType(2592000))}
${entry(`${UP}/MeterReading/1/IntervalBlock/1`, [], `<espi:IntervalBlock><espi:interval><espi:duration>86400</espi:duration><espi:start>${day}</espi:start></espi:interval>${hourly.join('')}</espi:IntervalBlock>`, `${UP}/MeterReading/1/IntervalBlock`)}
${entry(`${UP}/MeterReading/2/IntervalBlock/1`, [], `<espi:IntervalBlock>${periods.join('')}</espi:IntervalBlock>`, `${UP}/MeterReading/2/IntervalBlock`)}
</feed>
`;
}

// 2017-09-15 … 2017-10-15 (31 days, EDT) and 2017-10-16 … 2017-11-14 (30 days + the fall-back hour).
const P1 = { start: at('2017-09-15T04:00:00Z'), end: at('2017-10-16T04:00:00Z') };
const P2 = { start: P1.end, end: at('2017-11-15T05:00:00Z') };
const PERIODS = [
  reading(P1.start, P1.end - P1.start, 612345, 8),
  reading(P2.start, P2.end - P2.start, 580000),
];

describe('a Green Button file with hourly and monthly ReadingTypes', () => {
  it('imports both: hourly readings into interval blocks, billing periods whole into period_usage', async () => {
    const b = await demoBench();
    const o = await b.run('greenbutton', b.write('mixed.xml', mixedFeed(PERIODS)), {
      org: 'UES',
    });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 26,
      rowsAccepted: 26,
      rowsRejected: 0,
    });
    expect(o.written).toMatchObject({ readings: 24, interval_block: 1, period_readings: 2 });
    expect(
      o.findings
        .filter((f) => f.kind === 'tolerated')
        .map((f) => f.message)
        .join(),
    ).not.toMatch(/00:00 UTC/);
    // Hourly: 24 slots of 2017-10-01, 1.000 … 1.023 kWh.
    const series = b.one<number>(
      `SELECT se.id FROM series se JOIN usage_point u ON u.id = se.usage_point_id
       JOIN reading_type rt ON rt.id = se.reading_type_id WHERE u.source_key = '1066972800' AND rt.interval_seconds = 3600`,
    );
    const blocks = [...readBlocks(b.ws.db, series)].filter(
      (x) => x.start === at('2017-10-01T04:00:00Z'),
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.values[0]).toBe(1);
    expect(blocks[0]!.values[23]).toBe(1.023);
    // Monthly: stored whole, in kWh, exact; nothing of it in interval blocks.
    const rows = b.rows(
      `SELECT rt.name, rt.interval_seconds, p.start_utc, p.end_utc, p.first_date, p.last_date, p.value, p.quality
       FROM period_usage p JOIN usage_point u ON u.id = p.usage_point_id JOIN reading_type rt ON rt.id = p.reading_type_id
       WHERE u.source_key = '1066972800' ORDER BY p.start_utc`,
    );
    expect(rows).toEqual([
      {
        name: 'Electricity kWh billing period',
        interval_seconds: null,
        start_utc: P1.start,
        end_utc: P1.end,
        first_date: '2017-09-15',
        last_date: '2017-10-15',
        value: '612.345',
        quality: QUALITY.estimated,
      },
      {
        name: 'Electricity kWh billing period',
        interval_seconds: null,
        start_utc: P2.start,
        end_utc: P2.end,
        first_date: '2017-10-16',
        last_date: '2017-11-14',
        value: '580.000',
        quality: QUALITY.valid,
      },
    ]);
    expect(
      b.one(
        `SELECT count(*) FROM series se JOIN reading_type rt ON rt.id = se.reading_type_id
         WHERE rt.interval_seconds IS NULL OR rt.interval_seconds > 86400`,
      ),
    ).toBe(0);

    // A later file: the same periods are duplicates, an overlapping one is refused.
    const overlap = reading(at('2017-11-01T04:00:00Z'), 30 * 86400 + 3600, 1);
    const again = await b.run(
      'greenbutton',
      b.write('again.xml', mixedFeed([...PERIODS, overlap])),
      { org: 'UES' },
    );
    expect(again).toMatchObject({ status: 'committed', rowsAccepted: 26, rowsRejected: 1 });
    expect(again.written).toEqual({});
    expect(again.rejects[0]?.reason).toMatch(
      /usage point 1066972800, period 2017-11-01 to 2017-11-30: overlaps the period 580\.000 kWh \(valid\) for 2017-10-16 to 2017-11-14 stored by import batch \d+; periods of one usage point and reading type must not overlap/,
    );
    expect(b.one('SELECT count(*) FROM period_usage')).toBe(2);
    b.ws.close();
  });

  it('the premise usage API lists the periods (by date, privacy as for usage) and the JSON bundle carries them', async () => {
    const b = await demoBench();
    await b.run('greenbutton', b.write('mixed.xml', mixedFeed(PERIODS)), { org: 'UES' });
    const premiseId = b.one<number>(
      "SELECT premise_id FROM usage_point WHERE source_key = '1066972800'",
    );
    const u = premiseUsage(b.ws.db, { premiseId }, { role: 'analyst', granularity: 'month' });
    const mine = u.periods.filter((p) => p.key === '1066972800');
    expect(mine).toEqual([
      {
        source: 'usage_point',
        key: '1066972800',
        org: 'UES',
        commodity: 'electricity',
        readingType: 'Electricity kWh billing period',
        unit: 'kWh',
        flowDirection: 'forward',
        from: '2017-09-15',
        to: '2017-10-15',
        days: 31,
        startUtc: '2017-09-15T04:00:00.000Z',
        endUtc: '2017-10-16T04:00:00.000Z',
        value: '612.345',
        kwh: 612.345,
        therms: null,
        quality: 'estimated',
        batchId: expect.any(Number) as number,
      },
      expect.objectContaining({ from: '2017-10-16', to: '2017-11-14', days: 30, value: '580.000' }),
    ]);
    // A date range keeps the periods that overlap it.
    const late = premiseUsage(
      b.ws.db,
      { premiseId },
      { role: 'analyst', granularity: 'day', from: '2017-10-20', to: '2017-12-31' },
    );
    expect(late.periods.map((p) => p.from)).toEqual(['2017-10-16']);
    // A usage point withheld from the role (a consultant after the consents ended) shows no
    // periods either.
    const c = premiseUsage(
      b.ws.db,
      { premiseId },
      { role: 'consultant', granularity: 'month', now: new Date('2024-01-01T00:00:00Z') },
    );
    expect(c.withheld.map((w) => w.usagePoint)).toContain('1066972800');
    expect(c.periods.filter((p) => p.key === '1066972800')).toEqual([]);
    // The premise JSON bundle.
    const out = path.join(b.dir, 'premise.json');
    exportPremise(
      b.ws,
      { premiseId, what: 'record', granularity: 'day', out },
      { role: 'analyst' },
    );
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      usage: { periods: { key: string; value: string }[] };
    };
    expect(bundle.usage.periods.filter((p) => p.key === '1066972800').map((p) => p.value)).toEqual([
      '612.345',
      '580.000',
    ]);
    b.ws.close();
  });
});
