/**
 * The driver model's effect curves as the curve chart shows them (charts/curves.ts): which
 * attributes the picker offers (curved ones first), one curve's points with their band, and the
 * sentence that says in words what the chart draws, its text alternative. Pure, so that
 * test/unit/dashboardCurves.test.ts can check it.
 *
 * A curve is the latent effect at each point of the attribute's scale relative to its mean rating
 * (so it crosses zero at the mean), with a 95 % interval; a straight attribute is a line too.
 */
import type { DriverModel, EffectCurve } from './contract.js';
import { bracket, finite, fixed, humanise, signed } from './format.js';

/** One entry of the attribute picker. */
export interface CurveChoice {
  /** The attribute's name in the data (tenant input: only ever a value or text, never a key). */
  name: string;
  label: string;
  curved: boolean;
  /** What the picker shows: the label, marked when the attribute's effect bends. */
  text: string;
}

/**
 * The attributes that have a curve, curved ones first, each group most important first (the
 * importance bars' order; the model's order where it has no importance figures).
 *
 * @param labels the dataset's attribute labels, by attribute name
 * @example curveChoices(model, labels)[0] // { name: 'onboarding', label: 'Onboarding', curved: true, text: 'Onboarding (curved)' }
 */
export function curveChoices(model: DriverModel, labels: ReadonlyMap<string, string>): CurveChoice[] {
  const rank = new Map<string, number>();
  [...(model.importance ?? [])].sort((a, b) => b.share - a.share).forEach((i, r) => rank.set(i.attribute, r));
  return (model.curves ?? [])
    .map((c, i) => ({ c, i, r: rank.get(c.attribute) ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => Number(b.c.curved) - Number(a.c.curved) || a.r - b.r || a.i - b.i)
    .map(({ c }) => {
      const label = labels.get(c.attribute) || humanise(c.attribute);
      return { name: c.attribute, label, curved: c.curved, text: c.curved ? `${label} (curved)` : label };
    });
}

/** The attribute to draw: `wanted` when it is still offered, else the first choice; `null` when there is none. */
export function pickCurve(choices: readonly CurveChoice[], wanted: string | null): CurveChoice | null {
  return choices.find((c) => c.name === wanted) ?? choices[0] ?? null;
}

/** One scale point as drawn. */
export interface CurvePlotPoint {
  /** The rating. */
  x: number;
  /** The effect, relative to the mean rating. */
  y: number;
  /** The band: the 95 % interval, or the effect itself where the interval is missing. */
  lo: number;
  hi: number;
  hasInterval: boolean;
  /** A knot sits at this rating (the slope may change here). */
  knot: boolean;
}

/** The curve's points in rating order, leaving out any without a finite rating and effect. */
export function curvePoints(curve: EffectCurve): CurvePlotPoint[] {
  const knots = new Set(curve.knots);
  return curve.points
    .filter((p) => finite(p.rating) && finite(p.effect))
    .sort((a, b) => a.rating - b.rating)
    .map((p) => {
      const [lo, hi] = p.interval ?? [];
      const hasInterval = finite(lo) && finite(hi);
      return { x: p.rating, y: p.effect, lo: hasInterval ? Math.min(lo, hi) : p.effect, hi: hasInterval ? Math.max(lo, hi) : p.effect, hasInterval, knot: knots.has(p.rating) };
    });
}

/** The slope between two neighbouring scale points, per rating point. */
export interface CurveStretch {
  from: number;
  to: number;
  slope: number;
}

/** The slopes between neighbouring points: equal along a straight line, changing at a curve's knots. */
export function stretches(points: readonly CurvePlotPoint[]): CurveStretch[] {
  return points.slice(1).map((p, i) => {
    const q = points[i]!;
    return { from: q.x, to: p.x, slope: (p.y - q.y) / (p.x - q.x) };
  });
}

/**
 * Neighbouring stretches whose slopes read the same to two decimals, merged into one: a piecewise
 * straight curve reads as its pieces ("from 0 to 5, +0.30 a point"), not as ten equal steps.
 */
export function runs(parts: readonly CurveStretch[]): CurveStretch[] {
  const out: { from: number; to: number; rise: number; shown: string }[] = [];
  for (const s of parts) {
    const shown = signed(s.slope, 2);
    const last = out.at(-1);
    const rise = s.slope * (s.to - s.from);
    if (last && last.shown === shown && last.to === s.from) {
      last.to = s.to;
      last.rise += rise;
    } else out.push({ from: s.from, to: s.to, rise, shown });
  }
  return out.map((r) => ({ from: r.from, to: r.to, slope: r.rise / (r.to - r.from) }));
}

/** Numbers as a list in words: `3`, `3 and 5`, `3, 5 and 7`. */
export function listOf(values: readonly number[]): string {
  const words = values.map((v) => fixed(v, Number.isInteger(v) ? 0 : 1));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * The chart's text alternative: whether the effect bends, where the knots are, where it is steepest
 * and flattest (over the longest stretches of equal slope, see {@link runs}), and its range over the scale. Effects are in the model's latent units, 0 at the
 * attribute's mean rating.
 *
 * @example describeCurve(straight, 'Ease of use')
 * // 'Ease of use: a straight line. Each rating point changes the latent score by +0.07, from −0.47 at 0 to +0.19 at 10 (0 at the mean rating).'
 */
export function describeCurve(curve: EffectCurve, label: string): string {
  const points = curvePoints(curve);
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || points.length < 2) return `${label}: the model has no effect curve to show.`;
  const range = `from ${signed(first.y, 2)} at ${fixed(first.x, 0)} to ${signed(last.y, 2)} at ${fixed(last.x, 0)} (0 at the mean rating)`;
  if (!curve.curved) return `${label}: a straight line. Each rating point changes the latent score by ${signed((last.y - first.y) / (last.x - first.x), 2)}, ${range}.`;
  const knots = curve.knots.filter(finite);
  const bend = knots.length ? `curved, with ${knots.length === 1 ? 'a knot' : 'knots'} at ${listOf(knots)} (where the slope may change)` : 'curved';
  const s = runs(stretches(points));
  const steepest = s.reduce((a, b) => (Math.abs(b.slope) > Math.abs(a.slope) ? b : a));
  const flattest = s.reduce((a, b) => (Math.abs(b.slope) < Math.abs(a.slope) ? b : a));
  const per = (x: CurveStretch): string => `from ${fixed(x.from, 0)} to ${fixed(x.to, 0)}, ${signed(x.slope, 2)} a point`;
  return `${label}: ${bend}. Steepest ${per(steepest)}; flattest ${per(flattest)}; ${range}.`;
}

/** One row of the points table under the chart. */
export interface CurveRow {
  rating: string;
  effect: string;
  interval: string;
  knot: boolean;
}

/** The points as the table under the chart writes them (the interval blank where it is missing). */
export function curveRows(curve: EffectCurve): CurveRow[] {
  return curvePoints(curve).map((p) => ({
    rating: fixed(p.x, Number.isInteger(p.x) ? 0 : 1),
    effect: signed(p.y, 2),
    interval: p.hasInterval ? bracket([p.lo, p.hi], (v) => signed(v, 2)) : '',
    knot: p.knot,
  }));
}
