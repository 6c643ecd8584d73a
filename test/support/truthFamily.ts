/**
 * A family of known-truth B2B survey waves, richer than any model Liftcast fits, to test forecasts
 * against: respondents in accounts (1–10 each) inside segments, in roles; correlated ratings; a
 * latent loyalty score cut at ten thresholds into the 0–10 answer. Every feature is switchable and
 * its parameters are drawn per seed, so what is tested is the method, not one case:
 *
 *     y* = α_s + ρ_r + Σ_a w_{s,a} · m_{r,a} · g_a(x_a) + γ · (x_p − μ_p)(x_q − μ_q) + v_j + κ·u_j + ε
 *
 * - segment-specific weights w_{s,a}; role multipliers m_{r,a} ∈ [0.4, 2] on a random subset of
 *   attributes inside each segment (`roleWeights`);
 * - curved effects g_a: diminishing returns above a random knot, or a floor below which
 *   dissatisfaction bites twice as hard, on one to three attributes (`curves`);
 * - one pairwise interaction of random sign and size between two random attributes (`interaction`);
 * - noise ε logistic, normal or skewed (a centred Gumbel) (`noise`);
 * - an account effect v_j ~ N(0, σ_v²), σ_v ∈ [0.2, 0.6] (`accountEffect`);
 * - an account-level cause u_j ~ N(0, 1) that raises both the ratings (λ_a·u_j) and the loyalty
 *   (κ·u_j): a confounder, what a cross-sectional model cannot tell from a driver (`confounder`);
 * - ratings x_a = round(μ_a + λ_a·f_j + η_a·h_i + σ_a·e), clamped to the 0–10 scale, with an account
 *   factor f_j and a personal halo h_i whose loadings are drawn so that correlations span 0.35–0.85;
 *   5 % of answers are blank (the truth still knows them).
 *
 * The true effect of an initiative keeps every respondent's noise, account effect and confounder and
 * changes only the ratings it touches: exactly "the same people, with better experiences".
 */
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import type { Change, Target } from '../../model/drivers/contract.js';
import { createRng, type Rng } from '../../model/rng.js';

export const FAMILY_SEGMENTS = ['smb', 'mid_market', 'enterprise'] as const;
export const FAMILY_ROLES = ['gatekeeper', 'business_owner', 'operational_user'] as const;
export const FAMILY_ATTRIBUTES = [
  'reliability',
  'ease_of_use',
  'support',
  'onboarding',
  'account_management',
  'value_for_money',
  'billing',
  'delivery',
  'product_range',
  'communication',
] as const;

export type NoiseKind = 'logistic' | 'normal' | 'skewed';

export interface FamilyFeatures {
  roleWeights: boolean;
  curves: boolean;
  interaction: boolean;
  noise: NoiseKind;
  accountEffect: boolean;
  confounder: boolean;
  /** Share of answers left blank (default 0.05). */
  blanks?: number;
}

/** Everything at once: what real B2B waves have. */
export const RICH: FamilyFeatures = { roleWeights: true, curves: true, interaction: true, noise: 'normal', accountEffect: true, confounder: false };
/** Only what today's per-segment model assumes (segment weights, logistic noise): the "simple truth". */
export const SIMPLE: FamilyFeatures = { roleWeights: false, curves: false, interaction: false, noise: 'logistic', accountEffect: false, confounder: false };
/** Role-specific weights inside segments, with normal noise and account effects (the case issue 13 reported). */
export const ROLES: FamilyFeatures = { roleWeights: true, curves: false, interaction: false, noise: 'normal', accountEffect: true, confounder: false };

/** The named families the accuracy sweeps run (`npm run accuracy`, test/unit/familyAccuracy.test.ts). */
export const FAMILIES = {
  simple: SIMPLE,
  roles: ROLES,
  rich: RICH,
  'rich, skewed noise': { ...RICH, noise: 'skewed' },
} as const satisfies Record<string, FamilyFeatures>;
export type FamilyName = keyof typeof FAMILIES;

const THRESHOLDS = [-4, -3.4, -2.9, -2.4, -1.9, -1.3, -0.7, 0, 0.9, 1.9];

/** The drawn truth of one seed: every parameter, so a test can report what it faced. */
export interface FamilyTruth {
  features: FamilyFeatures;
  weights: number[][]; // [segment][attribute], latent units per rating point
  roleMultipliers: number[][]; // [role][attribute]
  segmentShift: number[];
  roleShift: number[];
  curves: { attribute: number; kind: 'saturate' | 'floor'; knot: number }[];
  interaction: { a: number; b: number; gamma: number } | null;
  accountSd: number;
  confounder: { kappa: number; loadings: number[] } | null;
  means: number[];
}

export interface FamilyWave {
  truth: FamilyTruth;
  attributes: Attribute[];
  /** What the survey shows (blanks as NaN). */
  columns: RespondentColumns;
  /** The ratings as they are, blanks included. */
  ratings: Float64Array[];
  /** The latent score without the rating terms: α_s + ρ_r + v_j + κ·u_j + ε. */
  rest: Float64Array;
  segment: Uint8Array;
  role: Uint8Array;
  account: Uint32Array;
}

export function noise(rng: Rng, kind: NoiseKind): number {
  if (kind === 'normal') return 1.3 * rng.normal();
  if (kind === 'logistic') {
    const u = Math.min(Math.max(rng.next(), 1e-12), 1 - 1e-12);
    return 0.75 * Math.log(u / (1 - u));
  }
  // Centred Gumbel (right-skewed), scale 1: mean 0.5772, sd 1.28.
  const u = Math.min(Math.max(rng.next(), 1e-12), 1 - 1e-12);
  return -Math.log(-Math.log(u)) - 0.5772156649;
}

/** g_a(x): the attribute's effect shape on its own scale (identity when straight). */
function shape(truth: FamilyTruth, a: number, x: number): number {
  const c = truth.curves.find((k) => k.attribute === a);
  if (!c) return x - 7;
  if (c.kind === 'saturate') return x <= c.knot ? x - 7 : c.knot - 7 + 0.25 * (x - c.knot);
  return x >= c.knot ? x - 7 : c.knot - 7 + 2 * (x - c.knot);
}

/** The rating terms of the latent score for one respondent's ratings `x`. */
export function ratingTerms(truth: FamilyTruth, s: number, r: number, x: ArrayLike<number>): number {
  let latent = 0;
  for (let a = 0; a < x.length; a++) latent += truth.weights[s]![a]! * truth.roleMultipliers[r]![a]! * shape(truth, a, x[a]!);
  const i = truth.interaction;
  if (i) latent += i.gamma * (x[i.a]! - truth.means[i.a]!) * (x[i.b]! - truth.means[i.b]!);
  return latent;
}

/** Draws a truth for `seed`: which attributes carry a role difference, which saturate, which pair interacts, how large. */
export function drawTruth(seed: number, features: FamilyFeatures, k = FAMILY_ATTRIBUTES.length): FamilyTruth {
  const rng = createRng(seed * 7919 + 17);
  const base = Array.from({ length: k }, () => 0.03 + 0.12 * rng.next());
  const weights = FAMILY_SEGMENTS.map(() => base.map((w) => Math.max(0.01, w * (0.5 + rng.next()))));
  const roleMultipliers = FAMILY_ROLES.map(() => new Array<number>(k).fill(1));
  if (features.roleWeights)
    for (let r = 0; r < FAMILY_ROLES.length; r++)
      for (let a = 0; a < k; a++) if (rng.next() < 0.4) roleMultipliers[r]![a] = 0.4 + 1.6 * rng.next();
  const curves: FamilyTruth['curves'] = [];
  if (features.curves) {
    const count = 1 + rng.int(3);
    const pool = Array.from({ length: k }, (_, a) => a);
    for (let c = 0; c < count; c++) {
      const a = pool.splice(rng.int(pool.length), 1)[0]!;
      const kind = rng.next() < 0.65 ? 'saturate' : 'floor';
      curves.push({ attribute: a, kind, knot: kind === 'saturate' ? 6 + rng.int(3) : 3 + rng.int(3) });
    }
  }
  let interaction: FamilyTruth['interaction'] = null;
  if (features.interaction) {
    const a = rng.int(k);
    let b = rng.int(k - 1);
    if (b >= a) b++;
    interaction = { a, b, gamma: (rng.next() < 0.5 ? -1 : 1) * (0.02 + 0.05 * rng.next()) };
  }
  const means = Array.from({ length: k }, () => 5.8 + 1.8 * rng.next());
  return {
    features,
    weights,
    roleMultipliers,
    segmentShift: FAMILY_SEGMENTS.map(() => -0.3 + 0.6 * rng.next()),
    roleShift: FAMILY_ROLES.map(() => -0.3 + 0.6 * rng.next()),
    curves,
    interaction,
    accountSd: features.accountEffect ? 0.2 + 0.4 * rng.next() : 0,
    confounder: features.confounder ? { kappa: 0.5 + 0.4 * rng.next(), loadings: Array.from({ length: k }, () => 0.5 + 0.7 * rng.next()) } : null,
    means,
  };
}

/**
 * A wave of `n` respondents from the truth drawn for `seed`. Streams of one seed are independent of
 * `n`'s draws of parameters (the truth is drawn from its own generator); `waveSeed` draws another
 * wave of the same truth (for the sampling distribution of an estimate).
 */
export function familyWave(seed: number, n: number, features: FamilyFeatures, waveSeed = seed): FamilyWave {
  const truth = drawTruth(seed, features);
  const rng = createRng(waveSeed);
  const k = FAMILY_ATTRIBUTES.length;
  // Accounts hold 1–10 respondents (mean ≈ 3.5); enterprise accounts are larger.
  const segmentShare = [0.5 + 0.1 * (rng.next() - 0.5), 0.3, 0.2];
  const accountSegment: number[] = [];
  const accountFactor: number[] = [];
  const accountEffect: number[] = [];
  const accountCause: number[] = [];
  const members: number[] = [];
  let total = 0;
  while (total < n) {
    const u = rng.next();
    const s = u < segmentShare[0]! ? 0 : u < segmentShare[0]! + segmentShare[1]! ? 1 : 2;
    const size = Math.min(10, 1 + Math.floor(-Math.log(1 - rng.next()) * (s === 2 ? 4 : 2)));
    accountSegment.push(s);
    accountFactor.push(rng.normal());
    accountEffect.push(truth.accountSd * rng.normal());
    accountCause.push(rng.normal());
    members.push(Math.min(size, n - total));
    total += members.at(-1)!;
  }
  // Loadings: account factor λ and halo η between them set correlations of 0.35–0.85.
  const load = Array.from({ length: k }, () => ({ account: 0.6 + 0.9 * rng.next(), halo: 0.5 + 1.1 * rng.next(), own: 0.7 + 0.6 * rng.next() }));
  const ratings = Array.from({ length: k }, () => new Float64Array(n));
  const shown = Array.from({ length: k }, () => new Float64Array(n));
  const rest = new Float64Array(n);
  const segment = new Uint8Array(n);
  const role = new Uint8Array(n);
  const account = new Uint32Array(n);
  const ltr = new Uint8Array(n);
  const x = new Float64Array(k);
  let i = 0;
  for (let j = 0; j < members.length; j++)
    for (let m = 0; m < members[j]!; m++, i++) {
      const s = accountSegment[j]!;
      const r = rng.int(FAMILY_ROLES.length);
      const halo = rng.normal();
      const cause = truth.confounder ? accountCause[j]! : 0;
      for (let a = 0; a < k; a++) {
        const raw = truth.means[a]! + load[a]!.account * accountFactor[j]! + load[a]!.halo * halo + load[a]!.own * rng.normal() + (truth.confounder ? truth.confounder.loadings[a]! * cause : 0);
        x[a] = Math.min(10, Math.max(0, Math.round(raw)));
        ratings[a]![i] = x[a]!;
        shown[a]![i] = rng.next() < (features.blanks ?? 0.05) ? Number.NaN : x[a]!;
      }
      rest[i] = 0.6 + truth.segmentShift[s]! + truth.roleShift[r]! + accountEffect[j]! + (truth.confounder ? truth.confounder.kappa * cause : 0) + noise(rng, features.noise);
      ltr[i] = categoryOf(ratingTerms(truth, s, r, x) + rest[i]!);
      segment[i] = s;
      role[i] = r;
      account[i] = j;
    }
  const attributes: Attribute[] = FAMILY_ATTRIBUTES.map((name) => ({ name, kind: 'other', scale: [0, 10] }));
  const columns: RespondentColumns = {
    size: n,
    attributes: [...FAMILY_ATTRIBUTES],
    respondentId: Array.from({ length: n }, (_, q) => `R-${q}`),
    accountId: Array.from(account, (j) => `A-${j}`),
    segment: Array.from(segment, (s) => FAMILY_SEGMENTS[s]!),
    role: Array.from(role, (r) => FAMILY_ROLES[r]!),
    wave: new Array<string | null>(n).fill(null),
    accountRevenue: new Float64Array(n).fill(Number.NaN),
    ltr,
    ratings: shown,
  };
  return { truth, attributes, columns, ratings, rest, segment, role, account };
}

export function categoryOf(latent: number): number {
  let c = 0;
  while (c < THRESHOLDS.length && latent > THRESHOLDS[c]!) c++;
  return c;
}

export function applyChange(change: Change, x: number): number {
  switch (change.op) {
    case 'add':
      return Math.min(10, Math.max(0, x + change.value));
    case 'atLeast':
      return Math.max(x, change.value);
    case 'set':
      return change.value;
    case 'closeGap':
      return x + change.value * (10 - x);
  }
}

/** One initiative as the truth reads it: changes applied in order to the respondents its target matches. */
export interface TrueInitiative {
  changes: readonly Change[];
  target?: Target;
}

export interface TrueLift {
  lift: number;
  bySegment: Record<string, number>;
}

/**
 * The true NPS change of initiatives applied together (each to its own target, in order): the same
 * respondents, with their noise, account effects and confounder kept, and changed ratings.
 */
export function familyLift(wave: FamilyWave, initiatives: readonly TrueInitiative[]): TrueLift {
  const k = FAMILY_ATTRIBUTES.length;
  const n = wave.columns.size;
  const index = new Map<string, number>(FAMILY_ATTRIBUTES.map((a, j) => [a, j]));
  const x = new Float64Array(k);
  const diff = new Float64Array(FAMILY_SEGMENTS.length);
  const count = new Float64Array(FAMILY_SEGMENTS.length);
  let total = 0;
  const group = (c: number): number => (c >= 9 ? 1 : c <= 6 ? -1 : 0);
  const accountIds = wave.columns.accountId;
  for (let i = 0; i < n; i++) {
    const s = wave.segment[i]!;
    const r = wave.role[i]!;
    count[s]!++;
    for (let a = 0; a < k; a++) x[a] = wave.ratings[a]![i]!;
    let touched = false;
    for (const init of initiatives) {
      const t = init.target;
      if (t?.segments && !t.segments.includes(FAMILY_SEGMENTS[s]!)) continue;
      if (t?.roles && !t.roles.includes(FAMILY_ROLES[r]!)) continue;
      if (t?.accounts && !t.accounts.includes(accountIds[i]!)) continue;
      for (const change of init.changes) {
        const a = index.get(change.attribute)!;
        x[a] = applyChange(change, x[a]!);
      }
      touched = true;
    }
    if (!touched) continue;
    const newCat = categoryOf(ratingTerms(wave.truth, s, r, x) + wave.rest[i]!);
    const d = group(newCat) - group(wave.columns.ltr[i]!);
    diff[s]! += d;
    total += d;
  }
  const bySegment: Record<string, number> = {};
  FAMILY_SEGMENTS.forEach((name, s) => (bySegment[name] = count[s]! > 0 ? (100 * diff[s]!) / count[s]! : 0));
  return { lift: (100 * total) / n, bySegment };
}
