/**
 * Identifiers that sort by creation time (like ULIDs), so "newest first" listings are a plain key
 * order in DynamoDB, with 80 random bits so they cannot be guessed across tenants.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** A new id such as `ds_01jd3v4k8m2a7q9x0c5t6w1r3e`: prefix, 10 time characters, 16 random ones. */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (const b of bytes) random += ALPHABET[b & 31];
  return `${prefix}_${time}${random}`;
}
