/**
 * ULIDs made in the SDK: the reference id of every error (the id a user quotes
 * to support and an operator finds in the logs), sortable by time. Monotonic within a process, like the
 * database's generate_ulid(). Uses Web Crypto, so it runs in Node and Deno.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastMs = -1;
let lastRandom: number[] = [];

function randomDigits(): number[] {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b & 31);
}

/** A new ULID (26 characters of Crockford base32). */
export function newUlid(now: number = Date.now()): string {
  if (now <= lastMs) {
    // Same millisecond (or a clock step back): increment the random part.
    let i = 15;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i < 0) throw new Error('ULID overflow within one millisecond');
    lastRandom[i]! += 1;
  } else {
    lastMs = now;
    lastRandom = randomDigits();
  }
  let time = '';
  let ms = lastMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  return time + lastRandom.map((d) => ALPHABET[d]).join('');
}

/** The reference id attached to every SDK error. */
export const newReferenceId = (): string => newUlid();

/** True for a well-formed ULID. */
export const isUlid = (value: string): boolean => /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(value);
