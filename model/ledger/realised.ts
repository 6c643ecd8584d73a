/**
 * What a launched initiative did, read from the next wave: difference-in-differences between the
 * respondents it reached and those it did not, across the wave before the launch and the wave
 * after,
 *
 *     ATT = Σ_s π^T_s (ȳ_after,T,s − ȳ_before,T,s) − Σ_s π^C_s (ȳ_after,C,s − ȳ_before,C,s),
 *
 * each group's change read within strata s of segment × role at its own after-launch mix (π^T, π^C),
 * so a change in the mix of segments and roles is not read as an effect — and a launch aimed at a
 * segment or a role is compared with the others, whose change stands for the drift. y is each
 * respondent's NPS contribution (+100 promoter, −100 detractor). The control group is everyone the
 * launch did not reach *and* no other launch live before the after wave reached (never- and
 * not-yet-reached accounts), so staggered launches do not contaminate each other's comparisons.
 *
 * **Panel.** When enough accounts answered both waves (≥ {@link MIN_ACCOUNTS} reached and control),
 * only those accounts are compared: an account is its own control over time, and churn of accounts
 * cannot pass for an effect.
 *
 * **Interval.** Cluster-robust by account: the estimator is a smooth function of the stratum means,
 * so its variance is Σ_accounts IF_a² · A/(A − 1), IF_a the account's influence (its summed
 * deviations from each cell's mean, in both waves, times ∂ATT/∂mean) — an account's respondents,
 * and the same account before and after, move together. To that is added the doubt about parallel
 * trends, measured on the comparison strata themselves ({@link trendVariance}).
 *
 * **Units.** The ledger compares with the forecast in points of the whole wave's NPS: lift = ATT ×
 * the reached share of the after wave. A launch known only by a share of its target (accounts not
 * listed) is estimated on the whole target (intention to treat): the overall lift is unchanged, and
 * the effect on the reached respondents themselves is ATT ÷ share.
 */
import type { Population } from '../drivers/population.js';
import { netOf } from '../nps.js';
import { normalQuantile } from '../stats/normal.js';
import type { LaunchReach, LaunchSpec, Realised } from './contract.js';

/** Reached and control accounts (and respondents) each wave must hold for an estimate. */
export const MIN_ACCOUNTS = 20;
export const MIN_RESPONDENTS = 30;

export interface RealisedOptions {
  /** Interval level. @default 0.9 */
  level?: number;
  /** The after wave's date (ISO): launches live before it (and not ended before the before wave) are excluded from every control group. */
  afterDate: string;
  /** The before wave's date (ISO). */
  beforeDate: string;
}

/** `compute()` once per pair (a, b) of objects, kept while both live. */
function memoised<A extends object, B extends object, V>(cache: WeakMap<A, WeakMap<B, V>>, a: A, b: B, compute: () => V): V {
  let inner = cache.get(a);
  if (!inner) cache.set(a, (inner = new WeakMap()));
  let value = inner.get(b);
  if (value === undefined) inner.set(b, (value = compute()));
  return value;
}

/** Each population's reach masks, by the reach object (a wave is read against many launches). */
const maskCache = new WeakMap<Population, WeakMap<LaunchReach, Uint8Array>>();

/** Whether respondent r of `pop` is in a launch's reach (every list given; `share` reads as the whole target). */
function reachMask(pop: Population, reach: LaunchReach): Uint8Array {
  return memoised(maskCache, pop, reach, () => computeReachMask(pop, reach));
}

function computeReachMask(pop: Population, reach: LaunchReach): Uint8Array {
  const mask = new Uint8Array(pop.n).fill(1);
  const lists: [LaunchReach['segments'], 'segment' | 'role' | 'account'][] = [
    [reach.segments, 'segment'],
    [reach.roles, 'role'],
    [reach.accounts, 'account'],
  ];
  for (const [names, column] of lists) {
    if (!names) continue;
    const wanted = new Set(names);
    const levels = pop.levels[column];
    const allowed = new Uint8Array(levels.length);
    for (let l = 0; l < levels.length; l++) allowed[l] = wanted.has(levels[l]!) ? 1 : 0;
    const codes = pop[column];
    for (let i = 0; i < pop.n; i++) if (!allowed[codes[i]!]) mask[i] = 0;
  }
  return mask;
}

/**
 * The two waves' respondents in shared codes, computed once per pair of waves: each row's account
 * (accounts matched by id across the waves) and stratum (segment × role by name), and which
 * accounts answered both waves. Names are tenant data: only ever keys of Maps.
 */
interface PairIndex {
  account: [Int32Array, Int32Array];
  accounts: number;
  inBoth: Uint8Array;
  stratum: [Int32Array, Int32Array];
  strata: number;
}

const pairCache = new WeakMap<Population, WeakMap<Population, PairIndex>>();

function pairIndex(before: Population, after: Population): PairIndex {
  return memoised(pairCache, before, after, () => computePairIndex(before, after));
}

function computePairIndex(before: Population, after: Population): PairIndex {
  const accountIds = new Map<string, number>();
  const strataIds = new Map<string, number>();
  const codes = [before, after].map((pop) => {
    const accountOfLevel = new Int32Array(pop.levels.account.length);
    pop.levels.account.forEach((id, l) => {
      let a = accountIds.get(id);
      if (a === undefined) accountIds.set(id, (a = accountIds.size));
      accountOfLevel[l] = a;
    });
    const R = pop.levels.role.length;
    const stratumOfLevels = new Int32Array(pop.levels.segment.length * R);
    pop.levels.segment.forEach((segment, sl) =>
      pop.levels.role.forEach((role, rl) => {
        const key = `${segment}\u0000${role}`;
        let st = strataIds.get(key);
        if (st === undefined) strataIds.set(key, (st = strataIds.size));
        stratumOfLevels[sl * R + rl] = st;
      }),
    );
    const account = new Int32Array(pop.n);
    const stratum = new Int32Array(pop.n);
    for (let i = 0; i < pop.n; i++) {
      account[i] = accountOfLevel[pop.account[i]!]!;
      stratum[i] = stratumOfLevels[pop.segment[i]! * R + pop.role[i]!]!;
    }
    return { account, stratum, accountOfLevel };
  });
  // An account is in the panel when both waves list it.
  const inBoth = new Uint8Array(accountIds.size);
  const inBefore = new Uint8Array(accountIds.size);
  for (const a of codes[0]!.accountOfLevel) inBefore[a] = 1;
  for (const a of codes[1]!.accountOfLevel) if (inBefore[a]) inBoth[a] = 1;
  return {
    account: [codes[0]!.account, codes[1]!.account],
    accounts: accountIds.size,
    inBoth,
    stratum: [codes[0]!.stratum, codes[1]!.stratum],
    strata: strataIds.size,
  };
}

/** A launch is live during (launchedOn, endedOn]; it contaminates a control group if live before the after wave. */
function liveBetween(l: LaunchSpec, beforeDate: string, afterDate: string): boolean {
  return l.launchedOn < afterDate && (l.endedOn === null || l.endedOn > beforeDate);
}

interface Wave {
  pop: Population;
  treated: Uint8Array;
  /** Respondents in neither group (reached by another live launch) are 0 in both. */
  control: Uint8Array;
}

/**
 * The realised lift of `launch` between two waves; `others` are the tenant's other launches (for
 * clean control groups). Says why when it cannot be estimated.
 */
export function realisedLift(before: Population, after: Population, launch: LaunchSpec, others: readonly LaunchSpec[], options: RealisedOptions): Realised {
  if (!(launch.launchedOn >= options.beforeDate && launch.launchedOn < options.afterDate))
    return { ok: false, reason: `The launch (${launch.launchedOn}) is not between the two waves (${options.beforeDate} and ${options.afterDate}).` };
  const contaminating = others.filter((o) => o.id !== launch.id && liveBetween(o, options.beforeDate, options.afterDate));
  const waves: Wave[] = [before, after].map((pop) => {
    const treated = reachMask(pop, launch.reached);
    const control = new Uint8Array(pop.n);
    for (let i = 0; i < pop.n; i++) control[i] = 1 - treated[i]!;
    for (const o of contaminating) {
      const m = reachMask(pop, o.reached);
      for (let i = 0; i < pop.n; i++) if (m[i] && !treated[i]) control[i] = 0;
    }
    return { pop, treated, control };
  });
  // Accounts by id across the two waves; the panel is those in both.
  const index = pairIndex(before, after);
  const { inBoth } = index;
  let panelAccounts = 0;
  for (let a = 0; a < inBoth.length; a++) panelAccounts += inBoth[a]!;
  const count = (panel: boolean): { treated: number; control: number; tResp: number[]; cResp: number[] } => {
    const tSeen = new Uint8Array(index.accounts);
    const cSeen = new Uint8Array(index.accounts);
    let t = 0;
    let c = 0;
    const tResp = [0, 0];
    const cResp = [0, 0];
    waves.forEach((w, k) => {
      const account = index.account[k]!;
      for (let i = 0; i < w.pop.n; i++) {
        const a = account[i]!;
        if (panel && !inBoth[a]) continue;
        if (w.treated[i]) {
          if (!tSeen[a]) (tSeen[a] = 1), t++;
          tResp[k]!++;
        } else if (w.control[i]) {
          if (!cSeen[a]) (cSeen[a] = 1), c++;
          cResp[k]!++;
        }
      }
    });
    return { treated: t, control: c, tResp, cResp };
  };
  const enough = (x: ReturnType<typeof count>): boolean => x.treated >= MIN_ACCOUNTS && x.control >= MIN_ACCOUNTS && Math.min(...x.tResp, ...x.cResp) >= MIN_RESPONDENTS;
  const panelCounts = count(true);
  const panel = enough(panelCounts);
  const counts = panel ? panelCounts : count(false);
  if (!enough(counts)) {
    if (counts.treated < MIN_ACCOUNTS || Math.min(...counts.tResp) < MIN_RESPONDENTS)
      return { ok: false, reason: `Too few reached respondents to compare: ${counts.treated} accounts (${counts.tResp[0]} respondents before, ${counts.tResp[1]} after); at least ${MIN_ACCOUNTS} accounts and ${MIN_RESPONDENTS} respondents in each wave are needed.` };
    return { ok: false, reason: `No comparison group: ${counts.control} accounts not reached by this or another live launch (${counts.cResp[0]} respondents before, ${counts.cResp[1]} after); at least ${MIN_ACCOUNTS} accounts and ${MIN_RESPONDENTS} respondents in each wave are needed.` };
  }

  // Cells: wave (0 before, 1 after) × group (0 treated, 1 control) × stratum (segment × role by name).
  const cellOf = (wave: number, group: number, s: number): number => (s * 2 + wave) * 2 + group;
  let m = 0;
  for (const w of waves) for (let i = 0; i < w.pop.n; i++) if (w.treated[i] || w.control[i]) m++;
  const rowCell = new Int32Array(m);
  const rowAccount = new Int32Array(m);
  const rowY = new Float64Array(m);
  // The accounts of the compared rows, numbered as they come (their count is the clusters' A).
  const local = new Int32Array(index.accounts).fill(-1);
  let A = 0;
  let rows = 0;
  waves.forEach((w, k) => {
    const account = index.account[k]!;
    const stratum = index.stratum[k]!;
    for (let i = 0; i < w.pop.n; i++) {
      const group = w.treated[i] ? 0 : w.control[i] ? 1 : -1;
      if (group < 0) continue;
      const a = account[i]!;
      if (panel && !inBoth[a]) continue;
      if (local[a] === -1) local[a] = A++;
      rowCell[rows] = cellOf(k, group, stratum[i]!);
      rowAccount[rows] = local[a]!;
      rowY[rows] = 100 * netOf(w.pop.ltr[i]!);
      rows++;
    }
  });
  const S = index.strata;
  const sum = new Float64Array(S * 4);
  const n = new Float64Array(S * 4);
  for (let r = 0; r < rows; r++) {
    sum[rowCell[r]!]! += rowY[r]!;
    n[rowCell[r]!]!++;
  }
  // Each group's change between the waves, stratum by stratum at its own after-launch mix (strata
  // the group has in both waves), so neither group's change of mix passes for an effect.
  const weight = new Float64Array(S * 2); // per stratum and group
  const total = [0, 0];
  for (let s = 0; s < S; s++)
    for (let g = 0; g < 2; g++)
      if (n[cellOf(0, g, s)]! > 0 && n[cellOf(1, g, s)]! > 0) {
        weight[s * 2 + g] = n[cellOf(1, g, s)]!;
        total[g]! += weight[s * 2 + g]!;
      }
  if (total[0] === 0 || total[1] === 0) return { ok: false, reason: 'No segment × role group of the reached (or of the comparison) respondents answered both waves.' };
  const mean = (c: number): number => sum[c]! / n[c]!;
  // ∂ATT/∂(cell mean): + after/treated, − before/treated, − after/control, + before/control, at the cell's weight.
  const derivative = (c: number): number => {
    const g = c % 2;
    const wave = Math.floor(c / 2) % 2;
    const s = Math.floor(c / 4);
    const w = weight[s * 2 + g]! / total[g]!;
    return w * (wave === 1 ? 1 : -1) * (g === 0 ? 1 : -1);
  };
  let att = 0;
  for (let c = 0; c < S * 4; c++) if (n[c]! > 0) att += derivative(c) * mean(c);
  // Cluster-robust variance from each account's influence.
  const influence = new Float64Array(A);
  for (let r = 0; r < rows; r++) {
    const c = rowCell[r]!;
    influence[rowAccount[r]!]! += (derivative(c) * (rowY[r]! - mean(c))) / n[c]!;
  }
  let v = 0;
  for (let a = 0; a < A; a++) v += influence[a]! * influence[a]!;
  v = A > 1 ? (v * A) / (A - 1) : v;
  v += trendVariance(sum, n, S, weight, total, rowCell.subarray(0, rows), rowY.subarray(0, rows));
  const z = normalQuantile(0.5 + (options.level ?? 0.9) / 2);
  const sd = Math.sqrt(v);
  // Units of the whole after wave: the reached share of its respondents.
  let reachedAfter = 0;
  for (let i = 0; i < after.n; i++) reachedAfter += waves[1]!.treated[i]!;
  const share = reachedAfter / after.n;
  const itt = launch.reached.share !== undefined && launch.reached.accounts === undefined ? launch.reached.share : 1;
  return {
    ok: true,
    lift: att * share,
    interval: [(att - z * sd) * share, (att + z * sd) * share],
    effectOnReached: { lift: att / itt, interval: [(att - z * sd) / itt, (att + z * sd) / itt] },
    method: `${panel ? 'panel' : 'repeated cross-section'} difference-in-differences within segment × role, against never- and not-yet-reached respondents; interval cluster-robust by account${itt < 1 ? `; intention to treat on the whole target (share ${itt})` : ''}`,
    accounts: { treated: counts.treated, control: counts.control, panel: panel ? panelAccounts : 0 },
    respondents: { treated: counts.tResp[0]! + counts.tResp[1]!, control: counts.cResp[0]! + counts.cResp[1]! },
  };
}

/**
 * The uncertainty of the parallel-trends assumption itself: the comparison strata's changes between
 * the waves scatter around their mean by more than their sampling noise when groups trend
 * differently (a drift of loyalty or of one rating moves a segment or role with other weights
 * differently). Their excess variance τ² (by moments) is the doubt about the reached group's own
 * trend: Var += τ²·Σ_s (π^T_s)².
 */
function trendVariance(sum: Float64Array, n: Float64Array, S: number, weight: Float64Array, total: number[], cell: Int32Array, y: Float64Array): number {
  const ss = new Float64Array(S * 4);
  for (let r = 0; r < cell.length; r++) ss[cell[r]!]! += y[r]! * y[r]!;
  const changes: { d: number; v: number; w: number }[] = [];
  for (let s = 0; s < S; s++) {
    const b = s * 4 + 1; // before, control
    const a = s * 4 + 3; // after, control
    if (n[b]! < 10 || n[a]! < 10) continue;
    const mb = sum[b]! / n[b]!;
    const ma = sum[a]! / n[a]!;
    const vb = (ss[b]! / n[b]! - mb * mb) / n[b]!;
    const va = (ss[a]! / n[a]! - ma * ma) / n[a]!;
    changes.push({ d: ma - mb, v: va + vb, w: n[a]! });
  }
  if (changes.length < 3) return 0;
  const W = changes.reduce((x, c) => x + c.w, 0);
  const mean = changes.reduce((x, c) => x + c.w * c.d, 0) / W;
  const spread = changes.reduce((x, c) => x + c.w * (c.d - mean) ** 2, 0) / W;
  const noise = changes.reduce((x, c) => x + c.w * c.v, 0) / W;
  const tau2 = Math.max(0, spread - noise);
  let concentration = 0;
  for (let s = 0; s < S; s++) concentration += (weight[s * 2]! / total[0]!) ** 2;
  return tau2 * concentration;
}
