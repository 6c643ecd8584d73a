/**
 * Scenarios as the application knows them: a head per scenario (what a listing shows) and an
 * immutable version per change, each with the forecast stored with it — or where that forecast
 * stands, for a large scenario the worker forecasts.
 */
import { z } from 'zod';
import { ForecastSchema, ScenarioInputSchema } from '../../../model/scenario/contract.js';
import { VersionConflictError } from '../errors.js';
import { WorkProgressSchema, type WorkState } from '../lifecycle.js';

/** A scenario's head: what a listing shows. */
export const ScenarioHeadSchema = z.object({
  id: z.string(),
  name: z.string(),
  modelId: z.string(),
  version: z.number().int().min(1).describe('The latest version; its ETag is "<version>"'),
  createdAt: z.string(),
  updatedAt: z.string().describe('When the latest version was written'),
});
export type ScenarioHead = z.infer<typeof ScenarioHeadSchema>;

/** Where a version's forecast stands, in the API's words: `forecasting` is the lifecycle's `pending`. */
export const ForecastStatusSchema = z.enum(['ready', 'forecasting', 'failed']);
export type ForecastStatus = z.infer<typeof ForecastStatusSchema>;

/** Why a version's forecast failed (stored, then served as the `detail` of a 422). */
export const ForecastProblemSchema = z.object({
  title: z.string(),
  detail: z.string(),
  field: z.string().optional().describe('Where the scenario is at fault (body.initiatives.0.target), when it is'),
});
export type ForecastProblem = z.infer<typeof ForecastProblemSchema>;

/** One version as a version listing shows it: without its forecast. */
export const ScenarioVersionSummarySchema = ScenarioHeadSchema.omit({ version: true }).extend({
  version: z.number().int().min(1),
  createdAt: z.string().describe('When the scenario was created (version 1)'),
  updatedAt: z.string().describe('When this version was written'),
  scenario: ScenarioInputSchema,
  forecastStatus: ForecastStatusSchema,
  problem: ForecastProblemSchema.optional().describe('Why the forecast failed (forecastStatus failed)'),
  progress: WorkProgressSchema.optional().describe('While forecasting: the stage (queued, reading respondents, forecasting) and the share of stages done'),
});
export type ScenarioVersionSummary = z.infer<typeof ScenarioVersionSummarySchema>;

/** One immutable version: the scenario as stored and the forecast computed for it (null until ready). */
export const ScenarioVersionSchema = ScenarioVersionSummarySchema.extend({ forecast: ForecastSchema.nullable() });
export type ScenarioVersion = z.infer<typeof ScenarioVersionSchema>;

/** What a new version stores; `id`, `version` and `createdAt` come from the head. */
export type NewVersion = Pick<ScenarioVersion, 'name' | 'modelId' | 'updatedAt' | 'scenario' | 'forecastStatus' | 'forecast'>;

export const ScenarioPageSchema = z.object({ items: z.array(ScenarioHeadSchema), nextCursor: z.string().nullable() });
export const VersionPageSchema = z.object({ items: z.array(ScenarioVersionSummarySchema), nextCursor: z.string().nullable() });

/** The stages a queued forecast reports (the forecast's own pipeline is one synchronous call in model/scenario). */
export const FORECAST_STAGES = ['queued', 'reading respondents', 'forecasting'] as const;

/** A forecast status in the lifecycle's words, and back. */
export function forecastState(status: ForecastStatus): WorkState {
  return status === 'forecasting' ? 'pending' : status;
}

/** A change based on version `expected` of a scenario now at `current`. */
export function staleVersionError(id: string, expected: number, current: number, cause?: unknown): VersionConflictError {
  return new VersionConflictError(
    `Scenario '${id}' is at version ${current}, not ${expected}: it changed since you read it. Read it again (GET /v1/scenarios/${id}), reapply your change and send If-Match: "${current}".`,
    current,
    { cause, errors: [{ field: 'header.If-Match', reason: `the latest version is ${current}` }] },
  );
}
