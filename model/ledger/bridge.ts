/**
 * The NPS bridge between two waves: the change in NPS split into parts that add up to it exactly —
 *
 * 1. **mix**: the before wave's NPS per segment × role re-weighted to the after wave's mix, minus
 *    the before NPS (a wave with more enterprise gatekeepers scores differently with nothing else
 *    changed);
 * 2. **launches**: each launched initiative's realised lift (./realised.ts), in points of the wave;
 * 3. **ratings**: what the driver model says the shift in attribute ratings did — the before
 *    respondents' ratings moved by the mean shift their segment × role saw among respondents no
 *    launch reached (so a launch's own effect on ratings is not counted twice), through the model's
 *    residual-preserving counterfactual;
 * 4. **remainder**: the rest (secular drift, noise) — with the change's own sampling error stated
 *    (each wave's NPS has the cluster-robust variance of a mean over accounts).
 */
import type { DriverModel } from '../drivers/contract.js';
import { latentShifts, resolveEffects } from '../drivers/effects.js';
import type { Population } from '../drivers/population.js';
import { crossingProbabilities } from '../drivers/whatIf.js';
import { netOf } from '../nps.js';
import { normalQuantile } from '../stats/normal.js';
import type { LaunchReach } from './contract.js';

export interface BridgeLaunch {
  id: string;
  name: string;
  /** Realised lift, points of the after wave's NPS, and its interval. */
  lift: number;
  interval: [number, number];
  reached: LaunchReach;
}

export interface BridgePart {
  kind: 'mix' | 'launch' | 'ratings' | 'remainder';
  label: string;
  value: number;
  interval: [number, number] | null;
}

export interface Bridge {
  before: { nps: number; respondents: number };
  after: { nps: number; respondents: number };
  change: number;
  parts: BridgePart[];
  /** The change's sampling error (both waves, accounts as clusters). */
  sampling: { sd: number; interval: [number, number] };
  level: number;
}

const key = (pop: Population, i: number): string => `${pop.levels.segment[pop.segment[i]!]}\u0000${pop.levels.role[pop.role[i]!]}`;

/** NPS of a wave, and the cluster-robust variance of that mean over its accounts. */
function npsOf(pop: Population): { nps: number; variance: number } {
  let total = 0;
  for (let i = 0; i < pop.n; i++) total += 100 * netOf(pop.ltr[i]!);
  const mean = total / pop.n;
  const byAccount = new Float64Array(pop.levels.account.length);
  for (let i = 0; i < pop.n; i++) byAccount[pop.account[i]!]! += 100 * netOf(pop.ltr[i]!) - mean;
  let v = 0;
  for (const x of byAccount) v += x * x;
  const A = byAccount.length;
  return { nps: mean, variance: A > 1 ? (v * A) / (A - 1) / (pop.n * pop.n) : 0 };
}

function reachedBy(pop: Population, reach: LaunchReach, i: number): boolean {
  if (reach.segments && !reach.segments.includes(pop.levels.segment[pop.segment[i]!]!)) return false;
  if (reach.roles && !reach.roles.includes(pop.levels.role[pop.role[i]!]!)) return false;
  if (reach.accounts && !reach.accounts.includes(pop.levels.account[pop.account[i]!]!)) return false;
  return true;
}

/** The bridge from `before` to `after`; `model` is a driver model fitted on the before wave. */
export function npsBridge(before: Population, after: Population, model: DriverModel, launches: readonly BridgeLaunch[], level = 0.9): Bridge {
  const b = npsOf(before);
  const a = npsOf(after);
  const change = a.nps - b.nps;

  // Mix: before's NPS per stratum at after's shares (strata the before wave lacks count in the remainder).
  const stratum = new Map<string, { sum: number; n: number }>();
  for (let i = 0; i < before.n; i++) {
    const s = stratum.get(key(before, i)) ?? { sum: 0, n: 0 };
    s.sum += 100 * netOf(before.ltr[i]!);
    s.n++;
    stratum.set(key(before, i), s);
  }
  const afterShare = new Map<string, number>();
  for (let i = 0; i < after.n; i++) afterShare.set(key(after, i), (afterShare.get(key(after, i)) ?? 0) + 1 / after.n);
  let reweighted = 0;
  for (const [k, share] of afterShare) {
    const s = stratum.get(k);
    if (s) reweighted += share * (s.sum / s.n);
  }
  const mix = reweighted - b.nps * [...afterShare].filter(([k]) => stratum.has(k)).reduce((x, [, p]) => x + p, 0);

  // Ratings: the mean shift per stratum among respondents no launch reached, applied to the before wave.
  const k = before.attributes.length;
  const attrIndex = after.attributes.map((att) => before.attributes.findIndex((x) => x.name === att.name));
  const sums = new Map<string, { before: Float64Array; after: Float64Array; nb: number; na: number }>();
  const acc = (k2: string) => {
    let s = sums.get(k2);
    if (!s) sums.set(k2, (s = { before: new Float64Array(k), after: new Float64Array(k), nb: 0, na: 0 }));
    return s;
  };
  const untouched = (pop: Population, i: number): boolean => !launches.some((l) => reachedBy(pop, l.reached, i));
  for (let i = 0; i < before.n; i++) {
    if (!untouched(before, i)) continue;
    const s = acc(key(before, i));
    for (let j = 0; j < k; j++) s.before[j]! += before.columns[j]![i]!;
    s.nb++;
  }
  for (let i = 0; i < after.n; i++) {
    if (!untouched(after, i)) continue;
    const s = acc(key(after, i));
    for (let j = 0; j < after.attributes.length; j++) if (attrIndex[j]! >= 0) s.after[attrIndex[j]!]! += after.columns[j]![i]!;
    s.na++;
  }
  const rows = Uint32Array.from({ length: before.n }, (_, i) => i);
  const moved = new Map<number, Float64Array>();
  for (let j = 0; j < k; j++) {
    const [lo, hi] = before.attributes[j]!.scale;
    const col = before.columns[j]!;
    moved.set(
      j,
      Float64Array.from(rows, (i) => {
        const s = sums.get(key(before, i));
        const d = s && s.nb > 0 && s.na > 0 ? s.after[j]! / s.na - s.before[j]! / s.nb : 0;
        return Math.min(hi, Math.max(lo, col[i]! + d));
      }),
    );
  }
  const crossing = crossingProbabilities(model, before, rows, latentShifts(resolveEffects(model, before), before, rows, moved));
  let ratings = 0;
  for (let i = 0; i < before.n; i++) ratings += 100 * (crossing.promoter[i]! - crossing.detractor[i]! - netOf(before.ltr[i]!));
  ratings /= before.n;

  const launched = launches.reduce((x, l) => x + l.lift, 0);
  const z = normalQuantile(0.5 + level / 2);
  const sd = Math.sqrt(a.variance + b.variance);
  const remainder = change - mix - ratings - launched;
  return {
    before: { nps: b.nps, respondents: before.n },
    after: { nps: a.nps, respondents: after.n },
    change,
    parts: [
      { kind: 'mix', label: 'mix of segments and roles', value: mix, interval: null },
      ...launches.map((l): BridgePart => ({ kind: 'launch', label: l.name, value: l.lift, interval: l.interval })),
      { kind: 'ratings', label: 'shifts in attribute ratings (through the driver model)', value: ratings, interval: null },
      { kind: 'remainder', label: 'everything else (drift, noise)', value: remainder, interval: [remainder - z * sd, remainder + z * sd] },
    ],
    sampling: { sd, interval: [change - z * sd, change + z * sd] },
    level,
  };
}
