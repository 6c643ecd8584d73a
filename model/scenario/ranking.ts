/**
 * Ranked investment lists: a forecast's initiatives in order of a finance metric, each with its
 * interval and the probability that it truly belongs above the next one. Pure: the API pages and
 * formats what this returns.
 */
import { z } from 'zod';
import type { Forecast, Outcome } from './contract.js';
import { normalCdf, normalQuantile } from '../stats/normal.js';
import { own } from '../text.js';

export const RankBySchema = z.enum(['roi', 'npv', 'npsLift', 'liftPerMillion', 'paybackMonths']);
export type RankBy = z.infer<typeof RankBySchema>;

export interface RankedInitiative {
  rank: number;
  id: string;
  name: string;
  /** The metric ranked by (`null` when it cannot be computed, e.g. ROI without revenue). */
  value: number | null;
  interval: [number, number] | null;
  /** P(this initiative's true value is better than the next one's); `null` for the last or when unknown. */
  probabilityAboveNext: number | null;
  npsLift: number;
  npsInterval: [number, number];
  npv: number | null;
  roi: number | null;
  cost: number;
  paybackMonths: number | null;
  liftPerMillion: number | null;
}

type Initiative = Forecast['initiatives'][number];

/** Net present value of an initiative: discounted revenue impact minus discounted cost. */
const netValue = (o: Outcome): number | null => (o.revenue ? o.revenue.npv - o.cost.total : null);

function metric(o: Initiative, by: RankBy, segment: string | undefined): { value: number | null; interval: [number, number] | null } {
  const nps = segment !== undefined ? own(o.bySegment, segment) : o.nps;
  switch (by) {
    case 'npsLift':
      return { value: nps?.lift ?? null, interval: nps?.interval ?? null };
    case 'liftPerMillion': {
      if (!nps || !(o.cost.total > 0)) return { value: null, interval: null };
      const m = o.cost.total / 1e6;
      return { value: nps.lift / m, interval: [nps.interval[0] / m, nps.interval[1] / m] };
    }
    case 'roi':
      return o.roi ? { value: o.roi.estimate, interval: o.roi.interval } : { value: null, interval: null };
    case 'npv':
      return o.revenue ? { value: netValue(o), interval: [o.revenue.interval[0] - o.cost.total, o.revenue.interval[1] - o.cost.total] } : { value: null, interval: null };
    case 'paybackMonths':
      return { value: o.paybackMonths, interval: null };
  }
}

/**
 * Orders a forecast's initiatives by `by` (descending; ascending for payback), unknown values last,
 * ties in scenario order. With `segment`, NPS metrics use that segment's lift.
 *
 * The probability above the next is Φ(Δ/√(σ₁² + σ₂² − 2·Cov)), each σ read from its interval at the
 * forecast's level (half-width / z). Two initiatives forecast on one driver model share its error:
 * Cov is the mean product of their deviations under the model's bootstrap replicates
 * (`uncertainty.replicates`), so a steady gap between two lifts that move together is read as the
 * sure order it is. Without replicates (segment rankings, payback, older models) Cov is 0.
 */
export function rankInitiatives(forecast: Forecast, by: RankBy, segment?: string): RankedInitiative[] {
  const z = normalQuantile(0.5 + forecast.intervalLevel / 2);
  const rows = forecast.initiatives.map((o, order) => ({ o, order, ...metric(o, by, segment) }));
  const ascending = by === 'paybackMonths';
  rows.sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === null && b.value === null ? a.order - b.order : a.value === null ? 1 : -1;
    const d = ascending ? a.value - b.value : b.value - a.value;
    return d !== 0 ? d : a.order - b.order;
  });
  const sd = (iv: [number, number] | null): number | null => (iv ? (iv[1] - iv[0]) / (2 * z) : null);
  return rows.map((r, i) => {
    const next = rows[i + 1];
    let probabilityAboveNext: number | null = null;
    if (next && r.value !== null && next.value !== null) {
      const s1 = sd(r.interval);
      const s2 = sd(next.interval);
      if (s1 !== null && s2 !== null) {
        const cov = sharedCovariance(r.o, next.o, by, segment);
        const s = Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - 2 * cov));
        const diff = ascending ? next.value - r.value : r.value - next.value;
        probabilityAboveNext = s > 0 ? normalCdf(diff / s) : diff > 0 ? 1 : 0.5;
      }
    }
    const nps = segment !== undefined ? own(r.o.bySegment, segment)! : r.o.nps;
    return {
      rank: i + 1,
      id: r.o.id,
      name: r.o.name,
      value: r.value,
      interval: r.interval,
      probabilityAboveNext,
      npsLift: nps.lift,
      npsInterval: nps.interval,
      npv: netValue(r.o),
      roi: r.o.roi?.estimate ?? null,
      cost: r.o.cost.total,
      paybackMonths: r.o.paybackMonths,
      // With a segment, every NPS figure is that segment's, per million included.
      liftPerMillion: segment ? (r.o.cost.total > 0 ? nps.lift / (r.o.cost.total / 1e6) : null) : r.o.liftPerMillion,
    };
  });
}

/** Two outcomes' covariance through the driver model they share, in the ranked metric's units (0 when unknown). */
function sharedCovariance(a: Outcome, b: Outcome, by: RankBy, segment: string | undefined): number {
  if (segment !== undefined || by === 'paybackMonths') return 0;
  const pick = (o: Outcome): ArrayLike<number> | null => {
    const reps = o.uncertainty?.replicates;
    if (!reps) return null;
    if (by === 'npsLift') return reps.lift;
    if (by === 'liftPerMillion') return o.cost.total > 0 ? reps.lift.map((d) => d / (o.cost.total / 1e6)) : null;
    if (!reps.npv) return null;
    return by === 'npv' ? reps.npv : o.cost.total > 0 ? reps.npv.map((d) => d / o.cost.total) : null;
  };
  const x = pick(a);
  const y = pick(b);
  if (!x || !y || x.length !== y.length || x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s / x.length;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV cell, quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  // Names are checked on the way in (model/text.ts); a control character in older data leaves as U+FFFD, never raw.
  const clean = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\ufffd');
  const safe = FORMULA_START.test(clean) ? `'${clean}` : clean;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The ranking as CSV (one header row), for spreadsheets. */
export function rankingCsv(rows: readonly RankedInitiative[], by: RankBy): string {
  // The metric ranked by leads (with its interval); its own column among the others is not repeated.
  const metric = SNAKE[by];
  const columns = FIXED_COLUMNS.filter(([name]) => name !== metric && name !== `${metric}_low` && name !== `${metric}_high`);
  const header = ['rank', 'id', 'name', metric, `${metric}_low`, `${metric}_high`, 'probability_above_next', ...columns.map(([name]) => name)];
  const lines = [header.join(',')];
  for (const r of rows)
    lines.push(
      [r.rank, r.id, r.name, r.value, r.interval?.[0] ?? null, r.interval?.[1] ?? null, r.probabilityAboveNext, ...columns.map(([, read]) => read(r))]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}

const SNAKE: Readonly<Record<RankBy, string>> = { roi: 'roi', npv: 'npv', npsLift: 'nps_lift', liftPerMillion: 'lift_per_million', paybackMonths: 'payback_months' };

/** Columns after the ranked metric, in order. */
const FIXED_COLUMNS: readonly (readonly [string, (r: RankedInitiative) => number | null])[] = [
  ['nps_lift', (r) => r.npsLift],
  ['nps_lift_low', (r) => r.npsInterval[0]],
  ['nps_lift_high', (r) => r.npsInterval[1]],
  ['npv', (r) => r.npv],
  ['roi', (r) => r.roi],
  ['cost_total', (r) => r.cost],
  ['payback_months', (r) => r.paybackMonths],
  ['lift_per_million', (r) => r.liftPerMillion],
];
