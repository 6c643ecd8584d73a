/**
 * The stored model document: `parameters` is a union told apart by `kind`, and documents stored
 * before it was declared so (test/fixtures/models/stored.json, written at commit 874e78b) still
 * parse — unchanged, nothing stripped — and drive a what-if without a cast.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DriverModelSchema, ModelParametersSchema } from '../../model/drivers/contract.js';
import { predictWhatIf } from '../../model/drivers/driverModel.js';
import { buildPopulation } from '../../model/drivers/population.js';
import { truthPopulation } from '../support/truth.js';

const stored = JSON.parse(readFileSync(new URL('../fixtures/models/stored.json', import.meta.url), 'utf8')) as { documents: Record<'ordinal' | 'ols', unknown> };

describe('stored model documents', () => {
  for (const method of ['ordinal', 'ols'] as const)
    it(`an ${method} document stored by an earlier version parses to itself`, () => {
      const doc = stored.documents[method];

      const parsed = DriverModelSchema.parse(doc);

      expect(parsed).toStrictEqual(doc);
      expect(parsed.parameters.kind).toBe(method === 'ordinal' ? 'ordinal' : 'linear');
    });

  it('a parsed document drives a what-if on the population it was fitted on', () => {
    const tp = truthPopulation(11, 400);
    const built = buildPopulation(tp.attributes, [tp.columns], { segmentBy: 'segment' });
    if (!built.ok) throw new Error(built.detail);
    const whatIf = { changes: [{ attribute: 'reliability', op: 'add' as const, value: 1 }] };

    for (const method of ['ordinal', 'ols'] as const) {
      const result = predictWhatIf(DriverModelSchema.parse(stored.documents[method]), built.population, whatIf);

      if (!result.ok) throw new Error(result.detail);
      expect(result.result.nps.lift, method).toBeGreaterThan(0);
    }
  });
});

describe('model parameters', () => {
  const linear = { kind: 'linear', groups: ['all'], intercepts: [1], slopes: [[0.5]], sigma: 1.2 };

  it('are refused with an unknown kind, or with a field of the other kind missing', () => {
    expect(ModelParametersSchema.safeParse(linear).success).toBe(true);

    expect(ModelParametersSchema.safeParse({ ...linear, kind: 'spline' }).success).toBe(false);
    const { sigma: _, ...withoutSigma } = linear;
    expect(ModelParametersSchema.safeParse(withoutSigma).success).toBe(false);
    expect(ModelParametersSchema.safeParse({ ...linear, kind: 'ordinal' }).success).toBe(false);
  });
});
