/**
 * The stored model document: `parameters` is a union told apart by `kind`, and documents stored
 * before it was declared so (test/fixtures/models/stored.json, written at commit 874e78b) still
 * parse — the linear one unchanged, the ordinal one as the same model in the version 2 shape — and
 * drive a what-if without a cast.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DriverModelSchema, ModelParametersSchema } from '../../model/drivers/contract.js';
import { predictWhatIf } from '../../model/drivers/driverModel.js';
import { buildPopulation } from '../../model/drivers/population.js';
import { truthPopulation } from '../support/truth.js';

const stored = JSON.parse(readFileSync(new URL('../fixtures/models/stored.json', import.meta.url), 'utf8')) as { documents: Record<'ordinal' | 'ols', unknown> };

describe('stored model documents', () => {
  it('an ols document stored by an earlier version parses to itself', () => {
    const doc = stored.documents.ols;

    const parsed = DriverModelSchema.parse(doc);

    expect(parsed).toStrictEqual(doc);
    expect(parsed.parameters.kind).toBe('linear');
  });

  it('an ordinal document stored before structures parses as the same model in version 2: one cell per group of its segmentBy column', () => {
    const doc = stored.documents.ordinal as { segmentBy: string; parameters: { groups: string[]; intercepts: number[]; slopes: number[][]; thresholds: number[] }; segments: Record<string, { coefficients: { stdError: number }[] }> };

    const parsed = DriverModelSchema.parse(doc);

    const { parameters: _p, ...rest } = parsed;
    const { parameters: old, ...oldRest } = doc;
    expect(rest).toStrictEqual(oldRest);
    if (parsed.parameters.kind !== 'ordinal') throw new Error('not ordinal');
    expect(parsed.parameters.version).toBe(2);
    expect(parsed.parameters.groupBy).toEqual([doc.segmentBy]);
    expect(parsed.parameters.thresholds).toEqual(old.thresholds);
    expect(parsed.parameters.cells.map((c) => [c.key, c.intercept, c.slopes])).toEqual(old.groups.map((g, i) => [[g], old.intercepts[i], old.slopes[i]]));
    expect(parsed.parameters.promoterShift).toBeNull();
    expect(parsed.parameters.curves).toEqual([]);
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
