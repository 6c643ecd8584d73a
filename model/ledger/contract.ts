/**
 * The forecast ledger's domain shapes: where a launched initiative actually reached, what the next
 * wave says it did, and how forecasts compare with what happened. The application layer
 * (functions/app/launches) stores launches and serves the ledger; everything computed lives in
 * ./realised.ts, ./calibration.ts and ./bridge.ts.
 */
import { z } from 'zod';
import { IdentifierSchema } from '../dataset.js';

const Interval = z.tuple([z.number(), z.number()]);

/** Where a launch reached: respondents in every list given (segments, roles, accounts), and of those a share of accounts. */
export const LaunchReachSchema = z.strictObject({
  segments: z.array(IdentifierSchema).min(1).max(200).optional(),
  roles: z.array(IdentifierSchema).min(1).max(200).optional(),
  accounts: z.array(IdentifierSchema).min(1).max(100_000).optional().describe('The reached accounts, when known'),
  share: z.number().gt(0).max(1).optional().describe('Share of the matching accounts reached (by the same hash as a forecast’s reach), when the accounts are not listed'),
});
export type LaunchReach = z.infer<typeof LaunchReachSchema>;

/** What the estimator needs of a launch. */
export interface LaunchSpec {
  id: string;
  initiativeId: string;
  /** ISO date. */
  launchedOn: string;
  endedOn: string | null;
  reached: LaunchReach;
}

/** A launch's realised lift, or why it has none. */
export type Realised =
  | {
      ok: true;
      /** Points of the whole after-wave's NPS (the forecast's unit). */
      lift: number;
      interval: [number, number];
      /** Effect on the reached respondents themselves (points of their NPS). */
      effectOnReached: { lift: number; interval: [number, number] };
      method: string;
      accounts: { treated: number; control: number; panel: number };
      respondents: { treated: number; control: number };
    }
  | { ok: false; reason: string };

export const RealisedSchema = z.object({
  lift: z.number(),
  interval: Interval,
  effectOnReached: z.object({ lift: z.number(), interval: Interval }),
  method: z.string(),
  accounts: z.object({ treated: z.number().int(), control: z.number().int(), panel: z.number().int() }),
  respondents: z.object({ treated: z.number().int(), control: z.number().int() }),
});

/** Forecast against realised, over the launches evaluated. */
export const LedgerSummarySchema = z.object({
  launches: z.number().int(),
  evaluated: z.number().int(),
  mae: z.number().nullable(),
  within2: z.number().nullable().describe('Share of evaluated launches whose forecast was within 2 points of the realised lift'),
  forecastCoverage: z.number().nullable().describe('Share whose forecast interval held the realised lift'),
  realisedCoverage: z.number().nullable().describe('Share whose realised interval held the forecast'),
});
export type LedgerSummary = z.infer<typeof LedgerSummarySchema>;

export const CalibrationSchema = z.object({
  factor: z.number().describe('Realised ÷ forecast, pooled over launches with shrinkage toward 1'),
  interval: Interval,
  launches: z.number().int(),
  byAttribute: z.array(z.object({ attribute: z.string(), factor: z.number(), interval: Interval, launches: z.number().int() })),
});
export type Calibration = z.infer<typeof CalibrationSchema>;
