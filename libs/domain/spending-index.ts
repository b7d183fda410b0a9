/**
 * The SpendingRecorded ids of one stream, the budget line each was recorded on and its record
 * date (occurredOn, as a day number): what SpendingCorrected needs to find the line it corrects and
 * to check that it is not dated before what it corrects. A city department has ~10k of them, and a
 * process that ingests a city keeps up to 2M in its write models, so this is kept out of the
 * garbage-collected heap where it can be: ids in the canonical lowercase UUID form
 * (8-4-4-4-12 hex digits, what most clients send) are stored as 128 bits in an open-addressing
 * table of typed arrays, and lines as indexes into this stream's few line names. Any other id
 * (EVENTS.md allows 1–128 characters of anything) goes to an ordinary Map, so every id is kept
 * exactly as it was written: "ABC…" and "abc…" stay different ids.
 *
 * A Map of 2M strings is ~4M heap objects that every full garbage collection marks; this is a
 * few typed arrays per stream whatever their size.
 */

const WORDS = 4;
/** Grows when more than 3/4 of the slots are used (linear probing stays short at that load). */
const MAX_LOAD = 0.75;
const FIRST_SLOTS = 16;

/** Scratch for the id being looked up (one thread: never shared between two calls in flight). */
const scratch = new Uint32Array(WORDS);

/** Reads a canonical lowercase UUID into four 32-bit words; false for any other string. */
function parseUuid(id: string, out: Uint32Array): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let nibbles = 0;
  let w = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
      continue;
    }
    let n: number;
    if (c >= 48 && c <= 57) n = c - 48;
    else if (c >= 97 && c <= 102) n = c - 87;
    else return false;
    word = (word << 4) | n;
    if (++nibbles === 8) {
      out[w++] = word >>> 0;
      word = 0;
      nibbles = 0;
    }
  }
  return true;
}

/** `k` holds WORDS (4) words. */
function hash(k: Uint32Array): number {
  let h = Math.imul(k[0] ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ k[1], 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ k[2], 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ k[3], 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SpendingIndex {
  /** WORDS words per slot. */
  private keys = new Uint32Array(0);
  /** Line index + 1 per slot; 0 marks an empty slot. */
  private values = new Uint32Array(0);
  /** Record date per slot: days since 1970-01-01. */
  private days = new Int32Array(0);
  private packed = 0;
  /** Ids that are not canonical lowercase UUIDs: line index and record day. */
  private readonly other = new Map<string, number>();
  private readonly otherDays = new Map<string, number>();
  private readonly lineNames: string[] = [];
  private readonly lineIndexes = new Map<string, number>();

  /** Ids held. */
  get size(): number {
    return this.packed + this.other.size;
  }

  /** The line `id` was recorded on, or undefined when it is not a SpendingRecorded id of this stream. */
  get(id: string): string | undefined {
    if (parseUuid(id, scratch)) {
      const slot = this.find(scratch);
      return slot < 0 || this.values[slot] === 0 ? undefined : this.lineNames[this.values[slot] - 1];
    }
    const line = this.other.get(id);
    return line === undefined ? undefined : this.lineNames[line];
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** The record date of `id` (days since 1970-01-01), or undefined when it is not held. */
  dayOf(id: string): number | undefined {
    if (parseUuid(id, scratch)) {
      const slot = this.find(scratch);
      return slot < 0 || this.values[slot] === 0 ? undefined : this.days[slot];
    }
    return this.otherDays.get(id);
  }

  /** Records (or re-records) `id` on `line`, recorded on day `day` (days since 1970-01-01). */
  set(id: string, line: string, day = 0): this {
    let index = this.lineIndexes.get(line);
    if (index === undefined) {
      index = this.lineNames.length;
      this.lineNames.push(line);
      this.lineIndexes.set(line, index);
    }
    if (!parseUuid(id, scratch)) {
      this.other.set(id, index);
      this.otherDays.set(id, day);
      return this;
    }
    if (this.packed + 1 > this.values.length * MAX_LOAD) this.grow();
    const slot = this.find(scratch);
    if (this.values[slot] === 0) {
      this.keys.set(scratch, slot * WORDS);
      this.packed++;
    }
    this.values[slot] = index + 1;
    this.days[slot] = day;
    return this;
  }

  /** The slot holding `key`, or the empty slot where it would go; -1 when there are no slots. */
  private find(key: Uint32Array): number {
    const slots = this.values.length;
    if (slots === 0) return -1;
    const mask = slots - 1;
    const keys = this.keys;
    for (let slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
      if (this.values[slot] === 0) return slot;
      const at = slot * WORDS;
      if (keys[at] === key[0] && keys[at + 1] === key[1] && keys[at + 2] === key[2] && keys[at + 3] === key[3])
        return slot;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldDays = this.days;
    const slots = Math.max(FIRST_SLOTS, oldValues.length * 2);
    this.keys = new Uint32Array(slots * WORDS);
    this.values = new Uint32Array(slots);
    this.days = new Int32Array(slots);
    const key = new Uint32Array(WORDS);
    for (let slot = 0; slot < oldValues.length; slot++) {
      if (oldValues[slot] === 0) continue;
      key.set(oldKeys.subarray(slot * WORDS, slot * WORDS + WORDS));
      const to = this.find(key);
      this.keys.set(key, to * WORDS);
      this.values[to] = oldValues[slot];
      this.days[to] = oldDays[slot];
    }
  }
}
