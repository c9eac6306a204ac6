import { describe, expect, it } from 'vitest';
import { normalizeAddress, tokenize, type AddressInput, type NormalizedAddress } from './address';

type Case = [input: string | AddressInput, normalized: string, parts?: Partial<NormalizedAddress>];

/**
 * Real-world variants as utilities, vendors and spreadsheets write them. Exported so the parser
 * comparison in docs/indexing.md can be re-measured on exactly this set.
 */
export const CASES: Case[] = [
  // Without commas, a trailing state is trusted when the street ends before a city word.
  [
    '55 North Main Street Unit 2 Concord NH',
    '55 N MAIN ST UNIT 2, CONCORD NH',
    { city: 'CONCORD', state: 'NH', unitType: 'UNIT', unitNumber: '2' },
  ],
  ['1 St Anselm Drive Manchester NH', '1 SAINT ANSELM DR, MANCHESTER NH', { city: 'MANCHESTER' }],
  ['12 Main Ct', '12 MAIN CT', { suffix: 'CT', state: '' }],
  // Titles opening a street name are spelled out; a street named "St" alone stays.
  ['1 Saint Anselm Dr, Manchester', '1 SAINT ANSELM DR, MANCHESTER'],
  ['7 Mt. Washington Hwy', '7 MOUNT WASHINGTON HWY', { streetName: 'MOUNT WASHINGTON' }],
  // A unit written before the street belongs to the address.
  ['Apt 4, 10 Elm St', '10 ELM ST APT 4', { unitType: 'APT', unitNumber: '4', warnings: [] }],
  // Building and apartment together name the unit.
  [
    '10 Elm St Bldg 2 Apt 4',
    '10 ELM ST BLDG 2 APT 4',
    { unitType: 'BLDG', unitNumber: '2 APT 4', streetKey: '10 ELM ST' },
  ],
  // The demo's three styles for one premise.
  [
    '74 N SING ST APT 2, CONCORD NH 03301',
    '74 N SING ST APT 2, CONCORD NH 03301',
    {
      houseNumber: '74',
      predirectional: 'N',
      streetName: 'SING',
      suffix: 'ST',
      unitType: 'APT',
      unitNumber: '2',
      city: 'CONCORD',
      state: 'NH',
      zip5: '03301',
      streetKey: '74 N SING ST',
    },
  ],
  ['74 North Sing Street, Unit 2', '74 N SING ST UNIT 2', { unitType: 'UNIT', unitNumber: '2' }],
  [
    '74 N. Sing St. #2',
    '74 N SING ST # 2',
    { unitType: '#', unitNumber: '2', streetKey: '74 N SING ST' },
  ],
  [
    '74 N SING ST APT 2 CONCORD NH 03301',
    '74 N SING ST APT 2, CONCORD NH 03301',
    { city: 'CONCORD' },
  ],
  [
    '74 north sing street apartment 2, Concord, New Hampshire 03301',
    '74 N SING ST APT 2, CONCORD NH 03301',
  ],
  ['74  N   Sing  St,  Apt #2 ,Concord NH', '74 N SING ST APT 2, CONCORD NH', { zip5: '' }],
  [
    '74 N Sing St, Concord, NH, 03301-1234',
    '74 N SING ST, CONCORD NH 03301-1234',
    { zip4: '1234' },
  ],
  ['74 N Sing St, Concord NH 033011234', '74 N SING ST, CONCORD NH 03301-1234'],
  // Typos stay typos: the matcher, not the normaliser, decides that SNIG ≈ SING.
  ['74 N Snig St Apt 2', '74 N SNIG ST APT 2', { streetName: 'SNIG' }],
  ['74 N Sing Stret', '74 N SING STRET', { streetName: 'SING STRET', suffix: '' }],
  ['47 N Sing St, Concord', '47 N SING ST, CONCORD'],
  // Pembroke NH streets.
  [
    '12 Pembroke St, Pembroke, NH 03275',
    '12 PEMBROKE ST, PEMBROKE NH 03275',
    { streetName: 'PEMBROKE' },
  ],
  ['12 PEMBROKE STREET PEMBROKE NH 03275', '12 PEMBROKE ST, PEMBROKE NH 03275'],
  [
    '215 Fourth Range Road, Pembroke NH',
    '215 4TH RANGE RD, PEMBROKE NH',
    { streetName: '4TH RANGE', suffix: 'RD' },
  ],
  ['215 4th Range Rd', '215 4TH RANGE RD'],
  ['8 Third Range Rd', '8 3RD RANGE RD'],
  [
    '101 Sheep Davis Rd, Pembroke, NH 03275',
    '101 SHEEP DAVIS RD, PEMBROKE NH 03275',
    { streetName: 'SHEEP DAVIS' },
  ],
  ['101 Sheep-Davis Road', '101 SHEEP DAVIS RD'],
  ['33 Borough Rd, Pembroke NH 03275', '33 BOROUGH RD, PEMBROKE NH 03275'],
  ['7 Cross Country Rd', '7 CROSS COUNTRY RD', { streetName: 'CROSS COUNTRY', suffix: 'RD' }],
  [
    '500 Route 3, Pembroke NH 03275',
    '500 ROUTE 3, PEMBROKE NH 03275',
    { streetName: 'ROUTE 3', suffix: '' },
  ],
  ['500 Rte 3', '500 ROUTE 3'],
  ['500 RT 3 Unit 4', '500 ROUTE 3 UNIT 4', { unitNumber: '4' }],
  ['500 Rte. 3, Suite 200', '500 ROUTE 3 STE 200', { unitType: 'STE', unitNumber: '200' }],
  ['12 US Hwy 3', '12 US HIGHWAY 3', { streetName: 'US HIGHWAY 3' }],
  ['9 County Road 12', '9 COUNTY ROAD 12'],
  ['44 Pembroke Hill Rd', '44 PEMBROKE HILL RD', { streetName: 'PEMBROKE HILL', suffix: 'RD' }],
  // Missing leading zero (spreadsheet-mangled ZIPs in New England) is repaired and flagged.
  ['12 Pembroke St, Pembroke NH 3275', '12 PEMBROKE ST, PEMBROKE NH 03275'],
  ['12 Pembroke St, Pembroke NH 3275-1234', '12 PEMBROKE ST, PEMBROKE NH 03275-1234'],
  // PO boxes.
  ['P.O. Box 12', 'PO BOX 12', { poBox: '12', streetKey: 'PO BOX 12' }],
  ['PO Box 12, Pembroke NH 03275', 'PO BOX 12, PEMBROKE NH 03275'],
  ['POB 12', 'PO BOX 12'],
  ['Post Office Box 12', 'PO BOX 12'],
  ['P O Box #12', 'PO BOX 12'],
  ['BOX 12 PEMBROKE NH 03275', 'PO BOX 12, PEMBROKE NH 03275'],
  // Rural routes.
  ['RR 2 Box 5', 'RR 2 BOX 5', { ruralRoute: '2', poBox: '5' }],
  ['Rural Route 2', 'RR 2', { ruralRoute: '2', poBox: '' }],
  ['Rural Route 2 Box 5, Chichester NH 03258', 'RR 2 BOX 5, CHICHESTER NH 03258'],
  ['R.R. 2, Box 5', 'RR 2 BOX 5'],
  // Directionals and the "directional is the name" cases.
  ['12 North Rd', '12 NORTH RD', { predirectional: '', streetName: 'NORTH', suffix: 'RD' }],
  ['12 N Main', '12 N MAIN', { predirectional: 'N', streetName: 'MAIN' }],
  ['12 N Main St', '12 N MAIN ST'],
  ['12 Main St North', '12 MAIN ST N', { postdirectional: 'N' }],
  ['12 Southwest Blvd', '12 SOUTHWEST BLVD', { streetName: 'SOUTHWEST' }],
  ['12 Northeast Pkwy Apt 1', '12 NORTHEAST PKWY APT 1'],
  [
    '1600 Pennsylvania Avenue NW, Washington, DC 20500',
    '1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500',
  ],
  ['12 Broadway East', '12 BROADWAY E', { postdirectional: 'E', streetName: 'BROADWAY' }],
  ['12 E West St', '12 E WEST ST', { predirectional: 'E', streetName: 'WEST' }],
  // Suffixes (C1) and names that contain suffix words.
  ['5 Park Avenue', '5 PARK AVE', { streetName: 'PARK', suffix: 'AVE' }],
  ['5 Park Av', '5 PARK AVE'],
  ['5 Court St', '5 COURT ST'],
  ['5 Oak Ct', '5 OAK CT', { state: '' }],
  ['5 Elm Ln', '5 ELM LN'],
  ['5 Maple Lane', '5 MAPLE LN'],
  ['5 Ridge Drive', '5 RIDGE DR'],
  ['5 Lake Shore Dr', '5 LAKE SHORE DR'],
  ['5 Glen Hill Circle', '5 GLEN HILL CIR'],
  ['5 Ocean Boulevard', '5 OCEAN BLVD'],
  ['5 Fox Run', '5 FOX RUN'],
  ['5 Liberty Way', '5 LIBERTY WAY'],
  ['5 Appalachian Trail', '5 APPALACHIAN TRL'],
  ['5 Market Square', '5 MARKET SQ'],
  ['5 Main St Extension', '5 MAIN ST EXT', { streetName: 'MAIN ST', suffix: 'EXT' }],
  ['5 Garden Terrace', '5 GARDEN TER'],
  ['5 Mill Pond Place', '5 MILL POND PL'],
  ['5 Everett Tpke', '5 EVERETT TPKE'],
  ['5 Merrimack Pkwy', '5 MERRIMACK PKWY'],
  ['5 Daniel Webster Highway', '5 DANIEL WEBSTER HWY'],
  ['5 Pine Lot Rd', '5 PINE LOT RD', { unitType: '' }],
  ['5 First St', '5 1ST ST', { streetName: '1ST' }],
  ['5 Twelfth Ave', '5 12TH AVE'],
  // "&" and "and".
  ['5 Sheep & Davis Rd', '5 SHEEP AND DAVIS RD'],
  // Secondary units (C2).
  ['5 Main St Apt #2', '5 MAIN ST APT 2'],
  ['5 Main St, Apt. 2B', '5 MAIN ST APT 2B', { unitNumber: '2B' }],
  ['5 Main St Suite 100', '5 MAIN ST STE 100'],
  ['5 Main St 2nd floor', '5 MAIN ST FL 2', { unitType: 'FL', unitNumber: '2' }],
  ['5 Main St, Second Floor', '5 MAIN ST FL 2'],
  ['5 Main St Fl 3', '5 MAIN ST FL 3'],
  ['5 Main St Rm 12', '5 MAIN ST RM 12'],
  ['5 Main St Bldg C', '5 MAIN ST BLDG C'],
  ['5 Main St Rear', '5 MAIN ST REAR', { unitType: 'REAR', unitNumber: '' }],
  ['5 Main St Front', '5 MAIN ST FRNT'],
  ['5 Main St Upper', '5 MAIN ST UPPR'],
  ['5 Main St Lower', '5 MAIN ST LOWR'],
  ['5 Main St Basement', '5 MAIN ST BSMT'],
  ['5 Front St', '5 FRONT ST', { unitType: '', streetName: 'FRONT' }],
  ['5 Main St Lot 14', '5 MAIN ST LOT 14'],
  ['5 Main St Trailer 7', '5 MAIN ST TRLR 7'],
  ['5 Main St Dept 4', '5 MAIN ST DEPT 4'],
  ['5 Main St Space 9', '5 MAIN ST SPC 9'],
  ['5 Main St 2', '5 MAIN ST # 2'],
  ['5 Main St #2-B', '5 MAIN ST # 2-B'],
  // House numbers.
  ['12 1/2 Main St', '12 1/2 MAIN ST', { houseNumber: '12 1/2' }],
  ['12-14 Main St', '12-14 MAIN ST', { houseNumber: '12-14' }],
  ['12A Main St', '12A MAIN ST', { houseNumber: '12A' }],
  // Structured input.
  [
    { line1: '74 N Sing St Apt 2', city: 'concord', state: 'New Hampshire', zip: '3301' },
    '74 N SING ST APT 2, CONCORD NH 03301',
  ],
  [
    { line1: '12 Pembroke Street', city: 'Pembroke', state: 'nh', zip: '03275-0001' },
    '12 PEMBROKE ST, PEMBROKE NH 03275-0001',
  ],
  [{ line1: 'PO Box 7', state: 'Maine' }, 'PO BOX 7, ME'],
  // States and territories.
  ['1 Calle Luna, San Juan, Puerto Rico 00901', '1 CALLE LUNA, SAN JUAN PR 00901'],
  ['1 Main St, Charleston, West Virginia 25301', '1 MAIN ST, CHARLESTON WV 25301'],
  ['1 Main St, Burlington, Vt. 05401', '1 MAIN ST, BURLINGTON VT 05401'],
];

describe('normalizeAddress', () => {
  it('has a substantial real-world test set', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)('%j → %s', (input, normalized, parts) => {
    const result = normalizeAddress(input);
    expect(result.normalized).toBe(normalized);
    if (parts) expect(result).toMatchObject(parts);
  });

  it('flags a ZIP whose leading zero was dropped', () => {
    const result = normalizeAddress('12 Pembroke St, Pembroke NH 3275');
    expect(result.zip5).toBe('03275');
    expect(result.warnings).toContain('zip missing leading zero: 3275');
  });

  it('does not pad short ZIPs outside zero-prefixed states', () => {
    const result = normalizeAddress('1 Main St, Austin TX 7870');
    expect(result.zip5).toBe('7870');
    expect(result.warnings[0]).toMatch(/invalid zip/);
  });

  it('gives units of one building the same street key', () => {
    const keys = [
      '74 N SING ST APT 2',
      '74 North Sing Street, Unit 3',
      '74 N. Sing St. #4',
      '74 N Sing St Rear',
    ].map((a) => normalizeAddress(a).streetKey);
    expect(new Set(keys)).toEqual(new Set(['74 N SING ST']));
  });

  it('splits a designator glued to its number, and only before a digit', () => {
    const glued = normalizeAddress('23 W. Buck Ave. Apt9, Concord NH 03301');
    expect([glued.unitType, glued.unitNumber, glued.city]).toEqual(['APT', '9', 'CONCORD']);
    expect(normalizeAddress('88 Oak Ave Ste201').normalized).toBe('88 OAK AVE STE 201');
    expect(normalizeAddress('12 Main APT2B').normalized).toBe('12 MAIN APT 2B');
    // A word that merely starts like a designator stays a word.
    expect(normalizeAddress('5 Unity Rd').streetName).toBe('UNITY');
    expect(normalizeAddress('5 Lotus Ln').streetName).toBe('LOTUS');
  });

  it('keeps the tokenizer rules: dropped periods and apostrophes, #, &, ½ and hyphens', () => {
    expect(tokenize("12½ O'Neil St., Apt #2 & Rear")).toEqual([
      ['12', '1/2', 'ONEIL', 'ST'],
      ['APT', '#', '2', 'AND', 'REAR'],
    ]);
    expect(tokenize('Sheep-Davis Rd 03275-1234 --12-')).toEqual([
      ['SHEEP', 'DAVIS', 'RD', '03275-1234', '12'],
    ]);
  });

  it('is idempotent on its own output', () => {
    for (const [input] of CASES) {
      const once = normalizeAddress(input).normalized;
      expect(normalizeAddress(once).normalized).toBe(once);
    }
  });
});
