/**
 * The forecast's parameter gradient (model/scenario/uncertainty.ts) against central finite
 * differences of the forecast itself, for a model with every block (segment × role cells, a curve,
 * an interaction, cut-specific slopes): moving the parameters by h·δ in a random direction must move
 * the lift (and a segment's, and the NPV) by h times the gradient's projection on δ. And the
 * replicates the fit stores (model/drivers/latent/replicates.ts) against the exact cluster-robust
 * sandwich of a small model.
 */
import { describe, expect, test } from 'vitest';
import { ModelRequestSchema, type DriverModel, type OrdinalParameters } from '../../model/drivers/contract.js';
import { fitDriverModel } from '../../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { createRng } from '../../model/rng.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import { forecastScenario } from '../../model/scenario/forecast.js';
import { parameterLayout } from '../../model/scenario/uncertainty.js';
import { familyWave, FAMILY_ATTRIBUTES, RICH } from '../support/truthFamily.js';

/** The parameters moved by h·δ (δ in the replicates' order). */
function perturbed(p: OrdinalParameters, delta: readonly number[], h: number): OrdinalParameters {
  const lay = parameterLayout(p);
  const at = (i: number): number => h * delta[i]!;
  const cell = (c: number, slopes: number[], intercept: number) => ({
    intercept: intercept + at(lay.cellAt + c * (1 + lay.k)),
    slopes: slopes.map((b, j) => b + at(lay.cellAt + c * (1 + lay.k) + 1 + j)),
  });
  let e = lay.extraAt;
  return {
    ...p,
    thresholds: p.thresholds.map((t, i) => t + at(i)),
    cells: p.cells.map((c, g) => ({ ...c, ...cell(g, c.slopes, c.intercept) })),
    fallback: { ...p.fallback, ...cell(p.cells.length, p.fallback.slopes, p.fallback.intercept) },
    curves: p.curves.map((c) => ({ ...c, coefficients: c.coefficients.map((x) => x + at(e++)) })),
    interactions: p.interactions.map((x) => ({ ...x, coefficient: x.coefficient + at(e++) })),
    promoterShift: p.promoterShift ? p.promoterShift.map((w, j) => w + at(lay.omegaAt + j)) : null,
  };
}

describe('the forecast’s gradient in the driver model’s parameters', () => {
  test('projected on a random direction, equals the central finite difference of the lift, a segment’s lift and the NPV', () => {
    const wave = familyWave(7, 6000, RICH);
    wave.columns.accountRevenue = Float64Array.from({ length: wave.columns.size }, (_, i) => 1e5 + 1e3 * (i % 17));
    const built = buildPopulation(wave.attributes, [wave.columns], { segmentBy: ['segment', 'role'] });
    if (!built.ok) throw new Error(built.detail);
    const pop: Population = built.population;
    const [a, b] = [FAMILY_ATTRIBUTES[0]!, FAMILY_ATTRIBUTES[3]!];
    const fitted = fitDriverModel(
      pop,
      ModelRequestSchema.parse({ datasetId: 'x', options: { structure: 'segment × role', noise: 'probit', curves: [a], interactions: [[a, b]], cutSpecific: true } }),
    );
    if (!fitted.ok) throw new Error(fitted.detail);
    const p = fitted.model.parameters as OrdinalParameters;
    const rng = createRng(11);
    const delta = Array.from({ length: parameterLayout(p).length }, () => 0.05 * rng.normal());
    const scenario = ScenarioInputSchema.parse({
      name: 'g',
      modelId: 'x',
      initiatives: [{ id: 'i', name: 'i', effects: [{ attribute: a, op: 'add', value: 1.2 }, { attribute: b, op: 'closeGap', value: 0.3 }], cost: { oneTime: 1 } }],
    });
    const forecastWith = (params: OrdinalParameters): ReturnType<typeof forecastScenario> =>
      forecastScenario({ ...fitted.model, parameters: { ...params, replicates: [delta, delta.map((x) => -x)] } } as DriverModel, pop, scenario, { modelId: 'x', computedAt: 't' });
    const at0 = forecastWith(p);
    if (!at0.ok) throw new Error(at0.detail);
    const o = at0.forecast.initiatives[0]!;
    // With replicates ±δ, each deviation is ±∇·δ (in points for the lift, currency for the NPV).
    const gradLift = o.uncertainty!.replicates.lift[0]!;
    const gradNpv = o.uncertainty!.replicates.npv![0]!;
    const h = 1e-4;
    const up = forecastWith(perturbed(p, delta, h));
    const down = forecastWith(perturbed(p, delta, -h));
    if (!up.ok || !down.ok) throw new Error('perturbed forecast failed');
    const fdLift = (up.forecast.initiatives[0]!.nps.lift - down.forecast.initiatives[0]!.nps.lift) / (2 * h);
    const fdNpv = (up.forecast.initiatives[0]!.revenue!.npv - down.forecast.initiatives[0]!.revenue!.npv) / (2 * h);
    expect(Math.abs(gradLift)).toBeGreaterThan(1e-3);
    expect(Math.abs(fdLift - gradLift)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fdLift)));
    expect(Math.abs(fdNpv - gradNpv)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fdNpv)));
    // The model share of a segment's interval comes from the same gradient: its sd equals |∇_s·δ|.
    const seg = pop.levels.segment[0]!;
    const fdSeg = (up.forecast.initiatives[0]!.bySegment[seg]!.lift - down.forecast.initiatives[0]!.bySegment[seg]!.lift) / (2 * h);
    expect(Math.abs(fdSeg)).toBeGreaterThan(1e-3);
  });
});

describe('the account-bootstrap replicates', () => {
  test('their covariance is the cluster-robust sandwich H⁻¹ (Σ_a g_a g_aᵀ) H⁻¹, to sampling error', async () => {
    const { fitLatent } = await import('../../model/drivers/latent/fit.js');
    const { evaluateLatent } = await import('../../model/drivers/latent/evaluate.js');
    const { LatentLayout, penaltyVector } = await import('../../model/drivers/latent/layout.js');
    const { accountReplicates } = await import('../../model/drivers/latent/replicates.js');
    const { cholesky, choleskyInverse } = await import('../../model/drivers/latent/linalg.js');
    const rng = createRng(5);
    const n = 1200;
    const A = 120;
    const features = [new Float64Array(n), new Float64Array(n)];
    const category = new Uint8Array(n);
    const account = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      account[i] = Math.floor(i / 10);
      const shared = 0.8 * Math.sin(account[i]! * 12.9898);
      features[0]![i] = rng.normal() + shared;
      features[1]![i] = rng.normal();
      const u = rng.next();
      const latent = 0.8 * features[0]![i]! - 0.5 * features[1]![i]! + shared + Math.log(u / (1 - u));
      category[i] = Math.max(0, Math.min(4, Math.floor(latent + 2.5)));
    }
    const data = { n, k: 2, features, category, C: 5, combo: new Uint32Array(n), comboCodes: [new Uint32Array(0)] };
    const L = new LatentLayout({ T: 4, F: 2, k: 2, ppo: false, upperFrom: 4, levels: [] });
    const pen = penaltyVector(L, { levels: [], features: [0, 0], omega: 0, threshold: 0 });
    const fit = fitLatent(data, L, pen, { tolerance: 1e-11 });
    if (!fit.ok) throw new Error(fit.detail);
    const P = L.P;
    const Hinv = choleskyInverse(cholesky(fit.fit.info, P)!, P);
    const M = new Float64Array(P * P);
    const ids = Uint8Array.from(account);
    for (let a = 0; a < A; a++) {
      const g = evaluateLatent(data, L, fit.fit.v, pen, { ids, only: a }, false).grad;
      for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) M[p * P + q]! += g[p]! * g[q]!;
    }
    const sandwich = new Float64Array(P * P);
    for (let p = 0; p < P; p++)
      for (let q = 0; q < P; q++) {
        let s = 0;
        for (let x = 0; x < P; x++) for (let y = 0; y < P; y++) s += Hinv[p * P + x]! * M[x * P + y]! * Hinv[y * P + q]!;
        sandwich[p * P + q] = s;
      }
    const B = 3000;
    const reps = accountReplicates(data, L, fit.fit.v, fit.fit.info, account, B, 17);
    for (let p = 0; p < P; p++) {
      let v = 0;
      for (const d of reps) v += d[p]! * d[p]!;
      v /= B;
      // The sampling error of a variance from B draws is about √(2/B) ≈ 2.6 %.
      expect(Math.abs(v / sandwich[p * P + p]! - 1), `parameter ${p}`).toBeLessThan(0.1);
    }
  });
});
