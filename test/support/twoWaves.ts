/**
 * Two survey waves of the same accounts around launched initiatives, with known truth, for the
 * forecast ledger (model/ledger): wave 1; launches of 4 initiatives on known targets (a segment, a
 * segment's role, a list of accounts, half of a segment's accounts by share) at known dates; wave 2
 * six months later on the same accounts — 10 % of them churned and replaced by new accounts whose
 * segments follow another mix, every account's respondents drawn anew (new people, new noise), a
 * secular drift of the latent loyalty that touches everyone, a shift of one attribute's ratings for
 * everyone, and each initiative's rating change applied to the respondents it reached only. The
 * loyalty model is the family's (./truthFamily.ts), so role weights, curves, an interaction, account
 * effects and, when asked, an account-level cause are all there.
 *
 * The true effect of a launch is wave 2's NPS with every launch applied minus wave 2's NPS without
 * that one (the same people, their noise kept) — in points of the whole wave, the ledger's unit.
 */
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import type { Change } from '../../model/drivers/contract.js';
import type { LaunchReach, LaunchSpec } from '../../model/ledger/contract.js';
import { netOf } from '../../model/nps.js';
import { createRng } from '../../model/rng.js';
import { applyChange, categoryOf, drawTruth, FAMILY_ATTRIBUTES, FAMILY_ROLES, FAMILY_SEGMENTS, noise, ratingTerms, type FamilyFeatures, type FamilyTruth } from './truthFamily.js';

export const BEFORE_DATE = '2026-01-15';
export const AFTER_DATE = '2026-07-15';

export interface TrueLaunch extends LaunchSpec {
  changes: Change[];
  /** True lift, points of wave 2's NPS. */
  trueLift: number;
}

export interface TwoWaves {
  truth: FamilyTruth;
  attributes: Attribute[];
  before: RespondentColumns;
  after: RespondentColumns;
  launches: TrueLaunch[];
  /** The drift added to every wave-2 latent score, and the attribute whose ratings shifted for everyone (and by how much). */
  drift: number;
  ratingShift: { attribute: string; by: number };
  /** What the drift and the rating shift did to wave 2's NPS, points (the same people, their noise kept). */
  trueDriftEffect: number;
  trueShiftEffect: number;
}

interface Account {
  id: string;
  segment: number;
  factor: number;
  effect: number;
  cause: number;
}

export function twoWaves(seed: number, accounts: number, features: FamilyFeatures): TwoWaves {
  const truth = drawTruth(seed, features);
  const rng = createRng(seed * 101 + 7);
  const k = FAMILY_ATTRIBUTES.length;
  const load = Array.from({ length: k }, () => ({ account: 0.6 + 0.9 * rng.next(), halo: 0.5 + 1.1 * rng.next(), own: 0.7 + 0.6 * rng.next() }));
  const newAccount = (j: number, shares: number[]): Account => {
    const u = rng.next();
    const segment = u < shares[0]! ? 0 : u < shares[0]! + shares[1]! ? 1 : 2;
    return { id: `A-${j}`, segment, factor: rng.normal(), effect: truth.accountSd * rng.normal(), cause: rng.normal() };
  };
  const wave1Accounts = Array.from({ length: accounts }, (_, j) => newAccount(j, [0.5, 0.3, 0.2]));
  // Wave 2: 90 % of the accounts stay; the others are replaced by accounts of another segment mix.
  const wave2Accounts = wave1Accounts.map((a, j) => (rng.next() < 0.9 ? a : newAccount(accounts + j, [0.3, 0.3, 0.4])));
  const drift = -0.3 + 0.6 * rng.next();
  const shifted = rng.int(k);
  const shiftBy = 0.15 + 0.3 * rng.next();
  // Launches on known targets, each changing one attribute.
  const pick = (): string => FAMILY_ATTRIBUTES[rng.int(k)]!;
  const listed = wave1Accounts.filter((a) => a.segment === 1 && rng.next() < 0.5).map((a) => a.id);
  const plans: { id: string; reached: LaunchReach; changes: Change[]; launchedOn: string }[] = [
    { id: 'smb-programme', reached: { segments: ['smb'], roles: ['business_owner'] }, changes: [{ attribute: pick(), op: 'add', value: 1 }], launchedOn: '2026-02-01' },
    { id: 'ops-support', reached: { segments: ['enterprise'], roles: ['operational_user'] }, changes: [{ attribute: pick(), op: 'closeGap', value: 0.35 }], launchedOn: '2026-03-01' },
    { id: 'named-accounts', reached: { accounts: listed }, changes: [{ attribute: pick(), op: 'add', value: 1.5 }], launchedOn: '2026-04-01' },
    { id: 'gatekeeper-billing', reached: { segments: ['smb'], roles: ['gatekeeper'] }, changes: [{ attribute: pick(), op: 'add', value: 1.2 }], launchedOn: '2026-05-01' },
  ];
  const reachedBy = (reach: LaunchReach, a: Account, role: number): boolean =>
    (!reach.segments || reach.segments.includes(FAMILY_SEGMENTS[a.segment]!)) && (!reach.roles || reach.roles.includes(FAMILY_ROLES[role]!)) && (!reach.accounts || reach.accounts.includes(a.id));

  const draw = (list: Account[], applyLaunches: boolean, waveDate: string) => {
    const ratings = Array.from({ length: k }, () => [] as number[]);
    const ltr: number[] = [];
    const segment: string[] = [];
    const role: string[] = [];
    const accountId: string[] = [];
    // Per launch, the NPS contribution with and without it (for the truth).
    const without = plans.map(() => 0);
    let withAll = 0;
    let noDrift = 0;
    let noShift = 0;
    const x = new Float64Array(k);
    const xNoShift = new Float64Array(k);
    for (const a of list) {
      const size = Math.min(10, 1 + Math.floor(-Math.log(1 - rng.next()) * (a.segment === 2 ? 4 : 2)));
      for (let m = 0; m < size; m++) {
        const r = rng.int(FAMILY_ROLES.length);
        const halo = rng.normal();
        for (let j = 0; j < k; j++) {
          const raw = truth.means[j]! + load[j]!.account * a.factor + load[j]!.halo * halo + load[j]!.own * rng.normal() + (truth.confounder ? truth.confounder.loadings[j]! * a.cause : 0);
          const shift = applyLaunches && j === shifted ? shiftBy : 0;
          x[j] = Math.min(10, Math.max(0, Math.round(raw + shift)));
          xNoShift[j] = Math.min(10, Math.max(0, Math.round(raw)));
        }
        const rest = 0.6 + truth.segmentShift[a.segment]! + truth.roleShift[r]! + a.effect + (truth.confounder ? truth.confounder.kappa * a.cause : 0) + noise(rng, features.noise) + (applyLaunches ? drift : 0);
        const base = Float64Array.from(x);
        const changed = Float64Array.from(x);
        const reachedHere = plans.map((p) => applyLaunches && reachedBy(p.reached, a, r));
        plans.forEach((p, l) => {
          if (!reachedHere[l]) return;
          for (const c of p.changes) {
            const j = FAMILY_ATTRIBUTES.indexOf(c.attribute as (typeof FAMILY_ATTRIBUTES)[number]);
            changed[j] = applyChange(c, changed[j]!);
          }
        });
        const y = categoryOf(ratingTerms(truth, a.segment, r, changed) + rest);
        withAll += netOf(y);
        noDrift += netOf(categoryOf(ratingTerms(truth, a.segment, r, changed) + rest - (applyLaunches ? drift : 0)));
        const changedNoShift = Float64Array.from(changed);
        changedNoShift[shifted] = changed[shifted]! - x[shifted]! + xNoShift[shifted]!;
        noShift += netOf(categoryOf(ratingTerms(truth, a.segment, r, changedNoShift) + rest));
        plans.forEach((p, l) => {
          if (!reachedHere[l]) {
            without[l]! += netOf(y);
            return;
          }
          const minus = Float64Array.from(base);
          plans.forEach((q, m2) => {
            if (m2 === l || !reachedHere[m2]) return;
            for (const c of q.changes) {
              const j = FAMILY_ATTRIBUTES.indexOf(c.attribute as (typeof FAMILY_ATTRIBUTES)[number]);
              minus[j] = applyChange(c, minus[j]!);
            }
          });
          without[l]! += netOf(categoryOf(ratingTerms(truth, a.segment, r, minus) + rest));
        });
        for (let j = 0; j < k; j++) ratings[j]!.push(rng.next() < 0.05 ? Number.NaN : changed[j]!);
        ltr.push(y);
        segment.push(FAMILY_SEGMENTS[a.segment]!);
        role.push(FAMILY_ROLES[r]!);
        accountId.push(a.id);
      }
    }
    const n = ltr.length;
    const columns: RespondentColumns = {
      size: n,
      attributes: [...FAMILY_ATTRIBUTES],
      respondentId: Array.from({ length: n }, (_, q) => `${waveDate}-R-${q}`),
      accountId,
      segment,
      role,
      wave: new Array<string | null>(n).fill(waveDate),
      accountRevenue: new Float64Array(n).fill(Number.NaN),
      ltr: Uint8Array.from(ltr),
      ratings: ratings.map((c) => Float64Array.from(c)),
    };
    return { columns, trueLifts: without.map((w) => (100 * (withAll - w)) / n), driftEffect: (100 * (withAll - noDrift)) / n, shiftEffect: (100 * (withAll - noShift)) / n };
  };
  const before = draw(wave1Accounts, false, BEFORE_DATE);
  const after = draw(wave2Accounts, true, AFTER_DATE);
  return {
    truth,
    attributes: FAMILY_ATTRIBUTES.map((name) => ({ name, kind: 'other', scale: [0, 10] })),
    before: before.columns,
    after: after.columns,
    launches: plans.map((p, l) => ({ id: p.id, initiativeId: p.id, launchedOn: p.launchedOn, endedOn: null, reached: p.reached, changes: p.changes, trueLift: after.trueLifts[l]! })),
    drift,
    ratingShift: { attribute: FAMILY_ATTRIBUTES[shifted]!, by: shiftBy },
    trueDriftEffect: after.driftEffect,
    trueShiftEffect: after.shiftEffect,
  };
}
