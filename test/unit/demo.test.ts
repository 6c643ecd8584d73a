import { describe, expect, it } from 'vitest';
import { parseWave, tableFromObjects } from '../../model/dataset.js';
import { DEMO_ATTRIBUTES, demoRespondents, demoWave, type DemoRow } from '../../model/demo.js';
import { addToMix, emptyMix, npsScore, type LoyaltyMix } from '../../model/nps.js';

const NAMES = DEMO_ATTRIBUTES.map((a) => a.name);

/** Default-size waves for seeds 1..5, generated once: each is 3,000 rows over 600 accounts. */
const WAVES = new Map([1, 2, 3, 4, 5].map((seed) => [seed, demoWave({ seed }).rows]));
const wave = (seed: number): DemoRow[] => WAVES.get(seed)!;

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function npsBy(rows: readonly DemoRow[], key: (row: DemoRow) => string): Map<string, number> {
  const mixes = new Map<string, LoyaltyMix>();
  for (const row of rows) {
    const k = key(row);
    let mix = mixes.get(k);
    if (!mix) mixes.set(k, (mix = emptyMix()));
    addToMix(mix, row.ltr);
  }
  return new Map([...mixes].map(([k, mix]) => [k, npsScore(mix)!]));
}

describe('demoRespondents / demoWave', () => {
  it('gives identical rows for identical options', () => {
    // Prepare
    const options = { seed: 42, accounts: 50, respondents: 400 };

    // Act
    const first = demoWave(options);
    const second = demoWave(options);

    // Assess
    expect(second).toEqual(first);
  });

  it('gives different answers for different seeds', () => {
    // Prepare
    const a = wave(1);
    const b = wave(2);

    // Act
    const differentLtr = a.filter((row, i) => row.ltr !== b[i]!.ltr).length;

    // Assess: independent draws of a 0–10 answer agree by chance well under half the time.
    expect(differentLtr).toBeGreaterThan(a.length / 2);
  });

  it('yields exactly the requested respondents over exactly the requested accounts, with unique ids', () => {
    for (const options of [{ seed: 1 }, { seed: 9, accounts: 37, respondents: 101 }, { seed: 3, accounts: 20, respondents: 20 }]) {
      // Act
      const rows = [...demoRespondents(options)];

      // Assess
      const respondents = options.respondents ?? 3000;
      const accounts = options.accounts ?? 600;
      expect(rows).toHaveLength(respondents);
      expect(new Set(rows.map((r) => r.account_id)).size).toBe(accounts);
      expect(new Set(rows.map((r) => r.respondent_id)).size).toBe(respondents);
      for (const row of rows) {
        expect(row.account_id).toMatch(/^A-\d{5}$/);
        expect(row.respondent_id).toMatch(/^R-\d{6}$/);
      }
    }
  });

  it('surveys more contacts per account in larger segments and keeps operational users the most common role', () => {
    // Prepare
    const rows = wave(1);

    // Act
    const contacts = new Map<string, { segment: string; n: number }>();
    for (const row of rows) {
      const entry = contacts.get(row.account_id) ?? { segment: row.segment, n: 0 };
      entry.n++;
      contacts.set(row.account_id, entry);
    }
    const perAccount = (segment: string): number => {
      const ns = [...contacts.values()].filter((c) => c.segment === segment).map((c) => c.n);
      return ns.reduce((a, b) => a + b, 0) / ns.length;
    };
    const accountsIn = (segment: string): number => [...contacts.values()].filter((c) => c.segment === segment).length;
    const roleCount = (role: string): number => rows.filter((r) => r.role === role).length;

    // Assess: segments are assigned by quota (55/30/15 % of 600), contact counts vary within a segment.
    expect([accountsIn('smb'), accountsIn('mid_market'), accountsIn('enterprise')]).toEqual([330, 180, 90]);
    expect(perAccount('smb')).toBeLessThan(perAccount('mid_market'));
    expect(perAccount('mid_market')).toBeLessThan(perAccount('enterprise'));
    expect(new Set([...contacts.values()].filter((c) => c.segment === 'enterprise').map((c) => c.n)).size).toBeGreaterThan(3);
    expect(roleCount('operational_user')).toBeGreaterThan(roleCount('business_owner'));
    expect(roleCount('operational_user')).toBeGreaterThan(roleCount('gatekeeper'));
  });

  it('rates every attribute as a whole number 0–10 or leaves it blank, 2–10 % blank overall', () => {
    // Prepare
    const rows = wave(1);
    let blank = 0;

    // Act / Assess
    for (const row of rows) {
      expect(Number.isInteger(row.ltr) && row.ltr >= 0 && row.ltr <= 10).toBe(true);
      for (const name of NAMES) {
        const v = row[name];
        if (v === null) blank++;
        else expect(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10, `${name}=${String(v)}`).toBe(true);
      }
    }
    const share = blank / (rows.length * NAMES.length);
    expect(share).toBeGreaterThanOrEqual(0.02);
    expect(share).toBeLessThanOrEqual(0.1);
  });

  it('leaves billing_accuracy blank far more often for operational users, who never see an invoice', () => {
    // Prepare: generated rate 20 %; with ~1,600 operational users the sd of the share is ~1 point.
    const users = wave(1).filter((r) => r.role === 'operational_user');

    // Act
    const share = users.filter((r) => r.billing_accuracy === null).length / users.length;

    // Assess
    expect(share).toBeGreaterThan(0.14);
    expect(share).toBeLessThan(0.26);
  });

  it('keeps account_revenue constant within an account, with segment medians smb < mid_market < enterprise', () => {
    // Prepare
    const rows = wave(1);

    // Act
    const revenueOf = new Map<string, { segment: string; revenue: number }>();
    for (const row of rows) {
      const seen = revenueOf.get(row.account_id);
      if (seen) expect(row.account_revenue).toBe(seen.revenue);
      else revenueOf.set(row.account_id, { segment: row.segment, revenue: row.account_revenue });
    }
    const medianOf = (segment: string): number =>
      median([...revenueOf.values()].filter((a) => a.segment === segment).map((a) => a.revenue));

    // Assess: generated medians 25k, 180k, 1.5M with log-sd ≤ 0.7, so a 600-account sample lands well
    // within a factor 1.5 of each.
    expect(Number.isInteger(rows[0]!.account_revenue)).toBe(true);
    expect(medianOf('smb')).toBeGreaterThan(25_000 / 1.5);
    expect(medianOf('smb')).toBeLessThan(25_000 * 1.5);
    expect(medianOf('mid_market')).toBeGreaterThan(medianOf('smb'));
    expect(medianOf('enterprise')).toBeGreaterThan(medianOf('mid_market'));
  });

  it('keeps the same accounts when only the survey size changes', () => {
    // Prepare
    const small = demoWave({ seed: 5, accounts: 40, respondents: 40 }).rows;
    const large = demoWave({ seed: 5, accounts: 40, respondents: 400 }).rows;

    // Act
    const traits = (rows: DemoRow[]): Map<string, string> =>
      new Map(rows.map((r) => [r.account_id, `${r.segment}:${r.account_revenue}`]));

    // Assess
    expect(traits(large)).toEqual(traits(small));
  });

  it('puts overall NPS between −10 and +40 for seeds 1..5, like a real B2B wave', () => {
    for (const seed of WAVES.keys()) {
      // Act
      const mix = emptyMix();
      for (const row of wave(seed)) addToMix(mix, row.ltr);
      const nps = npsScore(mix)!;

      // Assess
      expect(nps, `seed ${seed}`).toBeGreaterThanOrEqual(-10);
      expect(nps, `seed ${seed}`).toBeLessThanOrEqual(40);
    }
  });

  it('gives segments NPS several points apart, smb lowest and enterprise highest', () => {
    for (const seed of WAVES.keys()) {
      // Act
      const nps = npsBy(wave(seed), (r) => r.segment);

      // Assess: designed gap smb → enterprise ≈ 19 points; seed-to-seed sd per segment ≈ 3–4 points.
      expect(nps.get('enterprise')! - nps.get('smb')!, `seed ${seed}`).toBeGreaterThan(5);
      expect(Math.max(...nps.values()) - Math.min(...nps.values())).toBeGreaterThan(5);
    }
  });

  it('correlates attribute pairs mostly between 0.2 and 0.8 (on respondents who answered both)', () => {
    // Prepare
    const rows = wave(1);
    const correlations: number[] = [];

    // Act
    for (let i = 0; i < NAMES.length; i++)
      for (let j = i + 1; j < NAMES.length; j++) {
        const x: number[] = [];
        const y: number[] = [];
        for (const row of rows) {
          const a = row[NAMES[i]!];
          const b = row[NAMES[j]!];
          if (typeof a === 'number' && typeof b === 'number') {
            x.push(a);
            y.push(b);
          }
        }
        correlations.push(pearson(x, y));
      }

    // Assess: "mostly" = at least 90 % of the 36 pairs; none negative or near-collinear.
    const inRange = correlations.filter((r) => r >= 0.2 && r <= 0.8).length;
    expect(correlations).toHaveLength(36);
    expect(inRange / correlations.length).toBeGreaterThanOrEqual(0.9);
    for (const r of correlations) expect(r).toBeGreaterThan(0);
    for (const r of correlations) expect(r).toBeLessThan(0.9);
  });

  it('makes ltr rise with the mean attribute rating (r > 0.4)', () => {
    // Prepare
    const rows = wave(1);

    // Act
    const meanRating = rows.map((row) => {
      const answered = NAMES.map((n) => row[n]).filter((v): v is number => typeof v === 'number');
      return answered.reduce((a, b) => a + b, 0) / answered.length;
    });
    const r = pearson(
      rows.map((row) => row.ltr),
      meanRating,
    );

    // Assess
    expect(r).toBeGreaterThan(0.4);
  });

  it('produces rows that parseWave accepts as a valid upload with the demo attributes', () => {
    // Prepare
    const { rows, attributes } = demoWave({ seed: 2, accounts: 30, respondents: 120, wave: '2026-03-31' });

    // Act
    const parsed = parseWave(tableFromObjects(rows), { described: attributes });

    // Assess
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.columns.size).toBe(120);
      expect(parsed.attributes).toEqual(DEMO_ATTRIBUTES);
      expect(new Set(parsed.columns.wave)).toEqual(new Set(['2026-03-31']));
    }
  });

  it('rejects impossible options when called, not at the first row', () => {
    expect(() => demoRespondents({ seed: 1, accounts: 10, respondents: 9 })).toThrow(RangeError);
    expect(() => demoRespondents({ seed: 1, accounts: 0 })).toThrow(RangeError);
    expect(() => demoRespondents({ seed: 1, accounts: 2.5 })).toThrow(RangeError);
    expect(() => demoRespondents({ seed: 1, wave: '30/09/2026' })).toThrow(RangeError);
  });
});
