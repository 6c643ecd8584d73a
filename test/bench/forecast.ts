/**
 * Scenario forecasting speed: a 20-initiative scenario (targets, reach, ramps, effect ranges) with
 * intervals on a generated wave of 200,000 respondents × 20 attributes.
 */
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { fitDriverModel } from '../../model/drivers/driverModel.js';
import { buildPopulation } from '../../model/drivers/population.js';
import { ScenarioInputSchema, type ScenarioInputRaw } from '../../model/scenario/contract.js';
import { forecastScenario } from '../../model/scenario/forecast.js';
import { generatedWave } from './driverModel.js';

export interface ForecastBench {
  rows: number;
  initiatives: number;
  fitMs: number;
  forecastMs: number[];
  portfolioLift: number;
}

export function twentyInitiatives(): ScenarioInputRaw['initiatives'] {
  const segments = ['smb', 'mid_market', 'enterprise'];
  const ops = ['add', 'atLeast', 'closeGap'] as const;
  return Array.from({ length: 20 }, (_, i) => {
    const op = ops[i % 3]!;
    const value = op === 'add' ? 0.5 + (i % 4) * 0.25 : op === 'atLeast' ? 6 + (i % 3) : 0.2 + (i % 3) * 0.1;
    return {
      id: `initiative-${i + 1}`,
      name: `Initiative ${i + 1}`,
      effects: [{ attribute: `a${String((i % 20) + 1).padStart(2, '0')}`, op, value, range: [value * 0.6, op === 'atLeast' ? Math.min(10, value + 1) : value * 1.3] as [number, number] }],
      ...(i % 2 === 0 ? { target: { segments: [segments[i % 3]!] } } : {}),
      reach: i % 4 === 0 ? 0.6 : 1,
      rampMonths: (i % 3) * 6,
      cost: { oneTime: 100_000 + 25_000 * i, annual: 20_000 * (i % 5) },
    };
  });
}

export function benchForecast(rows = 200_000): ForecastBench {
  const { attributes, chunks } = generatedWave(rows, 20, 4242);
  // Revenue per account, so the forecast computes NPV, ROI and payback as well.
  for (const c of chunks) for (let i = 0; i < c.size; i++) c.accountRevenue[i] = 50_000 + 1_000 * (i % 97);
  const built = buildPopulation(attributes, chunks, { segmentBy: 'segment' });
  if (!built.ok) throw new Error(built.detail);
  let t = performance.now();
  const fitted = fitDriverModel(built.population, ModelRequestSchema.parse({ datasetId: 'bench' }));
  const fitMs = performance.now() - t;
  if (!fitted.ok) throw new Error(fitted.detail);
  const scenario = ScenarioInputSchema.parse({ name: 'bench', modelId: 'bench', initiatives: twentyInitiatives() });
  const forecastMs: number[] = [];
  let lift = 0;
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    const f = forecastScenario(fitted.model, built.population, scenario, { modelId: 'bench', computedAt: new Date().toISOString() });
    forecastMs.push(performance.now() - t);
    if (!f.ok) throw new Error(f.detail);
    lift = f.forecast.portfolio.nps.lift;
  }
  return { rows, initiatives: 20, fitMs, forecastMs, portfolioLift: lift };
}

if (process.argv[1]?.endsWith('forecast.ts')) console.log(JSON.stringify(benchForecast()));
