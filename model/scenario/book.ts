/**
 * Stage 2 of a forecast — the book of accounts: each respondent's share of their account's loyalty
 * mix (by role weight), each account's revenue (its own `account_revenue`, or a segment's
 * `revenueBase` shared in proportion), and each account's yearly revenue multiplier today,
 *
 *     ρ_a = Σ_respondents ω_r · v_group(r),   v_g = retention + expansion + referral − cost to serve.
 */
import type { Population } from '../drivers/population.js';
import { isDetractor, isPromoter } from '../nps.js';
import { keyed, own } from '../text.js';
import { DEFAULT_ECONOMICS, type Economics, type Forecast, type ScenarioFailure, type ScenarioInput } from './contract.js';

/** Net yearly revenue multiplier of one loyalty group. */
export const multiplier = (e: Economics['promoter']): number => e.retention + e.expansion + e.referral - e.costToServe;

export interface Book {
  economics: Economics;
  /** Multipliers of promoters, passives and detractors. */
  vP: number;
  vA: number;
  vD: number;
  /** Accounts. */
  A: number;
  roleWeight: number[];
  /** Respondent's share of their account's mix (length n). */
  omega: Float64Array;
  /** Account's multiplier today. */
  rho: Float64Array;
  /** Respondents per account. */
  clusterN: Float64Array;
  accountSegment: Int32Array;
  revenue: Float64Array;
  revenueSource: Forecast['assumptions']['revenueSource'];
  notes: string[];
}

/** The accounts' mix, revenue and multipliers, or a failure naming a segment or role the data lacks. */
export function accountBook(pop: Population, scenario: ScenarioInput): Book | ScenarioFailure {
  for (const name of Object.keys(scenario.revenueBase ?? {}))
    if (!pop.levels.segment.includes(name))
      return { ok: false, reason: 'unknown-segment', detail: `revenueBase names segment '${name}', which the dataset does not have (${pop.levels.segment.join(', ')}).`, field: `revenueBase.${name}` };
  for (const role of Object.keys(scenario.roleWeights ?? {}))
    if (!pop.levels.role.includes(role)) return { ok: false, reason: 'unknown-level', detail: `roleWeights names role '${role}', which no respondent has (${pop.levels.role.join(', ')}).`, field: `roleWeights.${role}` };
  const economics = scenario.economics ?? DEFAULT_ECONOMICS;
  const vP = multiplier(economics.promoter);
  const vA = multiplier(economics.passive);
  const vD = multiplier(economics.detractor);
  const S = pop.levels.segment.length;
  const A = pop.levels.account.length;
  const notes: string[] = [];
  const roleWeight = pop.levels.role.map((r) => own(scenario.roleWeights, r) ?? 1);
  const accountWeight = new Float64Array(A);
  for (let r = 0; r < pop.n; r++) accountWeight[pop.account[r]!]! += roleWeight[pop.role[r]!]!;
  const omega = new Float64Array(pop.n);
  for (let r = 0; r < pop.n; r++) {
    const w = accountWeight[pop.account[r]!]!;
    omega[r] = w > 0 ? roleWeight[pop.role[r]!]! / w : 0;
  }
  const rho = new Float64Array(A);
  for (let r = 0; r < pop.n; r++) {
    const v = pop.ltr[r]!;
    rho[pop.account[r]!]! += omega[r]! * (isPromoter(v) ? vP : isDetractor(v) ? vD : vA);
  }
  const clusterN = new Float64Array(A);
  for (let r = 0; r < pop.n; r++) clusterN[pop.account[r]!]!++;
  const accountSegment = new Int32Array(A).fill(-1);
  const accountRevenue = new Float64Array(A).fill(Number.NaN);
  for (let r = 0; r < pop.n; r++) {
    accountSegment[pop.account[r]!] = pop.segment[r]!;
    const rev = pop.accountRevenue[r]!;
    if (Number.isFinite(rev)) accountRevenue[pop.account[r]!] = rev;
  }
  let revenueSource: Book['revenueSource'] = 'none';
  const revenue = new Float64Array(A);
  if (scenario.revenueBase) {
    revenueSource = 'revenueBase';
    const known = new Float64Array(S);
    const count = new Float64Array(S);
    for (let a = 0; a < A; a++) {
      const s = accountSegment[a]!;
      count[s]!++;
      if (Number.isFinite(accountRevenue[a]!)) known[s]! += accountRevenue[a]!;
    }
    for (let a = 0; a < A; a++) {
      const s = accountSegment[a]!;
      const base = own(scenario.revenueBase, pop.levels.segment[s]!) ?? 0;
      revenue[a] = known[s]! > 0 ? (base * (Number.isFinite(accountRevenue[a]!) ? accountRevenue[a]! : 0)) / known[s]! : base / count[s]!;
    }
    const missing = pop.levels.segment.filter((s) => own(scenario.revenueBase, s) === undefined);
    if (missing.length > 0) notes.push(`revenueBase gives no revenue for ${missing.join(', ')}: their revenue impact is 0.`);
    notes.push('Revenue is extrapolated to each segment’s revenueBase in proportion to surveyed accounts’ revenue (equal shares where unknown).');
  } else {
    let withRevenue = 0;
    for (let a = 0; a < A; a++)
      if (Number.isFinite(accountRevenue[a]!)) {
        revenue[a] = accountRevenue[a]!;
        withRevenue++;
      }
    if (withRevenue > 0) {
      revenueSource = 'account_revenue';
      notes.push(`Revenue impact covers the ${withRevenue} surveyed accounts with account_revenue${withRevenue < A ? ` (${A - withRevenue} without it count as 0)` : ''}; pass revenueBase to extrapolate to the whole book.`);
    } else notes.push('The dataset has no account_revenue and the scenario no revenueBase: revenue, ROI and payback are not forecast.');
  }
  return { economics, vP, vA, vD, A, roleWeight, omega, rho, clusterN, accountSegment, revenue, revenueSource, notes };
}

/** The role weights the book used, by role name (stated in every forecast). */
export function roleWeightsOf(pop: Population, book: Book): Record<string, number> {
  return keyed(pop.levels.role.map((r, i) => [r, book.roleWeight[i]!] as const));
}
