/**
 * The forecast-accuracy sweep on the known-truth family (./truthFamily.ts): for each seed and size,
 * fit the driver model three ways — `auto` (told nothing), today's per-segment structure (the
 * baseline before hierarchies, curves and interactions), and the oracle told the true structure —
 * forecast every case (./familyInitiatives.ts), and compare each lift with the truth. Used by the
 * accuracy tests (a small sweep) and by `npm run accuracy` (the tables model/README.md quotes).
 */
import { ModelRequestSchema, type DriverModel, type ModelRequestInput } from '../../model/drivers/contract.js';
import { fitDriverModel } from '../../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { ScenarioInputSchema, type Forecast } from '../../model/scenario/contract.js';
import { forecastScenario } from '../../model/scenario/forecast.js';
import { familyCases, scenarioOf, type Case } from './familyInitiatives.js';
import { FAMILY_ATTRIBUTES, familyLift, familyWave, type FamilyFeatures, type FamilyWave } from './truthFamily.js';

export type Estimator = 'auto' | 'baseline' | 'oracle';

/** The model request of each estimator for a wave (the oracle is told the generator's structure). */
export function requestFor(estimator: Estimator, wave: FamilyWave): ModelRequestInput {
  if (estimator === 'auto') return { datasetId: 'truth' };
  if (estimator === 'baseline') return { datasetId: 'truth', segmentBy: 'segment', options: { curves: 'none', interactions: 'none', cutSpecific: false } };
  const t = wave.truth;
  const roles = t.features.roleWeights;
  return {
    datasetId: 'truth',
    segmentBy: ['segment', 'role'],
    options: {
      structure: roles ? 'segment × role' : 'segment',
      curves: t.curves.map((c) => FAMILY_ATTRIBUTES[c.attribute]!),
      interactions: t.interaction ? [[FAMILY_ATTRIBUTES[t.interaction.a]!, FAMILY_ATTRIBUTES[t.interaction.b]!]] : 'none',
      cutSpecific: false,
    },
  };
}

export interface CaseResult {
  seed: number;
  n: number;
  estimator: Estimator;
  name: string;
  portfolio: boolean;
  truth: number;
  predicted: number;
  interval: [number, number];
  /** Per segment: predicted − true. */
  segmentErrors: number[];
  /** Per segment: whether its interval holds its true lift. */
  segmentCovered: boolean[];
  /** The halo-adjusted lift and its interval (null without a confounding check), and the model's confounding risk. */
  halo: { predicted: number; interval: [number, number] } | null;
  risk: string;
}

export interface SweepRow {
  estimator: Estimator;
  n: number;
  seeds: number;
  cases: number;
  mae: number;
  worst: number;
  within2: number;
  segmentMae: number;
  coverage: number;
  /** Of portfolios only, and of every segment's lift. */
  portfolioCoverage: number;
  segmentCoverage: number;
  /** Median width of the 90 % interval, points. */
  medianWidth: number;
  fitSeconds: number;
  structures: string[];
}

/** Fits one estimator on a wave and forecasts every case. */
export function evaluate(wave: FamilyWave, seed: number, estimator: Estimator, cases: Case[] = familyCases(wave, seed), levels: readonly number[] = [0.9]): { results: CaseResult[][]; model: DriverModel; seconds: number } {
  const built = buildPopulation(wave.attributes, [wave.columns], { segmentBy: ModelRequestSchema.parse(requestFor(estimator, wave)).segmentBy ?? ['segment', 'role'] });
  if (!built.ok) throw new Error(built.detail);
  const pop: Population = built.population;
  const started = performance.now();
  const fitted = fitDriverModel(pop, ModelRequestSchema.parse(requestFor(estimator, wave)));
  const seconds = (performance.now() - started) / 1000;
  if (!fitted.ok) throw new Error(`${estimator}: ${fitted.detail}`);
  const model = fitted.model;
  const segments = pop.levels.segment;
  const results = levels.map((level) =>
    cases.map((c): CaseResult => {
      const scenario = ScenarioInputSchema.parse({ ...scenarioOf(c, 'truth'), intervalLevel: level });
      const out = forecastScenario(model, pop, scenario, { modelId: 'truth', computedAt: '2026-12-01T00:00:00.000Z' });
      if (!out.ok) throw new Error(`${c.name}: ${out.detail}`);
      const f: Forecast = out.forecast;
      const outcome = c.initiatives.length === 1 ? f.initiatives[0]! : f.portfolio;
      const truth = familyLift(wave, c.initiatives);
      return {
        seed,
        n: wave.columns.size,
        estimator,
        name: c.name,
        portfolio: c.initiatives.length > 1,
        truth: truth.lift,
        predicted: outcome.nps.lift,
        interval: outcome.nps.interval,
        segmentErrors: segments.map((s) => (outcome.bySegment[s]?.lift ?? 0) - (truth.bySegment[s] ?? 0)),
        segmentCovered: segments.map((s) => {
          const iv = outcome.bySegment[s]?.interval ?? [0, 0];
          const t = truth.bySegment[s] ?? 0;
          return iv[0] <= t && t <= iv[1];
        }),
        halo: outcome.haloAdjusted ? { predicted: outcome.haloAdjusted.lift, interval: outcome.haloAdjusted.interval } : null,
        risk: model.confounding?.risk ?? 'none',
      };
    }),
  );
  return { results, model, seconds };
}

/** Runs the sweep: every seed × size × estimator, one wave per seed and size. */
export function sweep(options: { seeds: readonly number[]; sizes: readonly number[]; estimators: readonly Estimator[]; features: FamilyFeatures; log?: (line: string) => void }): { rows: SweepRow[]; results: CaseResult[] } {
  const all: CaseResult[] = [];
  const fitTimes = new Map<string, number[]>();
  const structures = new Map<string, string[]>();
  for (const n of options.sizes)
    for (const seed of options.seeds) {
      const wave = familyWave(seed, n, options.features);
      const cases = familyCases(wave, seed);
      for (const estimator of options.estimators) {
        const { results: byLevel, model, seconds } = evaluate(wave, seed, estimator, cases);
        const results = byLevel[0]!;
        all.push(...results);
        const key = `${estimator}/${n}`;
        fitTimes.set(key, [...(fitTimes.get(key) ?? []), seconds]);
        const s = model.structure as { chosen?: string; curves?: string[]; interactions?: string[][]; cutSpecific?: boolean };
        structures.set(key, [...(structures.get(key) ?? []), `${s.chosen ?? model.method}${s.curves?.length ? ` +${s.curves.length} curves` : ''}${s.interactions?.length ? ` +${s.interactions.length} int` : ''}${s.cutSpecific ? ' +cut' : ''}`]);
        const mae = results.reduce((a, r) => a + Math.abs(r.predicted - r.truth), 0) / results.length;
        options.log?.(`seed ${seed} n ${n} ${estimator}: MAE ${mae.toFixed(3)} fit ${seconds.toFixed(1)} s (${structures.get(key)!.at(-1)})`);
      }
    }
  const rows: SweepRow[] = [];
  for (const n of options.sizes)
    for (const estimator of options.estimators) {
      const rs = all.filter((r) => r.n === n && r.estimator === estimator);
      const errors = rs.map((r) => Math.abs(r.predicted - r.truth));
      const seg = rs.flatMap((r) => r.segmentErrors.map(Math.abs));
      rows.push({
        estimator,
        n,
        seeds: options.seeds.length,
        cases: rs.length,
        mae: errors.reduce((a, e) => a + e, 0) / errors.length,
        worst: Math.max(...errors),
        within2: errors.filter((e) => e <= 2).length / errors.length,
        segmentMae: seg.reduce((a, e) => a + e, 0) / seg.length,
        coverage: coverageOf(rs),
        portfolioCoverage: coverageOf(rs.filter((r) => r.portfolio)),
        segmentCoverage: rs.flatMap((r) => r.segmentCovered).filter(Boolean).length / Math.max(1, rs.flatMap((r) => r.segmentCovered).length),
        medianWidth: median(rs.map((r) => r.interval[1] - r.interval[0])),
        fitSeconds: (fitTimes.get(`${estimator}/${n}`) ?? []).reduce((a, t) => a + t, 0) / options.seeds.length,
        structures: structures.get(`${estimator}/${n}`) ?? [],
      });
    }
  return { rows, results: all };
}

/** Share of results whose interval holds the true lift. */
export function coverageOf(rs: readonly CaseResult[]): number {
  return rs.length === 0 ? Number.NaN : rs.filter((r) => r.interval[0] <= r.truth && r.truth <= r.interval[1]).length / rs.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The sweep's rows as a Markdown table. */
export function markdownTable(rows: readonly SweepRow[]): string {
  const lines = [
    '| respondents | estimator | cases | MAE | worst | within 2 pts | MAE per segment | 90 % coverage | portfolios | segments | median width | fit s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const pct = (x: number): string => `${(100 * x).toFixed(0)} %`;
  for (const r of rows)
    lines.push(
      `| ${r.n.toLocaleString('en-US')} | ${r.estimator} | ${r.cases} | ${r.mae.toFixed(3)} | ${r.worst.toFixed(2)} | ${pct(r.within2)} | ${r.segmentMae.toFixed(3)} | ${pct(r.coverage)} | ${pct(r.portfolioCoverage)} | ${pct(r.segmentCoverage)} | ${r.medianWidth.toFixed(2)} | ${r.fitSeconds.toFixed(1)} |`,
    );
  return lines.join('\n');
}
