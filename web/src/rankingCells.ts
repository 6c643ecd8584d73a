/**
 * What each cell of the ranked table says: the figure, its interval and its classes. Pure, so the
 * rules a reader relies on (the ranked column is bold, a negative value is red, an interval is the
 * ranked metric's own when the API gives one) are tested apart from the DOM.
 */
import type { Interval, Outcome, RankBy, RankedInitiative } from './contract.js';
import { bracket, finite, fixed, MISSING, percent, signed } from './format.js';

/** What the table's subtitle calls each metric. */
export const METRIC_NAMES: ReadonlyMap<RankBy, string> = new Map([
  ['npsLift', 'NPS lift'],
  ['npv', 'net value (NPV)'],
  ['roi', 'ROI'],
  ['paybackMonths', 'payback (shortest first)'],
  ['liftPerMillion', 'NPS lift per 1M spent'],
]);

/** Payback is ranked shortest first; every other metric largest first. */
export function sortOrder(by: RankBy): 'ascending' | 'descending' {
  return by === 'paybackMonths' ? 'ascending' : 'descending';
}

/** Net value's interval: the revenue interval less the (certain) discounted cost. */
export function netInterval(o: Outcome | null | undefined): Interval | null {
  return o && o.revenue ? [o.revenue.interval[0] - o.cost.total, o.revenue.interval[1] - o.cost.total] : null;
}

/** One numeric cell: its classes, its figure and the interval under it (`''` for none). */
export interface Cell {
  className: string;
  main: string;
  interval: string;
}

export interface CellFormats {
  money: (v: number | null | undefined) => string;
  /** `'3 years'`: a payback beyond the horizon says so. */
  horizon: string;
}

/**
 * The numeric cells of one ranked row, after rank and name: NPS lift, net value, ROI, cost,
 * payback, NPS per 1M and "beats next".
 *
 * @param outcome the initiative's forecast, for the intervals the ranking does not carry
 */
export function rankingCells(item: RankedInitiative, by: RankBy, outcome: Outcome | undefined, f: CellFormats): Cell[] {
  const ranked = (metric: RankBy): string => `num${metric === by ? ' ranked' : ''}`;
  const negative = (v: number | null): string => (finite(v) && v < 0 ? ' neg' : '');
  // The ranking's interval is for the metric it ranks by; other columns take the forecast's.
  const ivFor = (metric: RankBy, fallback: Interval | null): Interval | null => (metric === by && item.interval ? item.interval : fallback);
  // Per million from the row's own NPS lift, so that with a segment chosen it is that segment's too.
  const million = item.cost / 1e6;
  const perMillion = by === 'liftPerMillion' ? item.value : million > 0 ? item.npsLift / million : null;
  const perMillionIv: Interval | null = million > 0 ? [item.npsInterval[0] / million, item.npsInterval[1] / million] : null;
  const signed2 = (v: number): string => signed(v, 2);
  return [
    { className: ranked('npsLift'), main: signed(item.npsLift), interval: bracket(ivFor('npsLift', item.npsInterval), signed) },
    { className: ranked('npv') + negative(item.npv), main: f.money(item.npv), interval: bracket(ivFor('npv', netInterval(outcome)), f.money) },
    { className: ranked('roi') + negative(item.roi), main: percent(item.roi), interval: bracket(ivFor('roi', outcome?.roi ? outcome.roi.interval : null), percent) },
    { className: 'num', main: f.money(item.cost), interval: '' },
    { className: ranked('paybackMonths'), main: finite(item.paybackMonths) ? String(item.paybackMonths) : `beyond ${f.horizon}`, interval: '' },
    { className: ranked('liftPerMillion'), main: signed(perMillion, 2), interval: bracket(ivFor('liftPerMillion', perMillionIv), signed2) },
    { className: 'num', main: finite(item.probabilityAboveNext) ? `${Math.round(item.probabilityAboveNext * 100)}%` : MISSING, interval: '' },
  ];
}

/** The calibrated lift written under an associational one, with the tooltip that explains it. */
export interface CalibratedLine {
  text: string;
  title: string;
}

const launchesOf = (n: number): string => `${n} evaluated ${n === 1 ? 'launch' : 'launches'}`;

/**
 * An initiative's lift calibrated by the forecast ledger, for the line under its NPS lift: `null`
 * when the forecast carries none (before the ledger has an evaluated launch, or stored before
 * calibration existed) or when the ranking's NPS is one segment's (the calibrated lift is for all
 * accounts only).
 *
 * @param segment the segment the ranking's NPS is for, `''` for all accounts
 * @example calibratedLine(outcome, '')?.text // 'calibrated +1.6 [+0.4, +2.8]'
 */
export function calibratedLine(outcome: Outcome | undefined, segment: string): CalibratedLine | null {
  const c = outcome?.calibrated;
  if (!outcome || !c || segment) return null;
  return {
    text: `calibrated ${signed(c.lift)} ${bracket(c.interval, signed)}`.trim(),
    title:
      `Calibrated by the forecast ledger: ${signed(outcome.nps.lift)} points \u00d7 ${fixed(c.factor, 2)} (realised \u00f7 forecast over ${launchesOf(c.launches)}) = ${signed(c.lift)}; ` +
      'its interval adds the factor\u2019s own uncertainty.',
  };
}

/** The sentence the ranking's note adds when the forecast's lifts are calibrated; `null` when none is. */
export function calibratedNote(outcomes: readonly Outcome[], segment: string): string | null {
  const c = outcomes.find((o) => o.calibrated)?.calibrated;
  if (!c) return null;
  return (
    `Calibrated is the lift scaled by the forecast ledger (realised \u00f7 forecast over ${launchesOf(c.launches)}): what past launches say lifts like these deliver` +
    `${segment ? '; it is forecast for all accounts only' : ''}.`
  );
}
