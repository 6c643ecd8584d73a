/**
 * The driver model, end to end: checks that the population can support a model, fits the requested
 * estimator (the NPS-aware ordinal model by default, or the linear one), and explains it —
 * coefficients, importance × performance, held-out error and calibration — as one JSON document.
 */
import { groupColumns, type DriverModel, type ModelFailure, type ModelRequest } from './contract.js';
import { bootstrapRelativeWeights, relativeWeights } from './importance.js';
import { fitLinear } from './linear.js';
import { fitLinearModel, populationMoments, totalMoments } from './linearModel.js';
import { haloOf } from './halo.js';
import { fitOrdinalModel } from './ordinalModel.js';
import type { Population } from './population.js';
import { normalCdf } from '../stats/normal.js';
import { keyed } from '../text.js';
import { netOf } from '../nps.js';

export { predictWhatIf } from './whatIf.js';


/**
 * Fits a driver model on a population. Failures are values that name the attributes or segments at
 * fault: a constant attribute, too few respondents, a constant ltr, dependent attributes, a segment
 * smaller than `options.minSegmentSize`.
 */
export function fitDriverModel(pop: Population, request: ModelRequest): { ok: true; model: DriverModel } | ModelFailure {
  const k = pop.attributes.length;
  const names = pop.attributes.map((a) => a.name);
  if (pop.n < k + 2)
    return {
      ok: false,
      reason: 'too-few-respondents',
      detail: `${pop.n} usable respondents cannot support a model of ${k} attributes: at least ${k + 2} are needed (and ten times as many for stable estimates).`,
    };
  const columns = groupColumns(pop.segmentBy);
  const linear = request.method === 'ols' || request.method === 'ridge';
  if (linear && columns.length > 1)
    return {
      ok: false,
      reason: 'unsupported-structure',
      detail: `The linear models (ols, ridge) group by one column; segmentBy names ${columns.length}. Use method auto (the ordinal model considers ${columns.join(' and ')}, added and crossed) or one column.`,
      field: 'segmentBy',
    };
  const column = columns[0];
  // The first grouping column's groups must each hold enough respondents (a second column's are pooled toward them).
  if (column !== undefined) {
    const counts = new Array<number>(pop.levels.group.length).fill(0);
    for (let i = 0; i < pop.n; i++) counts[pop.group[i]!]!++;
    const small = pop.levels.group.filter((_, g) => counts[g]! < request.options.minSegmentSize);
    if (small.length > 0)
      return {
        ok: false,
        reason: 'small-segment',
        detail: `${small.map((s) => `${column} '${s}' has ${counts[pop.levels.group.indexOf(s)]} respondents`).join('; ')}: at least ${request.options.minSegmentSize} are needed per ${column}. Merge small ${column}s in the data, set segmentBy to 'none', or lower options.minSegmentSize.`,
        segments: small,
      };
  }
  // The linear model needs per-group and per-fold moments; the ordinal one only the totals.
  const moments = linear ? populationMoments(pop, request.options.folds, request.options.seed) : null;
  const total = moments?.total ?? totalMoments(pop);
  // The linear fit's checks (constant attribute or ltr, dependent attributes) apply to every method.
  const check = fitLinear(total, { method: 'ols' }, { attributes: names });
  if (!check.ok && !(check.reason === 'singular' && request.method === 'ridge'))
    return { ok: false, reason: check.reason, detail: check.detail, ...(check.attributes ? { attributes: check.attributes } : {}) };

  const weights = relativeWeights(total);
  const intervals = bootstrapRelativeWeights(pop, { seed: request.options.seed });
  const importance = names.map((attribute, j) => ({
    attribute,
    share: weights.ok ? weights.weights[j]! : 0,
    ...(intervals ? { interval: intervals[j]! } : {}),
    performance: total.shift[j]! + total.sumX[j]! / total.weight,
  }));

  const population = {
    respondents: pop.missing.respondents,
    used: pop.n,
    dropped: pop.missing.dropped,
    imputed: keyed(names.map((n, j) => [n, pop.missing.imputed[j]!] as const)),
    missingRule: pop.missing.rule,
  };
  const attributes = pop.attributes.map((a) => ({ name: a.name, kind: a.kind, scale: a.scale }));

  if (moments) {
    const lin = fitLinearModel(pop, request, moments);
    if (!lin.ok) return lin;
    // Calibration: the linear model's NPS with normal residuals around its prediction.
    const p = lin.parameters;
    const S = pop.levels.segment.length;
    const prom = new Float64Array(S);
    const det = new Float64Array(S);
    const obs = new Float64Array(S);
    const count = new Float64Array(S);
    for (let i = 0; i < pop.n; i++) {
      const g = pop.group[i]!;
      let yhat = p.intercepts[g]!;
      for (let j = 0; j < k; j++) yhat += p.slopes[g]![j]! * pop.columns[j]![i]!;
      const s = pop.segment[i]!;
      prom[s]! += 1 - normalCdf((8.5 - yhat) / p.sigma);
      det[s]! += normalCdf((6.5 - yhat) / p.sigma);
      const v = pop.ltr[i]!;
      obs[s]! += netOf(v);
      count[s]!++;
    }
    const calibration = pop.levels.segment.map((segment, s) => ({
      segment,
      respondents: count[s]!,
      observed: (100 * obs[s]!) / count[s]!,
      predicted: (100 * (prom[s]! - det[s]!)) / count[s]!,
    }));
    return {
      ok: true,
      model: {
        method: request.method === 'ridge' ? 'ridge' : 'ols',
        attributes,
        segmentBy: pop.segmentBy,
        population,
        fit: lin.fit,
        segments: lin.segments,
        importance,
        calibration,
        structure: { ...lin.structure, calibration: 'in-sample, normal residuals around the linear prediction' },
        parameters: lin.parameters,
      },
    };
  }

  const ord = fitOrdinalModel(pop, request, pop.segmentBy);
  if (!ord.ok) return ord;
  return {
    ok: true,
    model: {
      method: 'ordinal',
      attributes,
      segmentBy: pop.segmentBy,
      population,
      fit: ord.fit,
      segments: ord.segments,
      importance,
      calibration: ord.calibration,
      structure: {
        ...ord.structure,
        // √(λmax/λmin) of the attributes' correlation matrix: hundreds mean collinear drivers.
        condition: check.ok ? check.fit.condition : null,
        importance: 'relative weights of the linear fit (Johnson 2000): shares sum to its R²; 90 % intervals from a bootstrap over accounts',
        linearR2: check.ok ? check.fit.r2 : null,
        calibration: 'out-of-fold',
      },
      parameters: ord.parameters,
      levels: ord.levels,
      curves: ord.curves,
      interactions: ord.interactions,
      drivers: ord.drivers,
      confounding: haloOf(pop, ord.parameters.link, request.options.seed),
    },
  };
}
