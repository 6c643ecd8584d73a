/**
 * The confounding check (model/drivers/confounding.ts): its within, between and pooled slopes, their
 * standard errors (model-based and cluster-robust), the Wald statistic and robustness values against
 * an independent numpy/scipy implementation (test/fixtures/confounding/); its flagging rates on the
 * known-truth family with and without an account-level confounder; the bias of the halo-adjusted
 * lift against the true lift; and its refusal to guess without accounts of several respondents.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import { adjustShift, checkConfounding, haloFactors, robustnessValue, type ConfoundingCheck, type ConfoundingResult } from '../../model/drivers/confounding.js';
import { standardisation } from '../../model/drivers/latent/design.js';
import { fitLatent } from '../../model/drivers/latent/fit.js';
import { LatentLayout } from '../../model/drivers/latent/layout.js';
import { linkCdf } from '../../model/drivers/latent/link.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { FAMILY_ATTRIBUTES, familyLift, familyWave, RICH, type FamilyWave } from '../support/truthFamily.js';

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function populationOf(attributes: Attribute[], columns: RespondentColumns): Population {
  const built = buildPopulation(attributes, [columns], { segmentBy: 'segment' });
  if (!built.ok) throw new Error(built.detail);
  return built.population;
}

function known(check: ConfoundingResult): ConfoundingCheck {
  if (check.risk === 'unknown') throw new Error(`unexpected unknown: ${check.reason}`);
  return check;
}

interface SeKind {
  withinSe: number[];
  betweenSe: number[];
  contrastSe: number[];
  pooledSe: number[];
  wald: number;
  robustness: number[];
}

interface MundlakFixture {
  ratings: number[][];
  account: number[];
  y: number[];
  within: number[];
  between: number[];
  pooled: number[];
  multiAccounts: number;
  multiRespondents: number;
  model: SeKind;
  cluster: SeKind;
}

describe('within and between slopes against the independent numpy/scipy fit of test/fixtures/confounding', () => {
  const f = JSON.parse(readFileSync(new URL('../fixtures/confounding/mundlak-logit.json', import.meta.url), 'utf8')) as MundlakFixture;
  const n = f.y.length;
  const k = f.ratings[0]!.length;
  const attributes: Attribute[] = Array.from({ length: k }, (_, j) => ({ name: `a${j}`, kind: 'other', scale: [0, 10] }));
  const columns: RespondentColumns = {
    size: n,
    attributes: attributes.map((a) => a.name),
    respondentId: f.y.map((_, i) => `R-${i}`),
    accountId: f.account.map((a) => `A-${a}`),
    segment: new Array<string>(n).fill('all'),
    role: new Array<string | null>(n).fill(null),
    wave: new Array<string | null>(n).fill(null),
    accountRevenue: new Float64Array(n).fill(Number.NaN),
    ltr: Uint8Array.from(f.y),
    ratings: Array.from({ length: k }, (_, j) => Float64Array.from(f.ratings, (r) => r[j]!)),
  };
  const pop = populationOf(attributes, columns);

  for (const kind of ['model', 'cluster'] as const)
    test(`${kind} standard errors: within, between and pooled slopes per rating point, their errors, the contrasts’ Wald χ² and the robustness values agree to 1e-6`, () => {
      // Prepare
      const expected = f[kind];
      // Act
      const check = known(checkConfounding(pop, { link: 'logit', shifts: [], standardErrors: kind }));
      // Assess
      expect(check.coverage.multiAccounts).toBe(f.multiAccounts);
      expect(check.coverage.multiRespondents).toBe(f.multiRespondents);
      check.attributes.forEach((a, j) => {
        expect(relative(a.within.estimate, f.within[j]!), `within ${j}`).toBeLessThan(1e-6);
        expect(relative(a.between.estimate, f.between[j]!), `between ${j}`).toBeLessThan(1e-6);
        expect(relative(a.pooled.estimate, f.pooled[j]!), `pooled ${j}`).toBeLessThan(1e-6);
        expect(relative(a.contrast.estimate, f.between[j]! - f.within[j]!), `contrast ${j}`).toBeLessThan(1e-6);
        expect(relative(a.within.stdError, expected.withinSe[j]!), `within se ${j}`).toBeLessThan(1e-6);
        expect(relative(a.between.stdError, expected.betweenSe[j]!), `between se ${j}`).toBeLessThan(1e-6);
        expect(relative(a.contrast.stdError, expected.contrastSe[j]!), `contrast se ${j}`).toBeLessThan(1e-6);
        expect(relative(a.pooled.stdError, expected.pooledSe[j]!), `pooled se ${j}`).toBeLessThan(1e-6);
        expect(relative(a.robustness, expected.robustness[j]!), `robustness ${j}`).toBeLessThan(1e-6);
        expect(a.ratio).toBeCloseTo(f.within[j]! / f.pooled[j]!, 6);
      });
      expect(relative(check.test.statistic, expected.wald)).toBeLessThan(1e-6);
      expect(check.test.df).toBe(k);
    });
});

describe('the robustness value', () => {
  test('is the golden-ratio share (√5 − 1)/2 when f = ½|t|/√dof is 1, and grows with |t|', () => {
    // f = 1: RV = ½(√(1 + 4) − 1).
    const dof = 10_000;
    expect(robustnessValue(2 * Math.sqrt(dof), dof)).toBeCloseTo((Math.sqrt(5) - 1) / 2, 14);
    expect(robustnessValue(-2 * Math.sqrt(dof), dof)).toBeCloseTo((Math.sqrt(5) - 1) / 2, 14);
    expect(robustnessValue(3, dof)).toBeGreaterThan(robustnessValue(2, dof));
    expect(robustnessValue(0, dof)).toBe(0);
  });
});

/** Waves of the rich family (role weights, curves, an interaction, normal noise, account effects). */
const SEEDS = Array.from({ length: 20 }, (_, s) => s + 1);
const N = 20_000;
interface Run {
  wave: FamilyWave;
  pop: Population;
  check: ConfoundingResult;
}
const runs = new Map<boolean, Run[]>();
function family(confounder: boolean): Run[] {
  let r = runs.get(confounder);
  if (!r) {
    r = SEEDS.map((seed) => {
      const wave = familyWave(seed, N, { ...RICH, confounder });
      const pop = populationOf(wave.attributes, wave.columns);
      return { wave, pop, check: checkConfounding(pop) };
    });
    runs.set(confounder, r);
  }
  return r;
}

describe('flagging on the known-truth family (20 seeds × 20,000 respondents each way)', () => {
  test('an account-level cause of both ratings and loyalty is flagged (some or high) in at least 90 % of seeds', () => {
    // Act
    const checks = family(true).map((r) => known(r.check));
    // Assess
    const flagged = checks.filter((c) => c.risk !== 'none').length;
    console.log(`confounded: flagged ${flagged}/${checks.length}`, checks.map((c) => `${c.risk} ρ=${c.survival.toFixed(2)} χ²=${c.test.statistic.toFixed(0)}`).join('; '));
    expect(flagged / checks.length).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  test('without one — an account random effect on loyalty independent of the ratings — the risk is none in at least 90 % of seeds', () => {
    // Act
    const checks = family(false).map((r) => known(r.check));
    // Assess
    const clean = checks.filter((c) => c.risk === 'none').length;
    console.log(`unconfounded: none ${clean}/${checks.length}`, checks.map((c) => `${c.risk} ρ=${c.survival.toFixed(3)} χ²=${c.test.statistic.toFixed(1)}`).join('; '));
    expect(clean / checks.length).toBeGreaterThanOrEqual(0.9);
  }, 60_000);
});

/**
 * A plain ordinal what-if, independent of the module: a cumulative logit on the standardised ratings
 * with segment and role shifts, and the expected NPS change when every respondent's latent score
 * moves by slope × (min(10, x + 1) − x) on one attribute.
 */
function ordinalWhatIf(pop: Population): { slopes: number[]; lift: (a: number, slope: number) => number } {
  const std = standardisation(pop.columns, pop.n);
  const z = pop.columns.map((c, j) => Float64Array.from(c, (x) => (x - std.center[j]!) / std.scale[j]!));
  const dummies = [1, 2].flatMap((g) => [Float64Array.from(pop.segment, (s) => +(s === g)), Float64Array.from(pop.role, (r) => +(r === g))]);
  const features = [...z, ...dummies];
  const F = features.length;
  const L = new LatentLayout({ T: 10, F, k: F, levels: [], ppo: false, upperFrom: 10 });
  const r = fitLatent({ n: pop.n, k: F, features, category: pop.ltr, C: 11, combo: new Uint32Array(pop.n), comboCodes: [new Uint32Array(0)] }, L, new Float64Array(L.P));
  if (!r.ok) throw new Error(r.detail);
  const v = r.fit.v;
  const eta = new Float64Array(pop.n);
  for (let f = 0; f < F; f++) for (let i = 0; i < pop.n; i++) eta[i]! += v[L.beta(f)]! * features[f]![i]!;
  // Answers 0–10 all occur at 20,000: θ₈ is the 8|9 cut, θ₆ the 6|7 cut.
  const nps = (e: number): number => 1 - linkCdf('logit', v[8]! - e) - linkCdf('logit', v[6]! - e);
  return {
    slopes: pop.columns.map((_, j) => v[L.beta(j)]! / std.scale[j]!),
    lift: (a, slope) => {
      let s = 0;
      const col = pop.columns[a]!;
      for (let i = 0; i < pop.n; i++) s += nps(eta[i]! + slope * (Math.min(10, col[i]! + 1) - col[i]!)) - nps(eta[i]!);
      return (100 * s) / pop.n;
    },
  };
}

describe('the halo-adjusted lift on confounded waves', () => {
  test('a +1 change on the top driver: the lift with each latent shift scaled by its halo factor has at most half the bias of the associational lift, on average over 20 seeds', () => {
    // Prepare
    const rows = family(true).map(({ wave, pop, check }) => {
      const c = known(check);
      const whatIf = ordinalWhatIf(pop);
      const top = whatIf.slopes.reduce((best, s, j) => (s > whatIf.slopes[best]! ? j : best), 0);
      const factors = haloFactors(c)!;
      // Act
      const truth = familyLift(wave, [{ changes: [{ attribute: FAMILY_ATTRIBUTES[top]!, op: 'add', value: 1 }] }]).lift;
      const unadjusted = whatIf.lift(top, whatIf.slopes[top]!);
      const adjusted = whatIf.lift(top, whatIf.slopes[top]! * factors[top]!);
      return { top, truth, unadjusted, adjusted, halo: factors[top]! };
    });
    // Assess
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const biasUnadjusted = mean(rows.map((r) => r.unadjusted - r.truth));
    const biasAdjusted = mean(rows.map((r) => r.adjusted - r.truth));
    const maeUnadjusted = mean(rows.map((r) => Math.abs(r.unadjusted - r.truth)));
    const maeAdjusted = mean(rows.map((r) => Math.abs(r.adjusted - r.truth)));
    console.log(
      `top-driver +1: mean true lift ${mean(rows.map((r) => r.truth)).toFixed(2)}; bias associational ${biasUnadjusted.toFixed(2)} (MAE ${maeUnadjusted.toFixed(2)}), halo-adjusted ${biasAdjusted.toFixed(2)} (MAE ${maeAdjusted.toFixed(2)})`,
      rows.map((r) => `${FAMILY_ATTRIBUTES[r.top]} true ${r.truth.toFixed(2)} assoc ${r.unadjusted.toFixed(2)} adj ${r.adjusted.toFixed(2)} (×${r.halo.toFixed(2)})`).join('; '),
    );
    expect(Math.abs(biasAdjusted)).toBeLessThanOrEqual(0.5 * Math.abs(biasUnadjusted));
    expect(maeAdjusted).toBeLessThanOrEqual(0.5 * maeUnadjusted);
  }, 60_000);
});

describe('too little within-account information', () => {
  test('a wave of single-respondent accounts is unknown, with its reason, and offers no adjustment', () => {
    // Prepare: every respondent their own account.
    const wave = familyWave(7, 4_000, { ...RICH, confounder: true });
    const pop = populationOf(wave.attributes, { ...wave.columns, accountId: wave.columns.respondentId });
    // Act
    const check = checkConfounding(pop);
    // Assess
    expect(check.risk).toBe('unknown');
    if (check.risk !== 'unknown') return;
    expect(check.reason).toMatch(/Only 0 accounts/);
    expect(check.coverage).toEqual({ accounts: pop.n, multiAccounts: 0, multiRespondents: 0, multiShare: 0 });
    expect(haloFactors(check)).toBeNull();
    expect(adjustShift(check, new Float64Array(FAMILY_ATTRIBUTES.length).fill(0.1))).toBeNull();
  });

  test('fewer than 200 accounts of two or more is unknown even when they hold a fifth of respondents', () => {
    // Prepare: 150 accounts of 8 (1,200 respondents, 30 %), everyone else alone.
    const wave = familyWave(8, 4_000, { ...RICH, confounder: true });
    const accountId = wave.columns.respondentId.map((id, i) => (i < 1_200 ? `A-${Math.floor(i / 8)}` : id));
    const pop = populationOf(wave.attributes, { ...wave.columns, accountId });
    // Act
    const check = checkConfounding(pop);
    // Assess
    expect(check.risk).toBe('unknown');
    expect(check.coverage.multiAccounts).toBe(150);
    expect(check.coverage.multiShare).toBeCloseTo(0.3, 10);
  });
});

describe('adjusting a latent shift', () => {
  test('scales each attribute’s shift by its halo factor, clamped to [0, 1.5], and refuses a shift of the wrong length', () => {
    // Prepare
    const check = known(family(true)[0]!.check);
    const delta = Float64Array.from(check.attributes, (_, j) => 0.05 * (j + 1));
    // Act
    const adjusted = adjustShift(check, delta)!;
    // Assess
    check.attributes.forEach((a, j) => {
      expect(a.haloFactor).toBe(Math.min(1.5, Math.max(0, a.within.estimate / a.pooled.estimate)));
      expect(adjusted[j]).toBeCloseTo(delta[j]! * a.haloFactor, 15);
    });
    expect(() => adjustShift(check, [0.1])).toThrow(RangeError);
  });
});
