import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeUtf8, invalidUtf8Lines } from '../../functions/http/utf8.js';
import { missingMatcher, parseWave } from '../../model/dataset.js';
import { keyed, keyProblem, own, textProblem, userRecord } from '../../model/text.js';

describe('the text rule', () => {
  it('refuses controls, invisible formatting and lone surrogates, naming the character and where', () => {
    expect(textProblem('Q3\u0000wave')).toBe('contains U+0000 (NUL) at position 3; control and invisible formatting characters are not allowed');
    expect(textProblem('a\u202Eb')).toContain('U+202E (RIGHT-TO-LEFT OVERRIDE) at position 2');
    expect(textProblem('x\u0085')).toContain('U+0085 (NEL)');
    expect(textProblem('\ud800x')).toContain('lone surrogate U+D800 at position 1');
    expect(textProblem('x\udc00')).toContain('lone surrogate U+DC00');
    for (const bad of ['\u0007', '\u001b[0m', '\u007f', '\n', '\r', '\t', '\u2028', '\u2029', '\ufeff', '\u200e', '\u2066']) expect(textProblem(`a${bad}b`), JSON.stringify(bad)).not.toBeNull();
  });

  it('accepts every script, emoji and joiners, and tab or newline where a field allows them', () => {
    for (const ok of ['ñandú', 'Zürich AG', '東京', 'مرحبا', 'नमस्ते', '👩‍👩‍👧', '🚀', 'a\u200cb', '\u200b', '0', '']) expect(textProblem(ok), ok).toBeNull();
    expect(textProblem('a\tb', { tab: true })).toBeNull();
    expect(textProblem('line 1\r\nline 2', { newline: true })).toBeNull();
    expect(textProblem('a\tb', { newline: true })).not.toBeNull();
  });

  it('agrees with a statement of the rule in Unicode properties, for any string', () => {
    const rule = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (s) => {
        expect(textProblem(s) !== null).toBe(rule.test(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses __proto__ as a key and nothing else that is clean text', () => {
    expect(keyProblem('__proto__')).toMatch(/reserved/);
    for (const name of ['constructor', 'prototype', 'toString', '__proto__x', 'hasOwnProperty']) expect(keyProblem(name)).toBeNull();
  });
});

describe('records keyed by user names', () => {
  it('have no prototype, and lookups read own properties only', () => {
    const r = keyed([['constructor', 1], ['toString', 2]] as const);
    expect(Object.getPrototypeOf(r)).toBeNull();
    expect(own(r, 'constructor')).toBe(1);
    expect(own({ a: 1 } as Record<string, number>, 'toString')).toBeUndefined();
    expect(own({ a: 1 } as Record<string, number>, 'hasOwnProperty')).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r))).toEqual({ constructor: 1, toString: 2 });
  });

  it('a request record naming __proto__ is refused at its path, where zod alone drops it', () => {
    const body = JSON.parse('{"__proto__": 5, "smb": 1}');
    expect(z.record(z.string(), z.number()).parse(body)).toEqual({ smb: 1 }); // the silent drop
    const out = userRecord(z.string(), z.number()).safeParse(body);
    expect(out.success).toBe(false);
    expect(out.error!.issues.map((i) => i.path)).toEqual([['__proto__']]);
    expect(userRecord(z.string(), z.number()).parse(JSON.parse('{"constructor": 2}'))).toEqual({ constructor: 2 });
  });
});

describe('a wave’s names', () => {
  const wave = (segment: string, role = 'gk', attribute = 'q') =>
    parseWave({ columns: ['respondent_id', 'account_id', 'segment', 'role', 'ltr', attribute], rows: [{ row: 1, line: 2, cells: ['r1', 'A', segment, role, '9', '5'] }] });

  it('refuses __proto__ as a segment, role or attribute with a row or column error, and keeps constructor', () => {
    const seg = wave('__proto__');
    expect(!seg.ok && seg.errors.map((e) => [e.row, e.column])).toEqual([[1, 'segment']]);
    const role = wave('smb', '__proto__');
    expect(!role.ok && role.errors.map((e) => [e.row, e.column])).toEqual([[1, 'role']]);
    const attr = wave('smb', 'gk', '__proto__');
    expect(!attr.ok && attr.errors.map((e) => [e.row, e.column])).toEqual([[null, '__proto__']]);
    const fine = wave('constructor', 'toString', 'constructor');
    expect(fine.ok && [fine.columns.segment, fine.columns.role, fine.attributes.map((a) => a.name)]).toEqual([['constructor'], ['toString'], ['constructor']]);
  });
});

describe('missing-value codes', () => {
  it('match numbers numerically and words without regard to case or spaces', () => {
    const m = missingMatcher([-99, 'N/A', "Don't know", '999']);
    for (const hit of [-99, '-99', ' -99.0 ', 'n/a', " DON'T KNOW ", 999, '999']) expect(m(hit), String(hit)).toBe(true);
    for (const miss of [99, '99', 'NA', '', null, undefined, 5]) expect(m(miss), String(miss)).toBe(false);
    expect(missingMatcher(undefined)('-99')).toBe(false);
  });
});

describe('UTF-8', () => {
  it('the line finder agrees with a strict decoder on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(invalidUtf8Lines(bytes).length === 0).toBe(decodeUtf8(bytes) !== null);
      }),
      { numRuns: 5000 },
    );
  });

  it('names the first bad byte of each bad line', () => {
    const bytes = new Uint8Array([0x61, 0x0a, 0x62, 0xed, 0xa0, 0x80, 0x0a, 0x63, 0x0a, 0xc3]);
    expect(invalidUtf8Lines(bytes)).toEqual([
      { line: 2, offset: 1, byte: 0xed },
      { line: 4, offset: 0, byte: 0xc3 },
    ]);
  });
});
