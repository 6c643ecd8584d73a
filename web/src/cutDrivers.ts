/**
 * Detractor drivers and promoter drivers as the paired bar chart shows them (charts/cutDrivers.ts):
 * for each attribute, the share of today's detractors a +1 point change lifts out of detractor,
 * and the share of today's non-promoters it makes promoters, in %. An attribute can rank high on
 * one and low on the other (fixing what angers detractors is not what delights passives), so each
 * row carries its rank in both. Pure, so that test/unit/dashboardCurves.test.ts can check it.
 */
import type { DriverModel } from './contract.js';
import { finite, fixed, humanise } from './format.js';

/** What the bars are sorted by. */
export const CUT_SORTS = ['leavingDetractor', 'becomingPromoter'] as const;
export type CutSort = (typeof CUT_SORTS)[number];

/** True when `value` (the sort picker's value) names a sort. */
export function isCutSort(value: string | null | undefined): value is CutSort {
  return (CUT_SORTS as readonly (string | null | undefined)[]).includes(value);
}

export interface CutDriverRow {
  name: string;
  label: string;
  /** % of today's detractors a +1 point change lifts out of detractor; `null` when not a finite figure. */
  leavingDetractor: number | null;
  /** % of today's non-promoters a +1 point change makes promoters; `null` when not a finite figure. */
  becomingPromoter: number | null;
  /** 1 for the attribute that moves the most detractors, and so on. */
  detractorRank: number;
  /** 1 for the attribute that makes the most promoters, and so on. */
  promoterRank: number;
}

const pct = (v: unknown): number | null => (finite(v) ? 100 * v : null);

/** Descending, figures that do not exist last. */
function byDescending(a: number | null, b: number | null): number {
  return (b ?? Number.NEGATIVE_INFINITY) - (a ?? Number.NEGATIVE_INFINITY) || 0;
}

/**
 * The model's drivers as rows, sorted by `sortBy` (largest first; ties by the other figure, then
 * the model's order). `null` when the model has none (a linear model, or one stored before
 * version 2).
 *
 * @param labels the dataset's attribute labels, by attribute name
 * @default sortBy 'leavingDetractor'
 */
export function cutDriverRows(model: DriverModel, labels: ReadonlyMap<string, string>, sortBy: CutSort = 'leavingDetractor'): CutDriverRow[] | null {
  if (!model.drivers || !model.drivers.length) return null;
  const rows = model.drivers.map((d) => ({
    name: d.attribute,
    label: labels.get(d.attribute) || humanise(d.attribute),
    leavingDetractor: pct(d.leavingDetractor),
    becomingPromoter: pct(d.becomingPromoter),
    detractorRank: 0,
    promoterRank: 0,
  }));
  const ranked = (key: CutSort): CutDriverRow[] => rows.map((r, i) => ({ r, i })).sort((a, b) => byDescending(a.r[key], b.r[key]) || a.i - b.i).map(({ r }) => r);
  ranked('leavingDetractor').forEach((r, i) => (r.detractorRank = i + 1));
  ranked('becomingPromoter').forEach((r, i) => (r.promoterRank = i + 1));
  const other: CutSort = sortBy === 'leavingDetractor' ? 'becomingPromoter' : 'leavingDetractor';
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => byDescending(a.r[sortBy], b.r[sortBy]) || byDescending(a.r[other], b.r[other]) || a.i - b.i)
    .map(({ r }) => r);
}

/** A share in % as the bars and the table write it: one decimal. */
export function sharePercent(v: number | null): string {
  return `${fixed(v)}${finite(v) ? '%' : ''}`;
}

/**
 * The sentence above the chart, also its text alternative: the biggest driver at each cut, and
 * whether it is the same attribute.
 *
 * @example cutDriversSummary(rows)
 * // 'A +1 point change on Reliability moves the most detractors (11.1% leave detractor) and makes the most promoters (4.2% of non-promoters).'
 */
export function cutDriversSummary(rows: readonly CutDriverRow[]): string {
  const top = (rank: 'detractorRank' | 'promoterRank'): CutDriverRow | undefined => rows.find((r) => r[rank] === 1);
  const d = top('detractorRank');
  const p = top('promoterRank');
  if (!d || !p) return 'The model has no detractor or promoter drivers to show.';
  const leave = `${sharePercent(d.leavingDetractor)} leave detractor`;
  const become = `${sharePercent(p.becomingPromoter)} of non-promoters`;
  if (d === p) return `A +1 point change on ${d.label} moves the most detractors (${leave}) and makes the most promoters (${become}).`;
  return `A +1 point change on ${d.label} moves the most detractors (${leave}); on ${p.label}, it makes the most promoters (${become}).`;
}
