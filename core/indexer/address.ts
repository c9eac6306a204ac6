/**
 * US address normalisation following USPS Publication 28. Pure: no I/O, no Node imports, so the
 * indexer can run it in the worker, the CLI and the renderer alike.
 *
 * The parser is token based and deliberately conservative: it standardises what Pub 28 defines
 * (suffixes, directionals, unit designators, states, ZIPs, PO boxes, rural routes, numbered
 * streets) and leaves everything else, including typos, exactly as written — fuzzy matching is
 * the matcher's job, and silently "correcting" a street name here would hide evidence from it.
 */
import {
  DIRECTIONALS,
  HIGHWAY_WORDS,
  LEADING_ZERO_ZIP_STATES,
  ORDINAL_WORDS,
  STATES,
  STREET_SUFFIXES,
  UNIT_DESIGNATORS,
  UNITS_WITHOUT_NUMBER,
} from './usps';

export interface AddressInput {
  line1: string;
  city?: string;
  state?: string;
  zip?: string;
}

/** Parsed, standardised address. Absent parts are '' so consumers can compare without null checks. */
export interface NormalizedAddress {
  houseNumber: string;
  predirectional: string;
  streetName: string;
  suffix: string;
  postdirectional: string;
  unitType: string;
  unitNumber: string;
  city: string;
  state: string;
  zip5: string;
  zip4: string;
  poBox: string;
  ruralRoute: string;
  /** One canonical string, e.g. "74 N SING ST APT 2, CONCORD NH 03301". */
  normalized: string;
  /** House number + directionals + street name + suffix, without unit: building-level key. */
  streetKey: string;
  /** Repairs and doubts worth showing a reviewer (padded ZIP, ignored second unit, …). */
  warnings: string[];
}

type Parts = Omit<NormalizedAddress, 'normalized' | 'streetKey'>;

const HOUSE_NUMBER = /^\d+[A-Z]?(?:-\d*[A-Z0-9]+)?$/;
const FRACTION = /^\d\/\d$/;
const NUMERIC_ORDINAL = /^(\d+)(?:ST|ND|RD|TH)$/;
const FLOOR_WORDS = new Set(['FLOOR', 'FL', 'FLR']);
const GLUED_UNIT = /^([A-Z]{2,9})(\d[A-Z0-9]*)$/;
const PO_BOX =
  /^(?:P ?O ?(?:BOX|B)|POBOX|POST OFFICE BOX|POST OFFICE|BOX|PO DRAWER|DRAWER) (?:# )?([A-Z0-9-]+)(.*)$/;
const RURAL_ROUTE =
  /^(?:RR|R R|RURAL ROUTE|RURAL RTE|RURAL RT|RFD|RD RTE) (?:# )?(\d+)(?: (?:BOX|BX) (?:# )?([A-Z0-9-]+))?(.*)$/;

export function normalizeAddress(raw: string | AddressInput): NormalizedAddress {
  const input: AddressInput = typeof raw === 'string' ? { line1: raw } : raw;
  const parts = emptyParts();
  const segments = tokenize(input.line1);
  const leftover =
    segments.length > 1 ? parseSegments(segments, parts) : parseSingle(segments[0] ?? [], parts);
  if (!parts.city && leftover.length > 0) parts.city = leftover.join(' ');
  applyFields(input, parts);
  // Built field by field: an object spread of the parts costs more than the whole parse.
  return {
    houseNumber: parts.houseNumber,
    predirectional: parts.predirectional,
    streetName: parts.streetName,
    suffix: parts.suffix,
    postdirectional: parts.postdirectional,
    unitType: parts.unitType,
    unitNumber: parts.unitNumber,
    city: parts.city,
    state: parts.state,
    zip5: parts.zip5,
    zip4: parts.zip4,
    poBox: parts.poBox,
    ruralRoute: parts.ruralRoute,
    warnings: parts.warnings,
    normalized: render(parts),
    streetKey: streetKey(parts),
  };
}

function emptyParts(): Parts {
  return {
    houseNumber: '',
    predirectional: '',
    streetName: '',
    suffix: '',
    postdirectional: '',
    unitType: '',
    unitNumber: '',
    city: '',
    state: '',
    zip5: '',
    zip4: '',
    poBox: '',
    ruralRoute: '',
    warnings: [],
  };
}

/**
 * Upper-cases and strips punctuation, keeping only what carries meaning: commas (they separate
 * street / city / state), "#" (a unit), "/" (half numbers) and hyphens inside numbers ("12-14",
 * ZIP+4). Returns comma segments, each a list of tokens.
 */
export function tokenize(text: string): string[][] {
  // One pass over the characters (this runs for every record of an index run): letters, digits,
  // '/' and '-' build tokens; '.', apostrophes vanish; '#', '&' (AND) and '½' (1/2) are tokens of
  // their own; ',' ends a segment; anything else separates tokens.
  const upper = text.toUpperCase();
  const segments: string[][] = [];
  let tokens: string[] = [];
  let start = -1;
  let tok = '';
  const flush = (end: number): void => {
    if (start >= 0) tok += upper.slice(start, end);
    if (tok) pushToken(tokens, tok);
    tok = '';
    start = -1;
  };
  for (let i = 0; i < upper.length; i++) {
    const c = upper.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 47 || c === 45) {
      if (start < 0) start = i;
    } else if (c === 46 || c === 39 || c === 0x2019) {
      // Dropped inside a word: "ST." → ST, "O'NEIL" → ONEIL.
      if (start >= 0) tok += upper.slice(start, i);
      start = -1;
    } else if (c === 44) {
      flush(i);
      if (tokens.length > 0) segments.push(tokens);
      tokens = [];
    } else if (c === 35 || c === 38) {
      flush(i);
      tokens.push(c === 35 ? '#' : 'AND');
    } else if (c === 0xbd) {
      flush(i);
      tok = '1/2';
    } else flush(i);
  }
  flush(upper.length);
  if (tokens.length > 0) segments.push(tokens);
  return segments;
}

/** "Sheep-Davis" is two words; "12-14" and "03275-1234" are single numbers. */
function pushToken(tokens: string[], token: string): void {
  if (!token.includes('-')) {
    tokens.push(token);
    return;
  }
  if (/\d/.test(token)) {
    const trimmed = token.replace(/^-+|-+$/g, '');
    if (trimmed) tokens.push(trimmed);
    return;
  }
  for (const part of token.split('-')) if (part) tokens.push(part);
}

/** Comma-separated input: street segment, optional unit segments, then city / state / ZIP. */
function parseSegments(segments: string[][], parts: Parts): string[] {
  const streetIdx = Math.max(0, segments.findIndex(looksLikeDeliveryLine));
  // "APT 4, 10 ELM ST": a unit written first still belongs to the address; other words before
  // the street (a c/o line, a business name) are dropped and reported.
  const before = segments.slice(0, streetIdx);
  const unitsBefore = before.filter((segment) => startsUnit(segment, 0));
  const dropped = before.filter((segment) => !startsUnit(segment, 0));
  if (dropped.length > 0)
    parts.warnings.push(`ignored before street: ${dropped.map((t) => t.join(' ')).join(', ')}`);
  const street = [...(segments[streetIdx] ?? [])];
  for (const segment of unitsBefore) street.push(...segment);
  const tail: string[] = [];
  for (const segment of segments.slice(streetIdx + 1)) {
    // "RR 2, BOX 5": the box belongs to the route, not to the city line.
    const routeBox = segment[0] === 'BOX' && RURAL_ROUTE.test(street.join(' '));
    if (startsUnit(segment, 0) || routeBox) street.push(...segment);
    else tail.push(...segment);
  }
  const cityTokens = extractStateZip(tail, parts, false);
  parts.city = cityTokens.join(' ');
  return parseDeliveryLine(street, parts);
}

/**
 * One string without commas: state and ZIP are trusted at the end when a ZIP anchors them. A
 * trailing state without a ZIP ("… MAIN ST CONCORD NH") is taken only when the street then
 * ends before a city word; "12 MAIN CT" stays a court, not Connecticut.
 */
function parseSingle(tokens: string[], parts: Parts): string[] {
  const rest = extractStateZip(tokens, parts, true);
  if (!parts.state && !parts.zip5) {
    const state = matchStateAt(rest, rest.length);
    if (state && rest.length - state.length >= 3) {
      const trial = emptyParts();
      const city = parseDeliveryLine(rest.slice(0, rest.length - state.length), trial);
      if (city.length > 0 && (trial.suffix || trial.unitType || trial.poBox || trial.ruralRoute)) {
        Object.assign(parts, trial, { state: state.code });
        return city;
      }
    }
  }
  return parseDeliveryLine(rest, parts);
}

function looksLikeDeliveryLine(tokens: string[]): boolean {
  if (HOUSE_NUMBER.test(tokens[0] ?? '')) return true;
  const joined = tokens.join(' ');
  return (
    (mayBePoBox(tokens) && PO_BOX.test(joined)) || (mayBeRoute(tokens) && RURAL_ROUTE.test(joined))
  );
}

/** Cheap first-letter checks before the PO box and rural route expressions. */
function mayBePoBox(tokens: string[]): boolean {
  const c = tokens[0]?.charCodeAt(0);
  return c === 80 /* P */ || c === 66 /* B */ || c === 68; /* D */
}

function mayBeRoute(tokens: string[]): boolean {
  return tokens[0]?.charCodeAt(0) === 82; /* R */
}

/**
 * Removes a trailing "STATE ZIP" from tokens. In strict mode (no commas, so the tail may still be
 * street) a state is accepted only in front of a ZIP: "12 MAIN CT" is a court, not Connecticut.
 */
function extractStateZip(tokens: string[], parts: Parts, strict: boolean): string[] {
  let end = tokens.length;
  const zipToken = /^\d{3,9}(?:-\d{3,4})?$/.test(tokens[end - 1] ?? '')
    ? tokens[end - 1]
    : undefined;
  if (zipToken !== undefined) end--;
  const state = matchStateAt(tokens, end);
  const zipOk =
    zipToken !== undefined && (state || !strict || plausibleBareZip(tokens, end, zipToken));
  if (!zipOk) end = tokens.length;
  if (state && (zipOk || !strict)) {
    parts.state = state.code;
    end -= state.length;
  }
  if (zipOk && zipToken !== undefined) setZip(zipToken, parts);
  return tokens.slice(0, end);
}

/** Without a state, accept a ZIP only after a word (a city), never after "BOX" or a unit. */
function plausibleBareZip(tokens: string[], end: number, zip: string): boolean {
  const prev = tokens[end - 1] ?? '';
  const digits = zip.replace('-', '');
  return (
    (digits.length === 5 || digits.length === 9) &&
    end >= 3 &&
    /^[A-Z]+$/.test(prev) &&
    !['BOX', 'RR', 'ROUTE', 'RTE', 'RT', 'HWY', 'HIGHWAY'].includes(prev) &&
    !UNIT_DESIGNATORS.has(prev)
  );
}

/** Last words of the state names of two or more words (HAMPSHIRE, ISLAND, …). */
const MULTI_WORD_STATE_ENDS = new Set(
  [...STATES.keys()].filter((k) => k.includes(' ')).map((k) => k.slice(k.lastIndexOf(' ') + 1)),
);

/** Longest state name (1–4 words) ending just before `end`. */
function matchStateAt(tokens: string[], end: number): { code: string; length: number } | undefined {
  const last = tokens[end - 1];
  if (last === undefined) return undefined;
  if (MULTI_WORD_STATE_ENDS.has(last)) {
    for (let len = Math.min(4, end); len >= 2; len--) {
      const code = STATES.get(tokens.slice(end - len, end).join(' '));
      if (code) return { code, length: len };
    }
  }
  const code = STATES.get(last);
  return code ? { code, length: 1 } : undefined;
}

/** ZIP or ZIP+4, padding a dropped leading zero for states whose ZIPs start with 0. */
function setZip(token: string, parts: Parts): void {
  let digits = token.replace('-', '');
  const short =
    digits.length === 3 || digits.length === 4 || digits.length === 7 || digits.length === 8;
  if (short && LEADING_ZERO_ZIP_STATES.has(parts.state)) {
    digits = digits.padStart(digits.length > 5 ? 9 : 5, '0');
    parts.warnings.push(`zip missing leading zero: ${token}`);
  } else if (digits.length !== 5 && digits.length !== 9) {
    parts.warnings.push(`invalid zip: ${token}`);
    parts.zip5 = token;
    return;
  }
  parts.zip5 = digits.slice(0, 5);
  parts.zip4 = digits.slice(5);
}

/** PO box, rural route or street address; returns the tokens it could not place. */
function parseDeliveryLine(tokens: string[], parts: Parts): string[] {
  if (!mayBePoBox(tokens) && !mayBeRoute(tokens)) return parseStreet(tokens, parts);
  const joined = tokens.join(' ');
  const rr = RURAL_ROUTE.exec(joined);
  if (rr) {
    parts.ruralRoute = rr[1] ?? '';
    parts.poBox = rr[2] ?? '';
    return words(rr[3]);
  }
  const box = PO_BOX.exec(joined);
  if (box) {
    parts.poBox = box[1] ?? '';
    return words(box[2]);
  }
  return parseStreet(tokens, parts);
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(' ').filter(Boolean);
}

function parseStreet(tokens: string[], parts: Parts): string[] {
  let i = 0;
  if (HOUSE_NUMBER.test(tokens[0] ?? '')) {
    parts.houseNumber = tokens[0] ?? '';
    i = 1;
    if (FRACTION.test(tokens[1] ?? '')) {
      parts.houseNumber += ` ${tokens[1]}`;
      i = 2;
    }
  }
  const body = tokens.slice(i);
  let k = 0;
  if (isPredirectional(body)) {
    parts.predirectional = DIRECTIONALS.get(body[0] ?? '') ?? '';
    k = 1;
  }
  const name: string[] = [];
  for (; k < body.length; k++) {
    const token = body[k] ?? '';
    if (name.length > 0 && startsUnit(body, k)) break;
    const suffix = STREET_SUFFIXES.get(token);
    if (name.length > 0 && suffix && endsStreetAt(body, k)) {
      parts.suffix = suffix;
      k++;
      break;
    }
    name.push(token);
  }
  const post = DIRECTIONALS.get(body[k] ?? '');
  if (post && name.length > 0 && (k + 1 >= body.length || startsUnit(body, k + 1))) {
    parts.postdirectional = post;
    k++;
  } else if (!parts.suffix && name.length > 1 && DIRECTIONALS.has(name.at(-1) ?? '')) {
    // "BROADWAY EAST": with no suffix, a trailing directional is a postdirectional.
    parts.postdirectional = DIRECTIONALS.get(name.pop() ?? '') ?? '';
  }
  parts.streetName = canonicalName(name);
  return parseUnits(body.slice(k), parts);
}

/**
 * "N MAIN ST": N is a predirectional. "NORTH RD": NORTH is the street name — a directional
 * followed only by the suffix (or nothing, or a unit) is the name itself.
 */
function isPredirectional(body: string[]): boolean {
  if (!DIRECTIONALS.has(body[0] ?? '') || body.length < 2) return false;
  if (startsUnit(body, 1)) return false;
  return !(STREET_SUFFIXES.has(body[1] ?? '') && endsStreetAt(body, 1));
}

/**
 * A suffix word ends the street unless another suffix follows ("GLEN HILL RD", "PARK AVE EXT")
 * or it names a numbered highway ("US HWY 3", "COUNTY RD 12").
 */
function endsStreetAt(body: string[], k: number): boolean {
  const next = body[k + 1];
  if (next === undefined) return true;
  if (HIGHWAY_WORDS.has(body[k] ?? '') && /^\d+[A-Z]?$/.test(next)) return false;
  if (startsUnit(body, k + 1)) return true;
  return !STREET_SUFFIXES.has(next);
}

/** Ordinal words to numerals ("FOURTH" → "4TH") and highway words spelled out ("RTE 3" → "ROUTE 3"). */
function canonicalName(name: string[]): string {
  return name
    .map((token, idx) => {
      const highway = HIGHWAY_WORDS.get(token);
      if (highway && /^\d+[A-Z]?$/.test(name[idx + 1] ?? '')) return highway;
      // "ST ANSELM" and "SAINT ANSELM" are one street: the abbreviation is spelled out when it
      // opens a name of two or more words (so "ST" alone, a street named St, stays).
      const title = idx === 0 && name.length > 1 ? NAME_TITLES.get(token) : undefined;
      return title ?? ORDINAL_WORDS.get(token) ?? token;
    })
    .join(' ');
}

/** Abbreviated titles that open street names, spelled out (SAINT, MOUNT, FORT). */
const NAME_TITLES: ReadonlyMap<string, string> = new Map([
  ['ST', 'SAINT'],
  ['MT', 'MOUNT'],
  ['MOUNT', 'MOUNT'],
  ['FT', 'FORT'],
]);

function ordinalNumber(token: string): string | undefined {
  const numeric = NUMERIC_ORDINAL.exec(token)?.[1];
  if (numeric) return numeric;
  const word = ORDINAL_WORDS.get(token);
  return word ? NUMERIC_ORDINAL.exec(word)?.[1] : undefined;
}

/**
 * A designator glued to its number, as CIS extracts often write units: "APT2B" → APT 2B,
 * "STE101" → STE 101. Only before a digit, so words such as "UNITY" or "LOTUS" stay words.
 */
function gluedUnit(token: string): { type: string; number: string } | undefined {
  const m = GLUED_UNIT.exec(token);
  if (!m) return undefined;
  const type = UNIT_DESIGNATORS.get(m[1] ?? '');
  if (!type || UNITS_WITHOUT_NUMBER.has(type)) return undefined;
  return { type, number: m[2] ?? '' };
}

/** Does a secondary unit start at tokens[k]? Used to stop the street name scan. */
function startsUnit(tokens: string[], k: number): boolean {
  const token = tokens[k] ?? '';
  const next = tokens[k + 1];
  if (token === '#') return next !== undefined;
  if (gluedUnit(token)) return true;
  if (ordinalNumber(token) && FLOOR_WORDS.has(next ?? '')) return true;
  const designator = UNIT_DESIGNATORS.get(token);
  if (!designator) return false;
  if (UNITS_WITHOUT_NUMBER.has(designator)) return next === undefined || /\d/.test(next);
  // "PINE LOT RD" is a street; a designator needs something that looks like a unit number.
  return next !== undefined && (next === '#' || /\d/.test(next) || /^[A-Z]$/.test(next));
}

/** Reads secondary units after the street; the first one wins, later ones are reported. */
function parseUnits(tokens: string[], parts: Parts): string[] {
  const leftover: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const unit = readUnit(tokens, k);
    if (!unit) {
      leftover.push(tokens[k] ?? '');
      continue;
    }
    if (parts.unitType) {
      // "BLDG 2 APT 4": both parts identify the unit (APT 4 of BLDG 2 is not APT 4 of BLDG 3),
      // so the second joins the unit number; Pub 28 would print one designator only.
      parts.unitNumber = join([parts.unitNumber, unit.type, unit.number]);
      parts.warnings.push(`two units: ${parts.unitType} ${parts.unitNumber}`);
    } else {
      parts.unitType = unit.type;
      parts.unitNumber = unit.number;
    }
    k += unit.consumed - 1;
  }
  return leftover;
}

function readUnit(
  tokens: string[],
  k: number,
): { type: string; number: string; consumed: number } | undefined {
  const token = tokens[k] ?? '';
  const next = tokens[k + 1] ?? '';
  const floor = ordinalNumber(token);
  if (floor && FLOOR_WORDS.has(next)) return { type: 'FL', number: floor, consumed: 2 };
  if (token === '#' && next) return { type: '#', number: next, consumed: 2 };
  const glued = gluedUnit(token);
  if (glued) return { ...glued, consumed: 1 };
  const designator = UNIT_DESIGNATORS.get(token);
  if (designator) {
    const skipHash = next === '#' ? 1 : 0;
    const number = tokens[k + 1 + skipHash] ?? '';
    if (UNITS_WITHOUT_NUMBER.has(designator) && !/\d/.test(number)) {
      return { type: designator, number: '', consumed: 1 };
    }
    return { type: designator, number: ordinalNumber(number) ?? number, consumed: 2 + skipHash };
  }
  // A bare number after the street ("MAIN ST 2") is a unit of unknown kind: Pub 28 writes "#".
  if (/\d/.test(token) && k === 0) return { type: '#', number: token, consumed: 1 };
  return undefined;
}

/** Separate city / state / ZIP fields override whatever the free text suggested. */
function applyFields(input: AddressInput, parts: Parts): void {
  if (input.city?.trim()) parts.city = cityField(input.city);
  if (input.state?.trim()) {
    const state = input.state.trim().toUpperCase().replace(/\./g, '');
    parts.state = STATES.get(state) ?? state;
  }
  if (input.zip?.trim()) {
    parts.zip4 = '';
    setZip(input.zip.trim().replace(/\s+/g, ''), parts);
  }
}

/** City fields repeat across thousands of records: their tokenised form is cached. */
const cityCache = new Map<string, string>();

function cityField(city: string): string {
  let out = cityCache.get(city);
  if (out === undefined) {
    out = (tokenize(city)[0] ?? []).join(' ');
    if (cityCache.size >= 10_000) cityCache.clear();
    cityCache.set(city, out);
  }
  return out;
}

function deliveryLine(p: Parts): string {
  if (p.ruralRoute) return join(['RR', p.ruralRoute, p.poBox && `BOX ${p.poBox}`]);
  if (p.poBox && !p.streetName) return `PO BOX ${p.poBox}`;
  return join([streetKey(p), p.unitType, p.unitNumber]);
}

function streetKey(p: Parts): string {
  if (p.ruralRoute) return join(['RR', p.ruralRoute, p.poBox && `BOX ${p.poBox}`]);
  if (p.poBox && !p.streetName) return `PO BOX ${p.poBox}`;
  return join([p.houseNumber, p.predirectional, p.streetName, p.suffix, p.postdirectional]);
}

function render(p: Parts): string {
  const zip = p.zip4 ? `${p.zip5}-${p.zip4}` : p.zip5;
  const lastLine = join([p.city, p.state, zip]);
  return [deliveryLine(p), lastLine].filter(Boolean).join(', ');
}

function join(values: string[]): string {
  return values.filter(Boolean).join(' ');
}
