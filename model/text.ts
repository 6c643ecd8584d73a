/**
 * Text a user gives Liftcast — names, labels, descriptions, and the segments, roles, accounts and
 * attributes their data names — under one rule, so that whatever is accepted can be stored, shown,
 * exported and used as a key without surprise:
 *
 * - **no control or invisible-formatting characters**: C0 controls (NUL … US; tab only where a
 *   field allows it), DEL, C1 controls (U+0080–U+009F, U+0085 NEL among them), the bidirectional
 *   overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+061C, U+200E, U+200F) that make a
 *   name display as something else, the line and paragraph separators U+2028/U+2029, the byte
 *   order mark U+FEFF, and lone UTF-16 surrogates (not text at all; they cannot be encoded as
 *   UTF-8);
 * - **`__proto__` is not a name**: it is the one string that a JavaScript object cannot hold as an
 *   ordinary key (assigning it replaces the object's prototype, and zod's records drop it), so a
 *   segment, role, account or attribute called `__proto__` would vanish from every JSON answer
 *   keyed by it, in Liftcast and in its clients. It is refused with a 400 naming the field; every
 *   other string (`constructor`, `toString`, digits only, any script) is an ordinary key, and
 *   {@link own} / {@link keyed} keep lookups on such records to own properties.
 */
import { z } from 'zod';

/** The one key no JSON object can carry safely through JavaScript. */
export const RESERVED_KEY = '__proto__';

export interface TextRule {
  /** Allow tab (U+0009): descriptions, not names. @default false */
  tab?: boolean;
  /** Allow line feed and carriage return (multi-line descriptions). @default false */
  newline?: boolean;
}

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BS',
  0x09: 'TAB',
  0x0a: 'LF',
  0x0d: 'CR',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x85: 'NEL',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0xfeff: 'BYTE ORDER MARK',
};

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
const describe = (code: number): string => (NAMES[code] ? `${hex(code)} (${NAMES[code]})` : hex(code));

function forbidden(code: number, rule: TextRule): boolean {
  if (code === 0x09) return !rule.tab;
  if (code === 0x0a || code === 0x0d) return !rule.newline;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0xfeff
  );
}

/**
 * Why `text` breaks the text rule (the first offending character and its position), or `null`.
 * A fast scan: plain text costs one comparison per UTF-16 unit.
 *
 * @example
 * textProblem('Q3\u0000wave'); // "contains U+0000 (NUL) at position 3"
 */
export function textProblem(text: string, rule: TextRule = {}): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) continue;
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `contains a lone surrogate ${hex(code)} at position ${i + 1}: not valid Unicode text`;
    }
    if (forbidden(code, rule)) return `contains ${describe(code)} at position ${i + 1}; control and invisible formatting characters are not allowed`;
  }
  return null;
}

/** Why `name` cannot name a segment, role, account, attribute or id, or `null`. */
export function keyProblem(name: string): string | null {
  if (name === RESERVED_KEY) return `'${RESERVED_KEY}' is reserved: JavaScript objects cannot hold it as a key, so it would vanish from answers keyed by it; rename it`;
  return textProblem(name);
}

/**
 * A zod string under the text rule (names: no tab or newline; descriptions may allow them).
 * Trimming, lengths and any pattern are the caller's, chained before this.
 */
export function safeText<S extends z.ZodString>(schema: S, rule: TextRule = {}) {
  return schema.superRefine((value, ctx) => {
    const problem = textProblem(value, rule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** A string that names something users key by: the text rule, and not {@link RESERVED_KEY}. */
export function safeKey<S extends z.ZodString>(schema: S) {
  return schema.superRefine((value, ctx) => {
    const problem = keyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** Whether `value` has `key` as an own property (never an inherited one such as `constructor`). */
export function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/**
 * `record[key]` when `key` is an own property, else `undefined`: a record keyed by user names must
 * not answer `record['toString']` with `Object.prototype.toString`.
 */
export function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A record keyed by user names, without a prototype: `constructor` or `toString` are ordinary keys
 * in it, and nothing is inherited. Entries keep their order.
 */
export function keyed<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/**
 * A zod record keyed by user names. zod's own records skip a `__proto__` key without a word; this
 * one reports it at its path, so a request naming it is refused (400) instead of losing it.
 */
export function userRecord<K extends z.ZodType<string>, V extends z.ZodType>(key: K, value: V) {
  return z.preprocess((input, ctx) => {
    if (typeof input === 'object' && input !== null && hasOwn(input, RESERVED_KEY))
      ctx.addIssue({ code: 'custom', path: [RESERVED_KEY], message: keyProblem(RESERVED_KEY)!, input });
    return input;
  }, z.record(key, value));
}
