/**
 * Cause and effect, as the dashboard says it. Every lift the API forecasts is associational: it
 * reads how ratings go with loyalty across respondents as what changing a rating would do, and an
 * account-level cause that moves both (a strong relationship, a champion inside the account) makes
 * it overstate. The driver model checks for that (its `confounding`: within-account against
 * between-account effects), and each forecast carries a halo-adjusted lift that keeps only what
 * holds within accounts. This module shapes both for the page: the "Cause and effect" card, the
 * ranking's "within accounts" column and its note, and the portfolio's halo-adjusted figure. Pure,
 * so that test/unit/dashboardCause.test.ts can check it.
 */
import type { Confounding, ConfoundingRisk, HaloAdjusted, Outcome } from './contract.js';
import { bracket, finite, fixed, humanise, MISSING, percent, signed } from './format.js';
import type { Cell } from './rankingCells.js';

/** Which way the associational lifts are likely off, by the model's check; `null` when it finds no bias (or could not look). */
export type LiftBias = 'overstate' | 'understate';

/**
 * Which way the associational lifts are likely off: for a risk of `some` or `high`, `overstate`
 * unless the within-account effects are on the whole stronger than the associational ones (ρ > 1,
 * then `understate`). `null` for `none`, `unknown`, or a model without the check.
 */
export function liftBias(confounding: Confounding | null | undefined): LiftBias | null {
  if (!confounding || (confounding.risk !== 'some' && confounding.risk !== 'high')) return null;
  return finite(confounding.survival) && confounding.survival > 1 ? 'understate' : 'overstate';
}

/** The risk as a badge: its words, its classes (`risk risk-<risk>`) and what it means. */
export interface RiskBadge {
  risk: ConfoundingRisk;
  text: string;
  className: string;
  /** One sentence on what the risk means for the lifts (for `unknown`, why it is unknown). */
  detail: string;
}

const RISK_WORDS: ReadonlyMap<ConfoundingRisk, string> = new Map([
  ['none', 'No sign of confounding'],
  ['some', 'Some confounding risk'],
  ['high', 'High confounding risk'],
  ['unknown', 'Confounding risk unknown'],
]);

/** The badge for the model's confounding risk. */
export function riskBadge(confounding: Confounding): RiskBadge {
  const risk = confounding.risk;
  const bias = liftBias(confounding);
  const detail =
    risk === 'unknown'
      ? (confounding.reason ?? 'The check could not be made on this wave.')
      : risk === 'none'
        ? 'Effects within accounts agree with those across accounts: no account-level cause appears to inflate the lifts.'
        : bias === 'understate'
          ? 'Effects within accounts are stronger than across them: the associational lifts may understate.'
          : `Effects within accounts are ${risk === 'high' ? 'much ' : ''}weaker than across them: the associational lifts likely overstate.`;
  return { risk, text: RISK_WORDS.get(risk) ?? risk, className: `risk risk-${risk}`, detail };
}

/**
 * ρ in words, or `null` when the check has none (risk `unknown`).
 * @example survivalText(0.62) // '62% of the associational effect holds within accounts'
 */
export function survivalText(survival: number | null): string | null {
  return finite(survival) ? `${percent(survival)} of the associational effect holds within accounts` : null;
}

/** What the check ran on, and its joint test, in one sentence. */
export function checkText(confounding: Confounding): string {
  const c = confounding.coverage;
  const parts = [
    `Checked on ${confounding.respondents.toLocaleString('en-US')} respondents; ${c.multiAccounts.toLocaleString('en-US')} of ${c.accounts.toLocaleString('en-US')} accounts have two or more (${percent(c.multiShare)} of respondents).`,
  ];
  const t = confounding.test;
  if (t) {
    const p = Math.exp(t.logP);
    parts.push(`Joint test that within and between effects agree: \u03c7\u00b2(${t.df}) = ${fixed(t.statistic)}, p ${p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`}.`);
  }
  return parts.join(' ');
}

/** One attribute's row of the card's table, every figure written. */
export interface CauseRow {
  name: string;
  label: string;
  /** Latent units per rating point, with its 95 % interval. */
  within: string;
  withinInterval: string;
  between: string;
  betweenInterval: string;
  /** between − within, the figure the rows are sorted by. */
  contrast: number;
  /** Share of the associational effect kept within accounts, ± its standard error (`62% ± 8`). */
  haloFactor: string;
  /** RV₀.₅ in % (one decimal below 10 %: a small value is the news). */
  robustness: string;
}

const slope = (v: number): string => signed(v, 3);

/** A share in %, with one decimal below 10 % (a robustness value of 0.4 % is not 0 %). */
function smallPercent(v: number): string {
  return finite(v) && Math.abs(v) < 0.1 ? `${fixed(100 * v, 1)}%` : percent(v);
}

/**
 * The check's attributes as table rows, sorted by contrast (between − within), largest first: the
 * attributes whose effect across accounts most exceeds their effect within one lead. Ties keep the
 * model's order. Empty for a check that could not be made.
 *
 * @param labels the dataset's attribute labels, by attribute name
 */
export function causeRows(confounding: Confounding, labels: ReadonlyMap<string, string>): CauseRow[] {
  return confounding.attributes
    .map((a, i) => ({ a, i }))
    .sort((x, y) => y.a.contrast.estimate - x.a.contrast.estimate || x.i - y.i)
    .map(({ a }) => ({
      name: a.attribute,
      label: labels.get(a.attribute) || humanise(a.attribute),
      within: slope(a.within.estimate),
      withinInterval: bracket(a.within.interval, slope),
      between: slope(a.between.estimate),
      betweenInterval: bracket(a.between.interval, slope),
      contrast: a.contrast.estimate,
      haloFactor: finite(a.haloFactorSe) ? `${percent(a.haloFactor)} \u00b1 ${fixed(100 * a.haloFactorSe, 0)}` : percent(a.haloFactor),
      robustness: smallPercent(a.robustness),
    }));
}

/** Below this many points an associational lift is too near zero for its ratio to mean anything. */
const RATIO_FLOOR = 0.05;

/**
 * The halo-adjusted lift against the associational one, in words (the tooltip of every
 * "within accounts" figure).
 *
 * @example haloDifference(3.4, { lift: 2.1, interval: [1, 3.2], factor: 0.62 })
 * // 'Within accounts +2.1 points against +3.4 associational (62% of it): the −1.3 points between them are what the associational lift credits to account-level causes that move ratings and loyalty together.'
 */
export function haloDifference(associational: number, halo: HaloAdjusted): string {
  const share = Math.abs(associational) >= RATIO_FLOOR && finite(halo.factor) ? ` (${percent(halo.factor)} of it)` : '';
  return (
    `Within accounts ${signed(halo.lift)} points against ${signed(associational)} associational${share}: ` +
    `the ${signed(halo.lift - associational)} points between them are what the associational lift credits to account-level causes that move ratings and loyalty together.`
  );
}

/** The ranking's "within accounts" cell: a table cell with the tooltip that explains it. */
export interface HaloCell extends Cell {
  title: string;
}

/**
 * An initiative's "within accounts" cell: its halo-adjusted lift and interval, for all accounts
 * only (the forecast has none by segment), or an en dash that says why.
 *
 * @param segment the segment the ranking's NPS is for, `''` for all accounts
 */
export function haloCell(outcome: Outcome | undefined, segment: string): HaloCell {
  const halo = outcome?.haloAdjusted;
  if (!outcome || !halo) return { className: 'num halo', main: MISSING, interval: '', title: 'No halo-adjusted lift: this forecast comes without a confounding check.' };
  if (segment) return { className: 'num halo', main: MISSING, interval: '', title: 'The halo-adjusted lift is forecast for all accounts only.' };
  return { className: 'num halo', main: signed(halo.lift), interval: bracket(halo.interval, signed), title: haloDifference(outcome.nps.lift, halo) };
}

/** The note under the ranked table: what the two lifts are, and a caution when the check found a bias. */
export interface LiftNote {
  text: string;
  /** The check found the associational lifts likely off: the note is highlighted. */
  caution: boolean;
}

/**
 * The note under a list of lifts.
 *
 * @param confounding the model's check (`null` before the model has loaded, or when it has none)
 * @param halo true when the forecast carries halo-adjusted lifts
 * @param segment true when the lifts shown are one segment's
 */
export function liftNote(confounding: Confounding | null | undefined, halo: boolean, segment: boolean): LiftNote {
  const bias = liftBias(confounding);
  const parts: string[] = [];
  if (confounding && bias === 'overstate') parts.push(`The driver model finds ${confounding.risk} confounding risk: the associational lifts likely overstate what the initiatives would do.`);
  if (confounding && bias === 'understate') parts.push(`The driver model finds ${confounding.risk} confounding risk, with effects stronger within accounts than across them: the associational lifts may understate.`);
  parts.push('NPS lift is associational: it reads how ratings go with loyalty across respondents as what changing a rating would do.');
  if (halo) parts.push(`Within accounts is the halo-adjusted lift: only what holds within accounts, with account-level causes that move ratings and loyalty together taken out${segment ? '; it is forecast for all accounts only' : ''}.`);
  else parts.push('This forecast has no halo-adjusted lift (its model has no confounding check).');
  parts.push('Neither is causal until calibrated against realised results.');
  return { text: parts.join(' '), caution: bias !== null };
}

/** The portfolio's halo-adjusted figure for the headline: its line, and the tooltip that explains it; `null` without one. */
export function withinLine(outcome: Outcome): { text: string; title: string } | null {
  const halo = outcome.haloAdjusted;
  if (!halo) return null;
  return { text: `within accounts ${signed(halo.lift)} ${bracket(halo.interval, signed)}`.trim(), title: haloDifference(outcome.nps.lift, halo) };
}

/** The badge beside an associational lift when the check found it likely off; `null` when it did not. */
export function biasBadge(confounding: Confounding | null | undefined): { text: string; title: string } | null {
  const bias = liftBias(confounding);
  if (!confounding || !bias) return null;
  return { text: bias === 'overstate' ? 'likely overstated' : 'may understate', title: `${RISK_WORDS.get(confounding.risk)}. ${riskBadge(confounding).detail}` };
}
