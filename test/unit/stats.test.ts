import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { normalCdf, normalDensity, normalQuantile } from '../../model/stats/normal.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/normal.json', import.meta.url), 'utf8')) as {
  cdf: [number, number][];
  quantile: [number, number][];
  density: [number, number][];
};

test('the normal CDF equals Python’s erfc to 1e-13 relative, tails included', () => {
  for (const [x, p] of fixture.cdf) expect(Math.abs(normalCdf(x) - p) / p).toBeLessThan(1e-13);
});

test('the normal quantile equals Python’s NormalDist.inv_cdf to 1e-12 and inverts the CDF', () => {
  for (const [p, x] of fixture.quantile) {
    expect(Math.abs(normalQuantile(p) - x)).toBeLessThan(1e-12 * Math.max(1, Math.abs(x)));
    expect(Math.abs(normalCdf(normalQuantile(p)) - p) / p).toBeLessThan(1e-12);
  }
});

test('the normal density equals Python’s NormalDist.pdf to 1e-14 relative, tails included', () => {
  for (const [x, f] of fixture.density) expect(Math.abs(normalDensity(x) - f) / f, `φ(${x})`).toBeLessThan(1e-14);
});
