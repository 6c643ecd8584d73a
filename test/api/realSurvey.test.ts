/**
 * The driver model on a real survey, through the API: the energy supplier's relationship NPS
 * (../shared/data/surveys/energy_relationship.csv, 10,408 households, eight drivers on 1–5 with
 * many blanks, one respondent per account). Real data has what known-truth waves may not: coarse
 * 1–5 ratings, skewed answers, 38 % blanks on one driver, no account with two respondents. The
 * `auto` fit chose cut-specific slopes with curves and interactions here, and its final fit once
 * failed as "singular" (a Newton step that made the cumulative curves cross for a few
 * respondents); the benchmark saw it, no test did.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { energySurvey } from '../bench/realSurvey.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';

let lc: TestLiftcast;

beforeAll(async () => {
  lc = await createTestLiftcast();
});

interface Calibration {
  segment: string;
  observed: number;
  predicted: number;
  respondents: number;
}

describe('the driver model on the real energy survey', () => {
  it('auto fits (ready, not singular), says the confounding check cannot run without multi-respondent accounts, and its held-out NPS per segment beats least squares', { timeout: 120_000 }, async () => {
    // Prepare
    const survey = energySurvey();
    expect(survey, 'the shared surveys are beside the repository (../shared/data/surveys)').not.toBeNull();
    const token = await lc.token(lc.tenant());
    const dataset = await (await lc.request('POST', `/v1/datasets?${survey!.query}`, { token, csv: survey!.csv })).json();
    expect(dataset.rowCount).toBe(survey!.rows);

    // Act
    const fit = async (method: string) => {
      const res = await lc.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, method, segmentBy: 'segment' } });
      const body = await res.json();
      expect(res.status, JSON.stringify(body).slice(0, 600)).toBe(201);
      return body as { status: string; method: string; calibration: Calibration[]; confounding?: { risk: string; reason: string | null } | null };
    };
    const auto = await fit('auto');
    const ols = await fit('ols');

    // Assess
    expect(auto.status).toBe('ready');
    expect(auto.method).toBe('ordinal');
    expect(auto.confounding?.risk).toBe('unknown');
    expect(auto.confounding?.reason).toBeTruthy();
    const worst = (c: Calibration[]) => Math.max(...c.map((p) => Math.abs(p.predicted - p.observed)));
    expect(auto.calibration.length).toBeGreaterThanOrEqual(3);
    expect(worst(auto.calibration), 'held-out NPS per segment within 5 points').toBeLessThan(5);
    expect(worst(auto.calibration)).toBeLessThan(worst(ols.calibration));
  });
});
