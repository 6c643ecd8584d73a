import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sliceColumns } from '../../functions/store/chunkCodec.js';
import { parseWave, tableFromObjects } from '../../model/dataset.js';
import { summarize } from '../../model/summary.js';

describe('dataset summary', () => {
  it('is the same whether a wave is summarised whole or chunk by chunk', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ltr: fc.integer({ min: 0, max: 10 }),
            segment: fc.constantFrom('smb', 'ent'),
            role: fc.constantFrom('gatekeeper', null),
            account: fc.integer({ min: 0, max: 9 }),
            q: fc.option(fc.integer({ min: 0, max: 10 })),
          }),
          { minLength: 1, maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 20 }),
        (rows, chunk) => {
          const parsed = parseWave(tableFromObjects(rows.map((r, i) => ({ respondent_id: `r${i}`, account_id: `A${r.account}`, segment: r.segment, role: r.role, ltr: r.ltr, q: r.q }))));
          if (!parsed.ok) throw new Error('invalid');
          const whole = summarize(parsed.attributes, [parsed.columns]);
          const parts = [];
          for (let s = 0; s < parsed.columns.size; s += chunk) parts.push(sliceColumns(parsed.columns, s, Math.min(parsed.columns.size, s + chunk)));
          const pieced = summarize(parsed.attributes, parts);
          expect(pieced.nps).toEqual(whole.nps);
          expect(pieced.accounts).toBe(whole.accounts);
          expect(pieced.attributes[0]!.answeredShare).toBe(whole.attributes[0]!.answeredShare);
          if (whole.attributes[0]!.mean === null) expect(pieced.attributes[0]!.mean).toBeNull();
          else expect(pieced.attributes[0]!.mean).toBeCloseTo(whole.attributes[0]!.mean, 12);
          expect(whole.nps.score).toBeGreaterThanOrEqual(-100);
          expect(whole.nps.score).toBeLessThanOrEqual(100);
        },
      ),
    );
  });
});
