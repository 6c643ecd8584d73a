/**
 * A population whose truth is known, to test what-if predictions against. Respondents sit in
 * accounts, segments and roles; their ratings are correlated (an account factor and a personal halo);
 * their 0–10 answer is a latent score cut at ten thresholds (so NPS is non-linear in the drivers),
 *
 *     y* = α_s + ρ_r + Σ_a w_{s,a}·(x_a − 7) + v_j + ε,   ε ~ N(0, 1), v_j ~ N(0, 0.3²)
 *
 * with segment-specific weights w and role shifts ρ. The noise is normal (the model assumes
 * logistic) and the account effect is not in the model: the model is not told the structure.
 *
 * The true effect of a what-if keeps every respondent's noise and applies the same changes to their
 * ratings, so it is exactly "the same people, with better experiences".
 */
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import type { Change, WhatIf } from '../../model/drivers/contract.js';
import { createRng } from '../../model/rng.js';

export const TRUTH_ATTRIBUTES = ['reliability', 'ease_of_use', 'support', 'onboarding', 'account_management', 'value_for_money', 'billing', 'delivery'] as const;
export const TRUTH_SEGMENTS = ['smb', 'mid_market', 'enterprise'] as const;
export const TRUTH_ROLES = ['gatekeeper', 'business_owner', 'operational_user'] as const;
const THRESHOLDS = [-4, -3.5, -3, -2.5, -2, -1.4, -0.8, 0, 0.9, 1.8];

/** Latent units per rating point, per segment (rows) and attribute (columns). */
export const TRUE_WEIGHTS: Record<(typeof TRUTH_SEGMENTS)[number], number[]> = {
  smb: [0.3, 0.32, 0.2, 0.28, 0.04, 0.18, 0.05, 0.06],
  mid_market: [0.3, 0.2, 0.24, 0.14, 0.14, 0.12, 0.06, 0.1],
  enterprise: [0.26, 0.1, 0.28, 0.08, 0.3, 0.05, 0.08, 0.16],
};
const SEGMENT_SHIFT = { smb: -0.2, mid_market: 0, enterprise: 0.25 };
const ROLE_SHIFT = { gatekeeper: -0.35, business_owner: 0.2, operational_user: 0 };
const MEANS = [7.2, 6.8, 6.9, 6.4, 6.6, 6.1, 7.6, 7.3];

export interface TruthPopulation {
  attributes: Attribute[];
  columns: RespondentColumns;
  /** Latent score without the rating terms: α_s + ρ_r + v_j + ε, per respondent. */
  rest: Float64Array;
  segment: string[];
  role: string[];
  ratings: Float64Array[];
}

export function truthPopulation(seed: number, n: number): TruthPopulation {
  const rng = createRng(seed);
  const k = TRUTH_ATTRIBUTES.length;
  const accounts = Math.max(1, Math.round(n / 4));
  const accountSegment: number[] = [];
  const accountFactor: number[] = [];
  const accountEffect: number[] = [];
  for (let j = 0; j < accounts; j++) {
    const u = rng.next();
    accountSegment.push(u < 0.5 ? 0 : u < 0.8 ? 1 : 2);
    accountFactor.push(rng.normal());
    accountEffect.push(0.3 * rng.normal());
  }
  const ratings = Array.from({ length: k }, () => new Float64Array(n));
  const rest = new Float64Array(n);
  const segment: string[] = [];
  const role: string[] = [];
  const accountId: string[] = [];
  const ltr = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = rng.int(accounts);
    const s = TRUTH_SEGMENTS[accountSegment[j]!]!;
    const r = TRUTH_ROLES[rng.int(3)]!;
    const halo = rng.normal();
    let latent = 0;
    for (let a = 0; a < k; a++) {
      const x = Math.min(10, Math.max(0, Math.round(MEANS[a]! + 1.1 * accountFactor[j]! + 0.9 * halo + 1.2 * rng.normal())));
      ratings[a]![i] = x;
      latent += TRUE_WEIGHTS[s][a]! * (x - 7);
    }
    rest[i] = SEGMENT_SHIFT[s] + ROLE_SHIFT[r] + accountEffect[j]! + rng.normal();
    ltr[i] = categoryOf(latent + rest[i]!);
    segment.push(s);
    role.push(r);
    accountId.push(`A-${j}`);
  }
  const attributes: Attribute[] = TRUTH_ATTRIBUTES.map((name) => ({ name, kind: 'other', scale: [0, 10] }));
  const columns: RespondentColumns = {
    size: n,
    attributes: [...TRUTH_ATTRIBUTES],
    respondentId: Array.from({ length: n }, (_, i) => `R-${i}`),
    accountId,
    segment,
    role,
    wave: new Array<string | null>(n).fill(null),
    accountRevenue: new Float64Array(n).fill(Number.NaN),
    ltr,
    ratings,
  };
  return { attributes, columns, rest, segment, role, ratings };
}

function categoryOf(latent: number): number {
  let c = 0;
  while (c < THRESHOLDS.length && latent > THRESHOLDS[c]!) c++;
  return c;
}

function apply(change: Change, x: number): number {
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

export interface TrueLift {
  lift: number;
  bySegment: Record<string, number>;
}

/** The true NPS change of a what-if: same respondents, same noise, changed ratings. */
export function trueLift(pop: TruthPopulation, whatIf: WhatIf): TrueLift {
  const k = TRUTH_ATTRIBUTES.length;
  const n = pop.columns.size;
  const before: Record<string, number> = {};
  const after: Record<string, number> = {};
  const count: Record<string, number> = {};
  let tb = 0;
  let ta = 0;
  const x = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const s = pop.segment[i]! as (typeof TRUTH_SEGMENTS)[number];
    const t = whatIf.target;
    const targeted =
      (!t?.segments || t.segments.includes(s)) && (!t?.roles || t.roles.includes(pop.role[i]!)) && (!t?.accounts || t.accounts.includes(pop.columns.accountId[i]!));
    for (let a = 0; a < k; a++) x[a] = pop.ratings[a]![i]!;
    if (targeted)
      for (const change of whatIf.changes) {
        const a = TRUTH_ATTRIBUTES.indexOf(change.attribute as (typeof TRUTH_ATTRIBUTES)[number]);
        x[a] = apply(change, x[a]!);
      }
    let latent = pop.rest[i]!;
    for (let a = 0; a < k; a++) latent += TRUE_WEIGHTS[s][a]! * (x[a]! - 7);
    const newCat = categoryOf(latent);
    const old = pop.columns.ltr[i]!;
    const group = (c: number): number => (c >= 9 ? 1 : c <= 6 ? -1 : 0);
    before[s] = (before[s] ?? 0) + group(old);
    after[s] = (after[s] ?? 0) + group(newCat);
    count[s] = (count[s] ?? 0) + 1;
    tb += group(old);
    ta += group(newCat);
  }
  const bySegment: Record<string, number> = {};
  for (const s of Object.keys(count)) bySegment[s] = (100 * (after[s]! - before[s]!)) / count[s]!;
  return { lift: (100 * (ta - tb)) / n, bySegment };
}
