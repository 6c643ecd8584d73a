/**
 * The spreadsheets finance asks for (`Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`):
 * a scenario's forecast and ranking (`GET /v1/scenarios/{id}/ranking`) and a comparison
 * (`POST /v1/compare`). Every figure is the stored forecast's own number, unrounded, shown through a
 * number format (so a sum in Excel adds what the API computed); each interval's ends sit in their
 * own columns; an Assumptions sheet states the economics, the horizon, the discount rate, the
 * interval level and the model the forecast was made on. A figure that does not exist (ROI without
 * revenue, a payback beyond the horizon) is an empty cell.
 */
import type { Economics, Outcome } from '../../model/scenario/contract.js';
import type { RankBy } from '../../model/scenario/ranking.js';
import type { ComparisonExport, ForecastExport, ModelUsed } from '../app/portfolio/service.js';
import type { ScenarioVersion } from '../app/scenarios/contract.js';
import { writeWorkbook, type Cell, type Column, type Sheet } from './xlsx.js';

const NPS = '0.0';
const WHOLE = '#,##0';
const SHARE = '0.0%';
const MONTHS = '0';

/** Literal currency signs Excel shows in every locale; other currencies are written by their code. */
const SIGNS = new Map([
  ['USD', '$'],
  ['EUR', '€'],
  ['GBP', '£'],
  ['JPY', '¥'],
]);

/**
 * The number format of amounts in `currency`: whole units with grouping, negatives in red with a
 * minus, e.g. `"$"#,##0;[Red]-"$"#,##0`.
 */
export function moneyFormat(currency: string): string {
  const sign = SIGNS.get(currency);
  const amount = sign ? `"${sign}"#,##0` : `#,##0 "${currency.replace(/[^A-Z]/g, '')}"`;
  return `${amount};[Red]-${amount}`;
}

const RANK_LABELS: Record<RankBy, { label: string; kind: 'nps' | 'money' | 'share' | 'months' }> = {
  npsLift: { label: 'NPS lift', kind: 'nps' },
  npv: { label: 'Net value (NPV)', kind: 'money' },
  roi: { label: 'ROI', kind: 'share' },
  paybackMonths: { label: 'Payback (months)', kind: 'months' },
  liftPerMillion: { label: 'NPS points per 1M', kind: 'nps' },
};

const netValue = (o: Outcome): number | null => (o.revenue ? o.revenue.npv - o.cost.total : null);

/** An estimate's three columns: the figure, then the low and high ends of its interval at `level`. */
function estimate(header: string, format: string | undefined, width: number, level: string): Column[] {
  return [
    { header, ...(format ? { format } : {}), width },
    { header: `${header} low (${level})`, ...(format ? { format } : {}), width: width + 4 },
    { header: `${header} high (${level})`, ...(format ? { format } : {}), width: width + 4 },
  ];
}

/** The forecast's columns, shared by the initiative rows and the portfolio row. */
function outcomeColumns(money: string, level: string): Column[] {
  return [
    { header: 'NPS baseline', format: NPS, width: 12 },
    { header: 'NPS predicted', format: NPS, width: 13 },
    ...estimate('NPS lift', NPS, 10, level),
    ...estimate('Within accounts lift', NPS, 14, level),
    ...estimate('Revenue impact', money, 16, level),
    { header: 'One-time cost', format: money, width: 14 },
    { header: 'Annual cost', format: money, width: 14 },
    { header: 'Cost (discounted)', format: money, width: 15 },
    { header: 'Net value (NPV − cost)', format: money, width: 16 },
    ...estimate('ROI', SHARE, 9, level),
    { header: 'Payback (months)', format: MONTHS, width: 12 },
    { header: 'NPS points per 1M', format: NPS, width: 12 },
  ];
}

function outcomeCells(o: Outcome): Cell[] {
  return [
    o.nps.baseline,
    o.nps.predicted,
    o.nps.lift,
    o.nps.interval[0],
    o.nps.interval[1],
    o.haloAdjusted?.lift,
    o.haloAdjusted?.interval[0],
    o.haloAdjusted?.interval[1],
    o.revenue?.npv,
    o.revenue?.interval[0],
    o.revenue?.interval[1],
    o.cost.oneTime,
    o.cost.annual,
    o.cost.total,
    netValue(o),
    o.roi?.estimate,
    o.roi?.interval[0],
    o.roi?.interval[1],
    o.paybackMonths,
    o.liftPerMillion,
  ];
}

const percentLevel = (level: number): string => `${Math.round(level * 100)}%`;

/** The scenario's assumptions as label / value / note rows. */
function assumptionRows(v: ScenarioVersion & { forecast: NonNullable<ScenarioVersion['forecast']> }, model: ModelUsed): Cell[][] {
  const f = v.forecast;
  const s = v.scenario;
  const rows: Cell[][] = [
    ['Scenario', v.name, v.id],
    ['Version', { value: v.version, format: '0' }, `forecast computed ${f.computedAt}`],
    ['Currency', f.currency, 'every amount is in this currency'],
    ['Horizon (years)', { value: s.horizonYears, format: '0' }, 'revenue and cost are counted over it'],
    ['Discount rate', { value: s.discountRate, format: SHARE }, 'per year, for every NPV and the discounted cost'],
    ['Interval level', { value: f.intervalLevel, format: '0%' }, 'of every low / high column'],
    ['Revenue source', f.assumptions.revenueSource, f.assumptions.revenueSource === 'none' ? 'no revenue: NPV, net value and ROI are empty' : ''],
    ['Model', model.id, model.method ? `method ${model.method}` : 'the model could not be read'],
    ['Model dataset', model.datasetId, model.fittedAt ? `fitted ${model.fittedAt}` : ''],
    ['Respondents the model used', model.respondents === null ? null : { value: model.respondents, format: WHOLE }, ''],
    ['Forecast method', f.assumptions.method, ''],
  ];
  rows.push(...economicsRows(f.assumptions.economics));
  for (const [role, weight] of Object.entries(f.assumptions.roleWeights)) rows.push([`Role weight: ${role}`, { value: weight, format: '0.00' }, 'how much the role counts in its account’s loyalty mix']);
  for (const note of f.assumptions.notes) rows.push(['Note', note, '']);
  return rows;
}

function economicsRows(e: Economics): Cell[][] {
  const rows: Cell[][] = [];
  for (const group of ['promoter', 'passive', 'detractor'] as const) {
    const g = e[group];
    rows.push(
      [`${group[0]!.toUpperCase()}${group.slice(1)} accounts: retention`, { value: g.retention, format: SHARE }, 'share of revenue kept each year'],
      [`${group[0]!.toUpperCase()}${group.slice(1)} accounts: expansion`, { value: g.expansion, format: SHARE }, 'net expansion of kept revenue each year'],
      [`${group[0]!.toUpperCase()}${group.slice(1)} accounts: referral`, { value: g.referral, format: SHARE }, 'referral revenue, share of revenue each year'],
      [`${group[0]!.toUpperCase()}${group.slice(1)} accounts: cost to serve`, { value: g.costToServe, format: SHARE }, 'extra cost, share of revenue each year'],
    );
  }
  return rows;
}

const ASSUMPTION_COLUMNS: Column[] = [
  { header: 'Assumption', width: 36 },
  { header: 'Value', width: 30 },
  { header: 'Note', width: 60 },
];

/**
 * A scenario's workbook: Forecast (each initiative on its own, then the portfolio), By segment,
 * Ranking (in the order asked for, with the probability that each beats the next) and Assumptions.
 */
export function forecastWorkbook(x: ForecastExport): Uint8Array<ArrayBuffer> {
  const f = x.scenario.forecast;
  const money = moneyFormat(f.currency);
  const level = percentLevel(f.intervalLevel);
  const segments = Object.keys(f.baseline.bySegment).sort();
  const forecast: Sheet = {
    name: 'Forecast',
    columns: [{ header: 'Initiative id', width: 24 }, { header: 'Initiative', width: 36 }, { header: 'Respondents targeted', format: WHOLE, width: 12 }, { header: 'Respondents reached', format: WHOLE, width: 12 }, ...outcomeColumns(money, level)],
    rows: [
      ...f.initiatives.map((o): Cell[] => [o.id, o.name, o.targeted, o.reached, ...outcomeCells(o)]),
      ['portfolio', 'Portfolio: every initiative together', null, null, ...outcomeCells(f.portfolio)],
    ],
  };
  const bySegment: Sheet = {
    name: 'By segment',
    columns: [
      { header: 'Initiative id', width: 24 },
      { header: 'Segment', width: 18 },
      { header: 'NPS baseline', format: NPS },
      { header: 'NPS predicted', format: NPS },
      ...estimate('NPS lift', NPS, 10, level),
      { header: 'Respondents', format: WHOLE },
    ],
    rows: [...f.initiatives, { ...f.portfolio, id: 'portfolio' }].flatMap((o) =>
      segments.flatMap((s): Cell[][] => {
        const n = new Map(Object.entries(o.bySegment)).get(s);
        return n ? [[o.id, s, n.baseline, n.predicted, n.lift, n.interval[0], n.interval[1], n.respondents]] : [];
      }),
    ),
  };
  const metric = RANK_LABELS[x.by];
  const metricFormat = metric.kind === 'money' ? money : metric.kind === 'share' ? SHARE : metric.kind === 'months' ? MONTHS : NPS;
  const ranking: Sheet = {
    name: 'Ranking',
    columns: [
      { header: 'Rank', format: '0', width: 6 },
      { header: 'Initiative id', width: 24 },
      { header: 'Initiative', width: 36 },
      ...estimate(`Ranked by: ${metric.label}${x.segment ? ` (${x.segment})` : ''}`, metricFormat, 18, level),
      { header: 'Probability it beats the next', format: '0%', width: 14 },
      ...estimate(`NPS lift${x.segment ? ` (${x.segment})` : ''}`, NPS, 10, level),
      { header: 'Net value (NPV − cost)', format: money, width: 16 },
      { header: 'ROI', format: SHARE, width: 9 },
      { header: 'Cost (discounted)', format: money, width: 15 },
      { header: 'Payback (months)', format: MONTHS, width: 12 },
      { header: 'NPS points per 1M', format: NPS, width: 12 },
    ],
    rows: x.ranking.map((r): Cell[] => [r.rank, r.id, r.name, r.value, r.interval?.[0], r.interval?.[1], r.probabilityAboveNext, r.npsLift, r.npsInterval[0], r.npsInterval[1], r.npv, r.roi, r.cost, r.paybackMonths, r.liftPerMillion]),
  };
  const assumptions: Sheet = { name: 'Assumptions', columns: ASSUMPTION_COLUMNS, rows: assumptionRows(x.scenario, x.model) };
  return writeWorkbook([forecast, bySegment, ranking, assumptions]);
}

/**
 * A comparison's workbook: Comparison (one row per scenario's portfolio), Differences (each pair,
 * a − b, with intervals, and the note on how they were computed) and Assumptions (each scenario's).
 */
export function comparisonWorkbook(x: ComparisonExport): Uint8Array<ArrayBuffer> {
  const c = x.comparison;
  const levels = new Set(c.scenarios.map((s) => percentLevel(s.intervalLevel)));
  const level = levels.size === 1 ? [...levels][0]! : 'each scenario’s level';
  const currencies = new Set(c.scenarios.map((s) => s.currency));
  const sharedMoney = currencies.size === 1 ? moneyFormat([...currencies][0]!) : undefined;
  const money = (currency: string, v: number | null | undefined): Cell => (v === null || v === undefined ? null : { value: v, format: moneyFormat(currency) });
  const comparison: Sheet = {
    name: 'Comparison',
    columns: [
      { header: 'Scenario id', width: 30 },
      { header: 'Scenario', width: 32 },
      { header: 'Version', format: '0', width: 8 },
      { header: 'Currency', width: 9 },
      { header: 'NPS baseline', format: NPS },
      { header: 'NPS with portfolio', format: NPS },
      ...estimate('NPS lift', NPS, 10, level),
      ...estimate('Net value (NPV − cost)', undefined, 16, level),
      ...estimate('ROI', SHARE, 9, level),
      { header: 'One-time cost', width: 14 },
      { header: 'Annual cost', width: 14 },
      { header: 'Cost (discounted)', width: 15 },
      { header: 'Payback (months)', format: MONTHS, width: 12 },
      { header: 'NPS points per 1M', format: NPS, width: 12 },
    ],
    rows: c.scenarios.map((s): Cell[] => [
      s.id,
      s.name,
      s.version,
      s.currency,
      s.baselineNps,
      s.nps.predicted,
      s.nps.lift,
      s.nps.interval[0],
      s.nps.interval[1],
      money(s.currency, s.netValue?.value),
      money(s.currency, s.netValue?.interval[0]),
      money(s.currency, s.netValue?.interval[1]),
      s.roi?.estimate,
      s.roi?.interval[0],
      s.roi?.interval[1],
      money(s.currency, s.cost.oneTime),
      money(s.currency, s.cost.annual),
      money(s.currency, s.cost.total),
      s.paybackMonths,
      s.liftPerMillion,
    ]),
  };
  const names = new Map(c.scenarios.map((s) => [s.id, s.name]));
  const differences: Sheet = {
    name: 'Differences',
    columns: [
      { header: 'Scenario A', width: 30 },
      { header: 'Scenario B', width: 30 },
      ...estimate('NPS lift, A − B', NPS, 14, level),
      ...estimate('Net value, A − B', sharedMoney, 16, level),
      { header: 'Cost (discounted), A − B', format: sharedMoney, width: 16 },
    ],
    rows: [
      ...c.differences.map((d): Cell[] => [names.get(d.a) ?? d.a, names.get(d.b) ?? d.b, d.npsLift?.value, d.npsLift?.interval[0], d.npsLift?.interval[1], d.netValue?.value, d.netValue?.interval[0], d.netValue?.interval[1], d.cost]),
      [],
      ['Note', c.note],
    ],
  };
  const assumptions: Sheet = {
    name: 'Assumptions',
    columns: ASSUMPTION_COLUMNS,
    rows: x.scenarios.flatMap(({ scenario, model }, i) => [...(i > 0 ? [[] as Cell[]] : []), ...assumptionRows(scenario, model)]),
  };
  return writeWorkbook([comparison, differences, assumptions]);
}
