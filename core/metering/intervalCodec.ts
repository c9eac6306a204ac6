// Compact, lossless encoding of one interval block (one series × local day).
//
// Values are scaled to integers by the smallest power of ten that makes every value exact
// (measured data is decimal: 1.2345 kWh → 12345 at scale 4), stored as offsets from the
// block's minimum (frame of reference) with one fixed byte width per block. Each slot then
// decodes on its own — (base + offset) / 10^scale — so plain SQL (the interval_reading view)
// reads any slot without a running sum and SQLite can push filters into the view, while
// hourly kWh data costs about 2 bytes a reading. Values that no scale ≤ 12 represents exactly
// fall back to float64 (width 8).
// Quality is a run-length list: (first slot u16, code u8) per run; NULL when all valid.

import { QUALITY } from './quality';

export { QUALITY, QUALITY_NAMES, type QualityCode, type QualityName } from './quality';

export interface EncodedBlock {
  scale: number;
  /** Frame of reference: the block's smallest scaled integer (0 for float64 blocks). */
  base: number;
  width: number;
  vals: Buffer;
  quality: Buffer | null;
  total: number;
  /** The block's peak (see blockPeak); null when every slot is missing or failed. */
  peak: number | null;
  peakSlot: number | null;
  peakQuality: number | null;
}

export interface BlockPeak {
  /** The largest value among slots that are neither missing nor failed. */
  peak: number;
  /** The first slot holding that value, and its quality code. */
  slot: number;
  quality: number;
}

/**
 * The peak of a block: the largest value among its slots whose quality is neither missing nor
 * failed, at the first slot holding it; null when there is no such slot. NaN values are never
 * a peak. Stored per block (interval_block.peak, peak_slot, peak_quality: migration 7) so daily
 * and monthly peaks need no decode.
 */
export function blockPeak(
  values: ArrayLike<number>,
  quality: ArrayLike<number> | null | undefined,
  count = values.length,
): BlockPeak | null {
  let slot = -1;
  let peak = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    if (slot >= 0 ? !(v > peak) : v !== v) continue;
    if (quality) {
      const q = quality[i] as number;
      if (q === QUALITY.missing || q === QUALITY.failed) continue;
    }
    slot = i;
    peak = v;
  }
  if (slot < 0) return null;
  return { peak, slot, quality: quality ? (quality[slot] as number) : QUALITY.valid };
}

const MAX_SCALE = 12;
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

function isExactAt(values: ArrayLike<number>, scale: number): boolean {
  const p = POW10[scale] as number;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const n = Math.round(v * p);
    if (!Number.isSafeInteger(n) || n / p !== v) return false;
  }
  return true;
}

/** Smallest decimal scale at which every value is an exact integer, or -1 if none ≤ 12. */
export function chooseScale(values: ArrayLike<number>): number {
  for (let s = 0; s <= MAX_SCALE; s++) if (isExactAt(values, s)) return s;
  return -1;
}

/** Bytes needed for offsets up to `max`: 0 when all equal, 8 (float64) beyond 6 bytes. */
function byteWidth(max: number): number {
  if (max === 0) return 0;
  let w = 1;
  while (w < 6 && max >= 2 ** (8 * w)) w++;
  return max < 2 ** (8 * w) ? w : 8;
}

/** Encode one block. `quality[i]` is a normalised quality code; missing slots hold value 0. */
export function encodeBlock(values: ArrayLike<number>, quality?: ArrayLike<number>): EncodedBlock {
  const count = values.length;
  if (count > 0xffff) throw new RangeError(`a block holds at most 65535 slots, got ${count}`);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const q = quality ? (quality[i] as number) : 0;
    if (q !== QUALITY.missing) total += values[i] as number;
  }
  const qual = encodeQuality(quality, count);
  const best = blockPeak(values, quality);
  const peak = {
    peak: best?.peak ?? null,
    peakSlot: best?.slot ?? null,
    peakQuality: best?.quality ?? null,
  };
  const scale = chooseScale(values);
  if (scale >= 0) {
    const p = POW10[scale] as number;
    const ints = new Array<number>(count);
    let base = Infinity;
    let top = -Infinity;
    for (let i = 0; i < count; i++) {
      const n = Math.round((values[i] as number) * p);
      ints[i] = n;
      if (n < base) base = n;
      if (n > top) top = n;
    }
    if (count === 0) base = top = 0;
    const width = Number.isSafeInteger(top - base) ? byteWidth(top - base) : 8;
    if (width !== 8) {
      const vals = Buffer.allocUnsafe(count * width);
      for (let i = 0; i < count && width > 0; i++) {
        vals.writeUIntBE((ints[i] as number) - base, i * width, width);
      }
      return { scale, base, width, vals, quality: qual, total, ...peak };
    }
  }
  const vals = Buffer.allocUnsafe(count * 8);
  for (let i = 0; i < count; i++) vals.writeDoubleBE(values[i] as number, i * 8);
  return { scale: 0, base: 0, width: 8, vals, quality: qual, total, ...peak };
}

function encodeQuality(quality: ArrayLike<number> | undefined, count: number): Buffer | null {
  if (!quality) return null;
  const runs: number[] = [];
  let prev = -1;
  for (let i = 0; i < count; i++) {
    const q = quality[i] as number;
    if (q !== prev) {
      runs.push(i, q);
      prev = q;
    }
  }
  if (runs.length === 0 || (runs.length === 2 && runs[1] === QUALITY.valid)) return null;
  const buf = Buffer.allocUnsafe((runs.length / 2) * 3);
  for (let r = 0; r < runs.length; r += 2) {
    buf.writeUInt16BE(runs[r] as number, (r / 2) * 3);
    buf.writeUInt8(runs[r + 1] as number, (r / 2) * 3 + 2);
  }
  return buf;
}

export interface DecodedBlock {
  values: Float64Array;
  quality: Uint8Array;
}

export function decodeBlock(
  count: number,
  scale: number,
  base: number,
  width: number,
  vals: Uint8Array,
  quality: Uint8Array | null,
): DecodedBlock {
  const values = new Float64Array(count);
  decodeValuesInto(count, scale, base, width, vals, values);
  return { values, quality: decodeQuality(count, quality) };
}

/**
 * Decode a block's values into `out[0..count)` (no allocation: scans of many blocks reuse one
 * array). Same arithmetic as the encoder's inverse: (base + offset) / 10^scale.
 */
export function decodeValuesInto(
  count: number,
  scale: number,
  base: number,
  width: number,
  vals: Uint8Array,
  out: Float64Array,
  at = 0,
): void {
  if (width === 8) {
    const view = new DataView(vals.buffer, vals.byteOffset + at, count * 8);
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, false);
    return;
  }
  const p = POW10[scale] as number;
  if (width === 0) {
    out.fill(base / p, 0, count);
  } else if (width === 1) {
    for (let i = 0; i < count; i++) out[i] = (base + (vals[at + i] as number)) / p;
  } else if (width === 2) {
    for (let i = 0, j = at; i < count; i++, j += 2)
      out[i] = (base + (vals[j] as number) * 256 + (vals[j + 1] as number)) / p;
  } else {
    for (let i = 0, j = at; i < count; i++) {
      let off = 0;
      for (let k = 0; k < width; k++, j++) off = off * 256 + (vals[j] as number);
      out[i] = (base + off) / p;
    }
  }
}

/** decodeQuality of `quality[at .. at + len)` into `out[0..count)` (no allocation). */
export function decodeQualityInto(
  count: number,
  quality: Uint8Array | null,
  out: Uint8Array,
  at = 0,
  len = quality ? quality.length - at : 0,
): void {
  out.fill(0, 0, count);
  if (!quality || len <= 0) return;
  const runs = len / 3;
  for (let r = 0; r < runs; r++) {
    const j = at + r * 3;
    const first = ((quality[j] as number) << 8) | (quality[j + 1] as number);
    const code = quality[j + 2] as number;
    const next =
      r + 1 < runs ? ((quality[j + 3] as number) << 8) | (quality[j + 4] as number) : count;
    out.fill(code, first, next);
  }
}

export function decodeQuality(count: number, quality: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(count);
  if (!quality) return out;
  const runs = quality.length / 3;
  for (let r = 0; r < runs; r++) {
    const first = ((quality[r * 3] as number) << 8) | (quality[r * 3 + 1] as number);
    const code = quality[r * 3 + 2] as number;
    const next =
      r + 1 < runs
        ? ((quality[(r + 1) * 3] as number) << 8) | (quality[(r + 1) * 3 + 1] as number)
        : count;
    out.fill(code, first, next);
  }
  return out;
}
