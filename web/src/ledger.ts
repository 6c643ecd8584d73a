/**
 * The forecast ledger as the dashboard says it: each launch's forecast beside what the next wave
 * realised (or why it has not), the summary across launches and the calibration factor in words,
 * the evaluated launches as forecast-against-realised points with their intervals and the ±2-point
 * band, and the NPS bridge between two sealed waves as waterfall steps. Pure (no DOM, no state), so
 * that test/unit/dashboardLedger.test.ts can check the rules a reader relies on: a launch not
 * evaluated says why, the chart counts as the summary does, and the bridge's written parts add up
 * to its written change.
 *
 * Tenant names (initiative and scenario ids, wave names, a launch's initiative name) are only ever
 * values in arrays and Maps, never keys of plain objects: a segment or initiative may be called
 * `__proto__`.
 */
import type { Bridge, BridgePartKind, Interval, Ledger, LedgerCalibration, LedgerItem, LedgerSummary } from './contract.js';
import { bracket, finite, fixed, humanise, MISSING, niceBounds, percent, short, signed } from './format.js';
import { ACCENT, DETRACTOR_COLOUR, OVERLAP_COLOUR, PALETTE, TOTAL_COLOUR } from './theme.js';

/** Where a launch stands: read against a wave, read but the wave could not tell, or no wave after it yet. */
export type LaunchStatus = 'evaluated' | 'not-evaluable' | 'pending';

/** A launch's status from its ledger line: a realised lift, else a wave it was read against, else none yet. */
export function launchStatus(item: LedgerItem): LaunchStatus {
  if (item.realised) return 'evaluated';
  return item.afterDatasetId === null ? 'pending' : 'not-evaluable';
}

/** `0.9` → `'90%'`: an interval's level. */
export function levelOf(level: number): string {
  return finite(level) ? `${Math.round(level * 100)}%` : MISSING;
}

/** Whether one interval held the other, as a cell says it. */
export interface HeldCell {
  text: string;
  className: string;
  title: string;
}

function heldCell(held: boolean | null, what: string, interval: Interval, level: number, other: string, value: number | null): HeldCell {
  if (held === null || !finite(value)) return { text: MISSING, className: 'held', title: '' };
  const iv = `${what}\u2019s ${levelOf(level)} interval ${bracket(interval, signed)}`;
  return held
    ? { text: 'held', className: 'held yes', title: `The ${iv} held the ${other} lift ${signed(value)}.` }
    : { text: 'missed', className: 'held no', title: `The ${iv} did not hold the ${other} lift ${signed(value)}.` };
}

/** One line of the ledger table, every figure written. */
export interface LedgerRow {
  launchId: string;
  status: LaunchStatus;
  /** `2025-03-01`, or `2025-03-01 to 2025-06-30` once it ended. */
  launched: string;
  initiativeId: string;
  /** `Growth plan v2`: the scenario's name when known, else its id. */
  scenario: string;
  forecast: string;
  /** `[+0.9, +2.7] at 90%`. */
  forecastInterval: string;
  /** Empty unless evaluated. */
  realised: string;
  realisedInterval: string;
  /** What stands in place of the realised figures: the API's reason, `null` when evaluated. */
  reason: string | null;
  /** The heading over the reason: what happens next; `null` when evaluated. */
  reasonHeading: string | null;
  /** realised − forecast, or an en dash. */
  error: string;
  /** `num`, with ` far` when the forecast missed by more than 2 points (the summary's "within 2"). */
  errorClass: string;
  forecastHeld: HeldCell;
  realisedHeld: HeldCell;
}

/** Below this many points from the realised lift a forecast counts as close (the summary's `within2`). */
export const CLOSE_POINTS = 2;

/**
 * The ledger's lines as table rows, in the API's order (newest launch first).
 *
 * @param scenarios each scenario's name, by id (the tenant's scenario list); an unknown one is shown by its id
 */
export function ledgerRows(ledger: Ledger, scenarios: ReadonlyMap<string, string> = new Map()): LedgerRow[] {
  return ledger.items.map((it) => {
    const status = launchStatus(it);
    const r = it.realised;
    const f = it.forecast;
    const pending = `Not evaluated yet: no wave dated after ${it.launchedOn} has been sealed.`;
    return {
      launchId: it.launchId,
      status,
      launched: it.endedOn ? `${it.launchedOn} to ${it.endedOn}` : it.launchedOn,
      initiativeId: it.initiativeId,
      scenario: `${scenarios.get(it.scenarioId) ?? it.scenarioId} v${it.scenarioVersion}`,
      forecast: signed(f.lift),
      forecastInterval: `${bracket(f.interval, signed)} at ${levelOf(f.level)}`,
      realised: r ? signed(r.lift) : '',
      realisedInterval: r ? `${bracket(r.interval, signed)} at ${levelOf(r.level)}` : '',
      reason: r ? null : (it.reason ?? (status === 'pending' ? pending : 'The wave it was read against could not tell.')),
      reasonHeading: r ? null : status === 'pending' ? 'Waiting for the next wave' : 'Not evaluable by that wave: the next one tries again',
      error: signed(it.error),
      errorClass: finite(it.error) && Math.abs(it.error) > CLOSE_POINTS ? 'num far' : 'num',
      forecastHeld: heldCell(it.forecastHeld, 'forecast', f.interval, f.level, 'realised', r ? r.lift : null),
      realisedHeld: r ? heldCell(it.realisedHeld, 'realised', r.interval, r.level, 'forecast', f.lift) : heldCell(null, '', f.interval, f.level, '', null),
    };
  });
}

/** What the ledger's summary says: a headline, the accuracy figures, the calibration and its factor by attribute. */
export interface LedgerWords {
  headline: string;
  /** Accuracy across evaluated launches; `null` before any. */
  accuracy: string | null;
  /** The calibration factor and what new forecasts do with it; `null` before any evaluation. */
  calibration: string | null;
  /** One line per attribute with a factor of its own. */
  byAttribute: string[];
}

/** What an empty ledger says: how to record the first launch. */
export const EMPTY_LEDGER = 'No launches recorded yet: record one with POST /v1/launches (see the API reference at /docs); the first wave sealed after it says what it did.';

/** `2 of 3 (67%)`: a share of the evaluated launches, with the count it stands for. */
function shareOf(share: number | null, evaluated: number): string {
  if (!finite(share) || evaluated === 0) return MISSING;
  return `${Math.round(share * evaluated)} of ${evaluated} (${percent(share)})`;
}

const launchesWord = (n: number): string => `${n.toLocaleString('en-US')} ${n === 1 ? 'launch' : 'launches'}`;

/**
 * The summary line in words.
 *
 * @param labels attribute labels, by attribute name (the model's dataset's), for the factors by attribute
 * @example ledgerWords({ launches: 4, evaluated: 3, mae: 0.8, within2: 2 / 3, … }, calibration).accuracy
 * // 'Mean absolute error 0.8 points; 2 of 3 (67%) forecasts within 2 points of the realised lift. …'
 */
export function ledgerWords(summary: LedgerSummary, calibration: LedgerCalibration | null, labels: ReadonlyMap<string, string> = new Map()): LedgerWords {
  const n = summary.evaluated;
  if (summary.launches === 0) return { headline: EMPTY_LEDGER, accuracy: null, calibration: null, byAttribute: [] };
  const headline =
    n === 0
      ? `${launchesWord(summary.launches)} recorded, none evaluated yet: each is read against the first wave sealed after it. Until one is, forecasts carry no calibrated lift.`
      : `${n.toLocaleString('en-US')} of ${launchesWord(summary.launches)} evaluated against the wave after them.`;
  const accuracy =
    n === 0
      ? null
      : `Mean absolute error ${fixed(summary.mae)} points; ${shareOf(summary.within2, n)} forecasts within ${CLOSE_POINTS} points of the realised lift. ` +
        `Forecast intervals held the realised lift for ${shareOf(summary.forecastCoverage, n)}; realised intervals held the forecast for ${shareOf(summary.realisedCoverage, n)}.`;
  const c = calibration;
  const words =
    c === null
      ? null
      : `Calibration factor ${fixed(c.factor, 2)} ${bracket(c.interval, (v) => fixed(v, 2))} over ${launchesWord(c.launches)}: realised lifts ran at about ${percent(c.factor)} of forecast ` +
        `(realised \u00f7 forecast, shrunk toward 1 while launches are few). New forecasts carry it as their calibrated lift.`;
  const byAttribute = (c?.byAttribute ?? []).map(
    (a) => `${labels.get(a.attribute) || humanise(a.attribute)}: ${fixed(a.factor, 2)} ${bracket(a.interval, (v) => fixed(v, 2))} over ${launchesWord(a.launches)}`,
  );
  return { headline, accuracy, calibration: words, byAttribute };
}

// --- Forecast against realised, as a chart -------------------------------------------------------

/** A point of the chart's plane, `[x, y]`: forecast and realised lift, points. */
export type Vertex = readonly [number, number];

/** One evaluated launch on the chart: its forecast (x) against its realised lift (y), each with its interval. */
export interface LedgerPoint {
  launchId: string;
  initiativeId: string;
  /** The forecast lift, points (x). */
  x: number;
  /** The realised lift, points (y). */
  y: number;
  /** The forecast's interval: the horizontal whisker. */
  forecastInterval: Interval;
  /** The realised lift's interval: the vertical whisker. */
  realisedInterval: Interval;
  /** Within {@link CLOSE_POINTS} of its forecast (inside the band), as the summary's `within2` counts it. */
  close: boolean;
  colour: string;
  /** The label beside the point (short). */
  label: string;
  /** Tooltip: title, then lines. */
  tip: [string, ...string[]];
}

export interface LedgerScatter {
  /** The evaluated launches, in the ledger's order; none before any evaluation. */
  points: LedgerPoint[];
  /** Both axes' bounds (the same, so that realised = forecast is the diagonal): every point, whisker and zero inside. */
  lo: number;
  hi: number;
  /** The band |realised − forecast| ≤ {@link CLOSE_POINTS}, as a polygon clipped to the plot. */
  band: Vertex[];
  /** Realised = forecast, corner to corner. */
  diagonal: [Vertex, Vertex];
  /** The chart in words, for its `aria-label`. */
  text: string;
}

/** A launch within 2 points of its forecast, and one further off. */
export const CLOSE_COLOUR = ACCENT;
export const FAR_COLOUR = DETRACTOR_COLOUR;

/**
 * The band |y − x| ≤ `half` inside the square [lo, hi]², as the polygon to fill, corners in order:
 * the strip between y = x − half and y = x + half cut by the square is a hexagon (the square's two
 * diagonal corners and where each edge of the strip crosses the square), or the whole square when
 * the strip is wider than it.
 *
 * @example closeBand(-2, 6, 2) // [[-2, -2], [0, -2], [6, 4], [6, 6], [4, 6], [-2, 0]]
 */
export function closeBand(lo: number, hi: number, half: number = CLOSE_POINTS): Vertex[] {
  if (half >= hi - lo)
    return [
      [lo, lo],
      [hi, lo],
      [hi, hi],
      [lo, hi],
    ];
  return [
    [lo, lo],
    [lo + half, lo],
    [hi, hi - half],
    [hi, hi],
    [hi - half, hi],
    [lo, lo + half],
  ];
}

/** `2 of 3`, or `none of 3`. */
const countOf = (k: number, n: number): string => `${k === 0 ? 'none' : k.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`;

/**
 * The ledger's evaluated launches as a forecast (x) against realised (y) scatter: each point with
 * its forecast interval across and its realised interval up, the diagonal realised = forecast, the
 * shaded band within {@link CLOSE_POINTS} points of it, and all of that said in words. Launches not
 * evaluated (yet, or by a wave that could not tell) have no realised lift and are not drawn; the
 * words count them.
 */
export function ledgerScatter(ledger: Ledger): LedgerScatter {
  const points: LedgerPoint[] = ledger.items.flatMap((it) => {
    const r = it.realised;
    if (!r || !finite(r.lift) || !finite(it.forecast.lift)) return [];
    const f = it.forecast;
    const off = r.lift - f.lift;
    const close = Math.abs(off) <= CLOSE_POINTS;
    const tip: [string, ...string[]] = [
      `${it.initiativeId}, launched ${it.launchedOn}`,
      `Forecast ${signed(f.lift)} points ${bracket(f.interval, signed)} at ${levelOf(f.level)}`,
      `Realised ${signed(r.lift)} points ${bracket(r.interval, signed)} at ${levelOf(r.level)}`,
      `Error ${signed(off)} points: ${close ? 'within' : 'more than'} ${CLOSE_POINTS} points of the forecast`,
      `Launch ${it.launchId}`,
    ];
    return [{ launchId: it.launchId, initiativeId: it.initiativeId, x: f.lift, y: r.lift, forecastInterval: f.interval, realisedInterval: r.interval, close, colour: close ? CLOSE_COLOUR : FAR_COLOUR, label: short(it.initiativeId, 24), tip }];
  });
  const ends = points.flatMap((p) => [p.x, p.y, ...p.forecastInterval, ...p.realisedInterval]).filter(finite);
  const bounds = niceBounds(Math.min(0, ...ends), Math.max(0, ...ends, CLOSE_POINTS), 0.04);
  const [lo, hi] = [bounds.min, bounds.max];
  const n = points.length;
  const notShown = ledger.items.length - n;
  const unplotted = notShown === 0 ? '' : ` (${launchesWord(notShown)} without a realised lift not plotted)`;
  let text: string;
  if (n === 0) text = `Forecast against realised lift: no launch evaluated yet${unplotted}, so nothing is plotted.`;
  else {
    const close = points.filter((p) => p.close).length;
    const above = points.filter((p) => !p.close && p.y > p.x).length;
    const below = n - close - above;
    const held = (key: 'forecastHeld' | 'realisedHeld'): number => ledger.items.filter((it) => it.realised && it[key] === true).length;
    text =
      `Forecast (across) against realised lift (up), points of NPS, for ${launchesWord(n)} evaluated${unplotted}: ` +
      `${countOf(close, n)} within ${CLOSE_POINTS} points of realised = forecast (the shaded band around the diagonal); ` +
      `${countOf(above, n)} realised more than ${CLOSE_POINTS} points above the forecast, ${countOf(below, n)} more than ${CLOSE_POINTS} below. ` +
      `Forecast intervals (horizontal whiskers) held the realised lift for ${countOf(held('forecastHeld'), n)}; ` +
      `realised intervals (vertical whiskers) held the forecast for ${countOf(held('realisedHeld'), n)}. ` +
      points.map((p) => `${p.initiativeId}: forecast ${signed(p.x)} ${bracket(p.forecastInterval, signed)}, realised ${signed(p.y)} ${bracket(p.realisedInterval, signed)}`).join('; ') +
      '.';
  }
  return {
    points,
    lo,
    hi,
    band: closeBand(lo, hi),
    diagonal: [
      [lo, lo],
      [hi, hi],
    ],
    text,
  };
}

// --- The bridge between two waves ------------------------------------------------------------------

/**
 * Integers that add up to `total`, each `values[i]` rounded down or up (largest remainder): the
 * bridge's parts written in tenths add up to its written change. Values that do not add up to
 * `total` within one per value take the rest in turns.
 *
 * @example apportion([1.4, 1.4, 1.2], 4) // [2, 1, 1]: the floors sum to 3, the largest remainder takes the 1 left
 */
export function apportion(values: readonly number[], total: number): number[] {
  const out = values.map((v) => Math.floor(v));
  if (out.length === 0) return out;
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = values.map((v, i) => ({ i, r: v - Math.floor(v) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) out[byRemainder[k % out.length]!.i]! += 1;
  for (let k = 0; left < 0; k++, left++) out[byRemainder[out.length - 1 - (k % out.length)]!.i]! -= 1;
  // No −0 (the floor of −0): a written figure has one zero.
  return out.map((x) => (x === 0 ? 0 : x));
}

export type BridgeStepKind = 'start' | BridgePartKind | 'end';

/** One bar of the bridge's waterfall. */
export interface BridgeStep {
  kind: BridgeStepKind;
  /** The bar's label (short); the tooltip's title has it whole. */
  label: string;
  /** Where a floating bar starts; `null` for the two totals, which start at the axis. */
  from: number | null;
  to: number;
  /** The part's value, points (the NPS itself for the totals), as the API gave it. */
  value: number;
  /**
   * The figure as written, in tenths of a point: the parts' add up to the end's less the start's
   * exactly (each within a tenth of its value).
   */
  tenths: number;
  /** The figure written at the bar's end. */
  text: string;
  colour: string;
  /** Tooltip: title, then lines. */
  tip: [string, ...string[]];
  /** The launch, for a step of kind `launch`. */
  launchId: string | null;
}

export interface BridgeChart {
  steps: BridgeStep[];
  /** Axis bounds: a whole number under every bar, and room above for the labels. */
  lo: number;
  top: number;
  /** The chart in words, for its `aria-label`. */
  text: string;
}

/** Each kind of part's colour and how the chart's legend names it. */
export const BRIDGE_KINDS: ReadonlyMap<BridgePartKind, { colour: string; legend: string; label: string }> = new Map([
  ['mix', { colour: PALETTE[4], legend: 'Mix of segments and roles', label: 'Mix of segments and roles' }],
  ['launch', { colour: PALETTE[0], legend: 'A launch (its realised lift)', label: 'Launch' }],
  ['ratings', { colour: PALETTE[1], legend: 'Rating shifts (through the driver model)', label: 'Rating shifts' }],
  ['remainder', { colour: OVERLAP_COLOUR, legend: 'Everything else (drift, noise)', label: 'Everything else' }],
]);

/** The waves' names on the chart, `before` and `after` (their ids when not known). */
export interface BridgeNames {
  before: string;
  after: string;
}

/** A figure in tenths of a point, as written (never −0). */
const tenthsOf = (v: number): number => Math.round(v * 10) || 0;
const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The bridge as waterfall steps: NPS in the before wave, each part in the API's order (mix, each
 * launch, rating shifts, everything else), NPS in the after wave. Each floating bar starts where
 * the one before ended and the last part ends at the after wave's NPS itself; the written parts,
 * rounded by {@link apportion}, add up to the written change.
 */
export function bridgeSteps(bridge: Bridge, names: BridgeNames): BridgeChart {
  const level = levelOf(bridge.level);
  const start = tenthsOf(bridge.before.nps);
  const end = tenthsOf(bridge.after.nps);
  const written = apportion(
    bridge.parts.map((p) => p.value * 10),
    end - start,
  );
  const steps: BridgeStep[] = [
    {
      kind: 'start',
      label: `NPS in ${short(names.before, 28)}`,
      from: null,
      to: bridge.before.nps,
      value: bridge.before.nps,
      tenths: start,
      text: fixed(start / 10),
      colour: TOTAL_COLOUR,
      tip: [`NPS in ${names.before}: ${fixed(start / 10)}`, `${bridge.before.respondents.toLocaleString('en-US')} respondents`],
      launchId: null,
    },
  ];
  let run = bridge.before.nps;
  const spoken: string[] = [];
  bridge.parts.forEach((p, i) => {
    const last = i === bridge.parts.length - 1;
    const kind = BRIDGE_KINDS.get(p.kind);
    const t = written[i]!;
    // A part rounded the other way so that the written parts add up says so.
    const tip: [string, ...string[]] = [capitalised(p.label), `${signed(t / 10)} points${signed(p.value) === signed(t / 10) ? '' : ` (${signed(p.value, 2)} unrounded)`}`];
    if (p.interval) tip.push(`${level} interval ${bracket(p.interval, signed)}`);
    if (p.kind === 'remainder') tip.push(`The change\u2019s own sampling error: \u00b1${fixed(bridge.sampling.sd, 1)} points (sd)`);
    if (p.launchId) tip.push(`Launch ${p.launchId}`);
    const label = p.kind === 'launch' ? short(p.label, 36) : (kind?.label ?? short(p.label, 36));
    spoken.push(`${p.kind === 'launch' ? p.label : label.toLowerCase()} ${signed(t / 10)}`);
    steps.push({
      kind: p.kind,
      label,
      from: run,
      // The last part ends at the after wave's NPS itself, not at a sum that may be off in the last bit.
      to: last ? bridge.after.nps : run + p.value,
      value: p.value,
      tenths: t,
      text: signed(t / 10),
      colour: kind?.colour ?? OVERLAP_COLOUR,
      tip,
      launchId: p.launchId,
    });
    run = last ? bridge.after.nps : run + p.value;
  });
  steps.push({
    kind: 'end',
    label: `NPS in ${short(names.after, 28)}`,
    from: null,
    to: bridge.after.nps,
    value: bridge.after.nps,
    tenths: end,
    text: `${fixed(end / 10)} (${signed((end - start) / 10)})`,
    colour: TOTAL_COLOUR,
    tip: [
      `NPS in ${names.after}: ${fixed(end / 10)}`,
      `Change ${signed((end - start) / 10)} points, ${level} interval from sampling alone ${bracket(bridge.sampling.interval, signed)}`,
      `${bridge.after.respondents.toLocaleString('en-US')} respondents`,
    ],
    launchId: null,
  });
  const values = steps.flatMap((s) => (s.from === null ? [s.to] : [s.from, s.to]));
  const lo = Math.floor(Math.min(...values) - 1);
  const hi = Math.max(...values);
  // Room to the right of the longest bar for its label.
  const top = Math.ceil(hi + Math.max(2, (hi - lo) * 0.2));
  const text =
    `NPS bridge from ${names.before} (${fixed(start / 10)}) to ${names.after} (${fixed(end / 10)}), a change of ${signed((end - start) / 10)} points ` +
    `(${level} interval from sampling ${bracket(bridge.sampling.interval, signed)}): ${spoken.join('; ')}.`;
  return { steps, lo, top, text };
}

/**
 * The sentence under the bridge: the change as the chart writes it (end less start, so that the
 * figures on the page agree), its interval from sampling alone, the launches counted and the model.
 */
export function bridgeNote(bridge: Bridge, chart: BridgeChart): string {
  const start = chart.steps[0]?.tenths ?? tenthsOf(bridge.before.nps);
  const end = chart.steps.at(-1)?.tenths ?? tenthsOf(bridge.after.nps);
  const launches = bridge.parts.filter((x) => x.kind === 'launch').length;
  return (
    `NPS ${fixed(start / 10)} to ${fixed(end / 10)}: a change of ${signed((end - start) / 10)} points, ` +
    `${levelOf(bridge.level)} interval from sampling alone ${bracket(bridge.sampling.interval, signed)}. ` +
    `${launches === 0 ? 'No launch was evaluated between these waves.' : `${launches} ${launches === 1 ? 'launch was' : 'launches were'} evaluated between these waves.`} ` +
    `Rating shifts go through driver model ${bridge.modelId}, fitted on the earlier wave. Parts are written rounded so that they add up to the change.`
  );
}

/** The path of the bridge from wave `before` to wave `after`. */
export function bridgePath(after: string, before: string): string {
  return `/v1/datasets/${encodeURIComponent(after)}/bridge?${new URLSearchParams({ from: before }).toString()}`;
}

// --- The waves a bridge can go between -------------------------------------------------------------

/** What the bridge's pickers read of `GET /v1/datasets` items. */
export interface WaveChoice {
  id: string;
  name: string;
  status: string;
  createdAt?: string;
}

/** The sealed waves, newest first (by `createdAt`; the API's own order, newest first, among equals). */
export function sealedWaves<T extends WaveChoice>(items: readonly T[]): T[] {
  return items
    .map((w, i) => ({ w, i }))
    .filter(({ w }) => w.status === 'sealed')
    .sort((a, b) => (b.w.createdAt ?? '').localeCompare(a.w.createdAt ?? '') || a.i - b.i)
    .map(({ w }) => w);
}

/** The pair a bridge opens on: from the second newest sealed wave to the newest; `null` with fewer than two. */
export function defaultPair(sealed: readonly WaveChoice[]): { before: string; after: string } | null {
  const [after, before] = sealed;
  return after && before ? { before: before.id, after: after.id } : null;
}

/** A wave in the pickers: `Q2 wave (2025-06-30)`. */
export function waveOption(w: WaveChoice): string {
  return w.createdAt ? `${w.name} (${w.createdAt.slice(0, 10)})` : w.name;
}

/** Why a bridge cannot be asked for with these choices, or `null` when it can. */
export function bridgeChoiceProblem(before: string, after: string): string | null {
  if (!before || !after) return 'A bridge needs two sealed waves: seal another wave to compare.';
  if (before === after) return 'Choose two different waves: a bridge goes from one wave to another.';
  return null;
}
