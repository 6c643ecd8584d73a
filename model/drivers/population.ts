/**
 * The respondents a driver model is fitted on and simulated over, in compact columns: one
 * `Float64Array` per attribute, the ltr as bytes and every grouping (segment, role, wave, account)
 * as integer codes into a list of levels. 1,000,000 respondents × 20 attributes take 160 MB here,
 * against several GB as row objects, and every model pass is a loop over typed arrays.
 *
 * **Missing answers** (never zeros): a respondent who answered fewer than half of the model's
 * attributes is left out (counted in `missing.dropped`) — too little of their experience is known to
 * say what drives their score. Each remaining unanswered rating is replaced by its conditional mean
 * given the respondent's other answers (./imputation.ts): the group's mean (the first `segmentBy`
 * column; the whole wave for `none`) moved by the regression on the answered attributes, from the
 * covariance of the ratings within groups. Plain mean imputation would hand a blank attribute's
 * effect to the correlated ones that were answered and make them look stronger than they are. The
 * count is reported for every attribute. An attribute that no respondent answered cannot be
 * modelled at all.
 */
import type { Attribute, RespondentColumns } from '../dataset.js';
import { groupColumns, type ModelFailure, type SegmentBy } from './contract.js';
import { RatingMoments } from './imputation.js';
import { foldOf } from './moments.js';

export interface Population {
  /** Respondents kept. */
  n: number;
  /** The modelled attributes, in column order. */
  attributes: Attribute[];
  /** Ratings after imputation, one column per attribute (length n). */
  columns: Float64Array[];
  ltr: Uint8Array;
  /** Codes into `levels.segment`, `levels.role`, `levels.wave`, `levels.account`. */
  segment: Uint32Array;
  role: Uint32Array;
  wave: Uint32Array;
  account: Uint32Array;
  /** Codes of the model's first grouping column (`segmentBy`; all zero for `none`), which imputation follows. */
  group: Uint32Array;
  levels: { segment: string[]; role: string[]; wave: string[]; account: string[]; group: string[] };
  segmentBy: SegmentBy;
  accountRevenue: Float64Array;
  missing: {
    /** Respondents in the dataset. */
    respondents: number;
    /** Respondents left out because they answered fewer than half of the attributes. */
    dropped: number;
    /** Imputed answers per attribute (model order). */
    imputed: number[];
    rule: string;
  };
}

/** Level used for respondents without a role or wave. */
export const NO_LEVEL = '(none)';

export const MISSING_RULE =
  'Respondents who answered fewer than half of the attributes are left out; other unanswered ratings take their conditional mean given the respondent’s answered ratings: the mean of the respondent’s group (segmentBy; the whole wave when the group has no answer) moved by the regression on the answered attributes within groups (group means alone below 30 respondents answering a pair).';

class Coder {
  readonly levels: string[] = [];
  private readonly index = new Map<string, number>();
  code(value: string): number {
    let c = this.index.get(value);
    if (c === undefined) {
      c = this.levels.length;
      this.levels.push(value);
      this.index.set(value, c);
    }
    return c;
  }
}

/**
 * Builds the population of a sealed wave for the given attributes. Two passes over the chunks: the
 * first collects the moments imputation needs, the second writes the columns.
 *
 * @param datasetAttributes every attribute of the dataset (their scales are kept with the model)
 * @param selected attribute names to model (default: all), validated against the dataset
 */
export function buildPopulation(
  datasetAttributes: readonly Attribute[],
  chunks: readonly RespondentColumns[],
  options: { attributes?: readonly string[]; segmentBy: SegmentBy },
): { ok: true; population: Population } | ModelFailure {
  const byName = new Map(datasetAttributes.map((a) => [a.name, a] as const));
  const names = options.attributes ?? datasetAttributes.map((a) => a.name);
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0)
    return {
      ok: false,
      reason: 'unknown-attribute',
      detail: `The dataset has no attribute ${unknown.map((u) => `'${u}'`).join(', ')}; it has ${datasetAttributes.map((a) => a.name).join(', ')}.`,
      attributes: unknown,
    };
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0)
    return { ok: false, reason: 'unknown-attribute', detail: `Attribute ${duplicates[0]} is listed twice.`, attributes: duplicates };
  const attributes = names.map((n) => byName.get(n)!);
  const k = attributes.length;
  const minAnswered = Math.ceil(k / 2);
  // Imputation (and the model's `group` codes) follow the first grouping column.
  const column = groupColumns(options.segmentBy)[0] ?? 'none';
  const groupOf = (chunk: RespondentColumns, r: number): string =>
    column === 'none' ? 'all' : column === 'segment' ? chunk.segment[r]! : ((column === 'role' ? chunk.role[r] : chunk.wave[r]) ?? NO_LEVEL);

  // Pass 1: which respondents are kept, and the moments of their answered ratings by group.
  const groups = new Coder();
  const moments = new RatingMoments(k);
  const answeredBy = new Float64Array(k);
  const row = new Float64Array(k);
  let respondents = 0;
  let kept = 0;
  const colIndex = (chunk: RespondentColumns): Float64Array[] =>
    attributes.map((a) => {
      const j = chunk.attributes.indexOf(a.name);
      if (j < 0) throw new Error(`chunk lacks attribute ${a.name}`);
      return chunk.ratings[j]!;
    });
  for (const chunk of chunks) {
    const cols = colIndex(chunk);
    respondents += chunk.size;
    for (let r = 0; r < chunk.size; r++) {
      let answered = 0;
      for (let j = 0; j < k; j++) {
        row[j] = cols[j]![r]!;
        if (!Number.isNaN(row[j]!)) answered++;
      }
      if (answered < minAnswered) continue;
      kept++;
      for (let j = 0; j < k; j++) if (!Number.isNaN(row[j]!)) answeredBy[j]!++;
      moments.add(groups.code(groupOf(chunk, r)), row);
    }
  }
  const unanswered = attributes.filter((_, j) => answeredBy[j] === 0).map((a) => a.name);
  if (kept > 0 && unanswered.length > 0)
    return {
      ok: false,
      reason: 'unanswered-attribute',
      detail: `No respondent answered ${unanswered.map((u) => `'${u}'`).join(', ')}: leave ${unanswered.length === 1 ? 'it' : 'them'} out of attributes.`,
      attributes: unanswered,
    };
  const imputer = moments.imputer();

  // Pass 2: the columns.
  const columns = attributes.map(() => new Float64Array(kept));
  const ltr = new Uint8Array(kept);
  const codes = { segment: new Uint32Array(kept), role: new Uint32Array(kept), wave: new Uint32Array(kept), account: new Uint32Array(kept), group: new Uint32Array(kept) };
  const coders = { segment: new Coder(), role: new Coder(), wave: new Coder(), account: new Coder() };
  const groups2 = new Coder();
  for (const g of groups.levels) groups2.code(g);
  const accountRevenue = new Float64Array(kept);
  const imputed = new Array<number>(k).fill(0);
  let i = 0;
  for (const chunk of chunks) {
    const cols = colIndex(chunk);
    for (let r = 0; r < chunk.size; r++) {
      let answered = 0;
      for (let j = 0; j < k; j++) if (!Number.isNaN(cols[j]![r]!)) answered++;
      if (answered < minAnswered) continue;
      const g = groups2.code(groupOf(chunk, r));
      for (let j = 0; j < k; j++) {
        row[j] = cols[j]![r]!;
        if (Number.isNaN(row[j]!)) imputed[j]!++;
      }
      imputer.fill(g, row);
      for (let j = 0; j < k; j++) columns[j]![i] = row[j]!;
      ltr[i] = chunk.ltr[r]!;
      codes.group[i] = g;
      codes.segment[i] = coders.segment.code(chunk.segment[r]!);
      codes.role[i] = coders.role.code(chunk.role[r] ?? NO_LEVEL);
      codes.wave[i] = coders.wave.code(chunk.wave[r] ?? NO_LEVEL);
      codes.account[i] = coders.account.code(chunk.accountId[r]!);
      accountRevenue[i] = chunk.accountRevenue[r]!;
      i++;
    }
  }
  return {
    ok: true,
    population: {
      n: kept,
      attributes,
      columns,
      ltr,
      ...codes,
      levels: {
        segment: coders.segment.levels,
        role: coders.role.levels,
        wave: coders.wave.levels,
        account: coders.account.levels,
        group: groups2.levels,
      },
      segmentBy: options.segmentBy,
      accountRevenue,
      missing: { respondents, dropped: respondents - kept, imputed, rule: MISSING_RULE },
    },
  };
}

/**
 * An even sample of a population's accounts (a hash of each account, so an account's respondents
 * stay together), about `maxRows` respondents; the levels and codes are the population's own.
 */
export function subsample(pop: Population, maxRows: number, seed: number): Population {
  const every = Math.ceil(pop.n / maxRows);
  if (every <= 1) return pop;
  const keep: number[] = [];
  for (let i = 0; i < pop.n; i++) if (foldOf(pop.account[i]!, seed ^ 0x2545f491, every) === 0) keep.push(i);
  const rows = Uint32Array.from(keep);
  const pick = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    for (let q = 0; q < rows.length; q++) out[q] = a[rows[q]!]!;
    return out;
  };
  return {
    ...pop,
    n: rows.length,
    columns: pop.columns.map(pick),
    ltr: pick(pop.ltr),
    segment: pick(pop.segment),
    role: pick(pop.role),
    wave: pick(pop.wave),
    account: pick(pop.account),
    group: pick(pop.group),
    accountRevenue: pick(pop.accountRevenue),
  };
}
