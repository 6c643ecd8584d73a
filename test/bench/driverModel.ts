/**
 * Driver-model speed: building the population, fitting (least squares with pooled segments, and the
 * NPS-aware ordinal model with the whole `auto` search: noise, segment × role structures, curves,
 * interactions, cut-specific slopes) and a what-if, on generated waves of 200,000 and 1,000,000
 * respondents × 20 attributes in three segments and three roles.
 */
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import { ModelRequestSchema, type WhatIf } from '../../model/drivers/contract.js';
import { fitDriverModel, predictWhatIf } from '../../model/drivers/driverModel.js';
import { buildPopulation } from '../../model/drivers/population.js';
import { createRng } from '../../model/rng.js';

const THRESHOLDS = [-4, -3.5, -3, -2.5, -2, -1.4, -0.8, 0, 0.9, 1.8];
const SEGMENTS = ['smb', 'mid_market', 'enterprise'];
const ROLES = ['gatekeeper', 'business_owner', 'operational_user'];

/** A wave in stored-chunk-sized pieces: correlated 0–10 ratings, 5 % unanswered, ordinal ltr. */
export function generatedWave(n: number, k: number, seed: number): { attributes: Attribute[]; chunks: RespondentColumns[] } {
  const rng = createRng(seed);
  const names = Array.from({ length: k }, (_, j) => `a${String(j + 1).padStart(2, '0')}`);
  const weights = SEGMENTS.map((_, s) => names.map((_, j) => (0.02 + 0.25 * (((j + 3 * s) * 7) % 11) / 10) * 0.6));
  const chunks: RespondentColumns[] = [];
  const CHUNK = 20_000;
  for (let start = 0; start < n; start += CHUNK) {
    const size = Math.min(CHUNK, n - start);
    const ratings = names.map(() => new Float64Array(size));
    const ltr = new Uint8Array(size);
    const segment: string[] = [];
    const role: string[] = [];
    const accountId: string[] = [];
    for (let i = 0; i < size; i++) {
      const s = rng.int(3);
      const shared = rng.normal();
      let latent = 0.2 * s - 0.2 + rng.normal();
      for (let j = 0; j < k; j++) {
        const x = Math.min(10, Math.max(0, Math.round(6.8 + 1.2 * shared + 1.3 * rng.normal())));
        latent += weights[s]![j]! * (x - 7);
        ratings[j]![i] = rng.next() < 0.05 ? Number.NaN : x;
      }
      let c = 0;
      while (c < 10 && latent > THRESHOLDS[c]!) c++;
      ltr[i] = c;
      segment.push(SEGMENTS[s]!);
      role.push(ROLES[rng.int(3)]!);
      accountId.push(`A-${Math.floor((start + i) / 5)}`);
    }
    chunks.push({
      size,
      attributes: names,
      respondentId: Array.from({ length: size }, (_, i) => `R-${start + i}`),
      accountId,
      segment,
      role,
      wave: new Array<string | null>(size).fill(null),
      accountRevenue: new Float64Array(size).fill(Number.NaN),
      ltr,
      ratings,
    });
  }
  return { attributes: names.map((name) => ({ name, kind: 'other', scale: [0, 10] })), chunks };
}

export interface DriverModelBench {
  rows: number;
  k: number;
  populationMs: number;
  olsMs: number;
  ordinalMs: number;
  ordinalStructure: string;
  whatIfMs: number[];
  whatIfLift: number;
  /** Resident memory of the process after the ordinal fit, MB (the population and the model included). */
  rssMb: number;
}

export function benchDriverModel(n: number, k = 20): DriverModelBench {
  const { attributes, chunks } = generatedWave(n, k, 20261129);
  let t = performance.now();
  const built = buildPopulation(attributes, chunks, { segmentBy: 'segment' });
  const populationMs = performance.now() - t;
  if (!built.ok) throw new Error(built.detail);
  chunks.length = 0;
  const pop = built.population;
  t = performance.now();
  const ols = fitDriverModel(pop, ModelRequestSchema.parse({ datasetId: 'bench', method: 'ols' }));
  const olsMs = performance.now() - t;
  if (!ols.ok) throw new Error(ols.detail);
  t = performance.now();
  const ordinal = fitDriverModel(pop, ModelRequestSchema.parse({ datasetId: 'bench' }));
  const ordinalMs = performance.now() - t;
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  if (!ordinal.ok) throw new Error(ordinal.detail);
  const whatIf: WhatIf = { changes: [{ attribute: 'a03', op: 'add', value: 1 }, { attribute: 'a07', op: 'closeGap', value: 0.3 }] };
  const whatIfMs: number[] = [];
  let lift = 0;
  for (let r = 0; r < 7; r++) {
    t = performance.now();
    const p = predictWhatIf(ordinal.model, pop, whatIf);
    whatIfMs.push(performance.now() - t);
    if (!p.ok) throw new Error(p.detail);
    lift = p.result.nps.lift;
  }
  const st = ordinal.model.structure as { chosen?: string; curves?: string[]; interactions?: string[][]; cutSpecific?: boolean };
  const structure = `${st.chosen}${st.curves?.length ? ` + ${st.curves.length} curves` : ''}${st.interactions?.length ? ` + ${st.interactions.length} interactions` : ''}${st.cutSpecific ? ' + cut-specific' : ''}`;
  return { rows: n, k, populationMs, olsMs, ordinalMs, ordinalStructure: structure, whatIfMs, whatIfLift: lift, rssMb };
}

if (process.argv[1]?.endsWith('driverModel.ts')) {
  for (const n of [200_000, Number(process.env.BENCH_ROWS_LARGE ?? 1_000_000)]) console.log(JSON.stringify(benchDriverModel(n)));
}
