/**
 * The NPS waterfall's bars: today's NPS, each initiative's lift on its own (largest first), what
 * they lose together to overlap and saturation, and the portfolio's NPS. Pure, so the arithmetic
 * (the bars must end where the portfolio forecast is) is tested apart from the drawing.
 */
import type { Forecast } from './contract.js';
import { bracket, finite, fixed, niceBounds, short, signed } from './format.js';
import { OVERLAP_COLOUR, TOTAL_COLOUR } from './theme.js';

export interface WaterfallBar {
  label: string;
  /** Where a floating bar starts; absent for the totals, which start at the axis. */
  from?: number;
  to: number;
  colour: string;
  /** The figure written at the bar's end. */
  text: string;
  /** Tooltip: title, then lines. */
  tip: [string, ...string[]];
}

export interface Waterfall {
  bars: WaterfallBar[];
  /** The lifts of the initiatives one by one, summed. */
  sum: number;
  /** Axis bounds: a round number under every bar, and room above for the labels. */
  lo: number;
  top: number;
}

/**
 * The waterfall of a forecast.
 * @param colours each initiative's colour, by id
 */
export function waterfall(forecast: Forecast, colours: ReadonlyMap<string, string>): Waterfall {
  const p = forecast.portfolio.nps;
  const initiatives = forecast.initiatives.slice().sort((a, b) => b.nps.lift - a.nps.lift);
  let run = p.baseline;
  const bars: WaterfallBar[] = [{ label: 'NPS today', to: p.baseline, colour: TOTAL_COLOUR, text: fixed(p.baseline), tip: [`Baseline NPS ${fixed(p.baseline)}`] }];
  for (const o of initiatives) {
    bars.push({
      label: short(o.name, 36),
      from: run,
      to: run + o.nps.lift,
      colour: colours.get(o.id) ?? OVERLAP_COLOUR,
      text: signed(o.nps.lift),
      tip: [o.name, `Lift on its own ${signed(o.nps.lift)} points ${bracket(o.nps.interval, signed)}`],
    });
    run += o.nps.lift;
  }
  const sum = run - p.baseline;
  const overlap = p.lift - sum;
  bars.push({
    label: 'Overlap and saturation',
    from: run,
    to: run + overlap,
    colour: OVERLAP_COLOUR,
    text: signed(overlap),
    tip: [`Overlap and saturation ${signed(overlap)} points`, `Portfolio lift ${signed(p.lift)} vs. ${signed(sum)} summed alone`],
  });
  bars.push({
    label: 'NPS with all initiatives',
    to: p.predicted,
    colour: TOTAL_COLOUR,
    text: `${fixed(p.predicted)} (${signed(p.lift)})`,
    tip: [`Portfolio forecast ${fixed(p.predicted)}`, `Lift ${signed(p.lift)} points ${bracket(p.interval, signed)}`],
  });
  const values = bars.flatMap((b) => (finite(b.from) ? [b.to, b.from] : [b.to]));
  const lo = Math.floor(Math.min(...values) - 1);
  const hi = Math.max(...values);
  return { bars, sum, lo, top: niceBounds(lo, hi + (hi - lo) * 0.2, 0).max };
}
