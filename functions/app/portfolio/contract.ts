/**
 * What the finance views answer: a comparison of scenarios side by side, and an optimisation's
 * result. The routes document these and the service's return types are inferred from them, so the
 * OpenAPI document and the answers cannot drift apart.
 */
import { z } from 'zod';
import { CostSchema, ForecastSchema, NpsForecastSchema, OutcomeSchema } from '../../../model/scenario/contract.js';
import { OptimizeRequestSchema } from '../../../model/scenario/optimize.js';
import { WorkProgressSchema } from '../lifecycle.js';

const Interval = z.tuple([z.number(), z.number()]);
const Estimate = z.object({ value: z.number(), interval: Interval });

export const ComparedScenarioSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  currency: z.string(),
  intervalLevel: z.number(),
  baselineNps: z.number(),
  nps: NpsForecastSchema.describe('The portfolio’s NPS forecast'),
  netValue: Estimate.nullable().describe('revenue.npv − cost.total of the portfolio; null without revenue'),
  roi: z.object({ estimate: z.number(), interval: Interval }).nullable(),
  cost: CostSchema,
  paybackMonths: z.number().nullable(),
  liftPerMillion: z.number().nullable(),
});

export const ComparisonSchema = z.object({
  scenarios: z.array(ComparedScenarioSchema),
  differences: z.array(
    z.object({
      a: z.string(),
      b: z.string(),
      npsLift: Estimate.nullable().describe('a − b, with its interval'),
      netValue: Estimate.nullable().describe('a − b; null when either has no revenue or the currencies differ'),
      cost: z.number().nullable().describe('a − b of cost.total; null when the currencies differ'),
    }),
  ),
  note: z.string(),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

const PortfolioValueSchema = z.object({ objective: z.number(), npsLift: z.number(), cost: z.number() });

export const OptimizationResultSchema = z.object({
  scenarioId: z.string(),
  version: z.number().int(),
  objective: z.enum(['npv', 'npsLift']),
  budget: z.number(),
  method: z.enum(['exact', 'exhaustive', 'greedy']).describe('exact: every subset through the model; exhaustive: pairwise expansion, leaders re-scored; greedy: beyond 20 initiatives'),
  evaluations: z.number().int(),
  selected: z.array(z.string()).describe('Initiative ids of the chosen portfolio'),
  value: PortfolioValueSchema,
  forecast: OutcomeSchema.nullable().describe('The chosen portfolio’s forecast; null when nothing is selected'),
  initiatives: ForecastSchema.shape.initiatives,
  frontier: z.array(PortfolioValueSchema.extend({ budget: z.number(), selected: z.array(z.string()) })).describe('Best portfolio at each budget level'),
});
export type OptimizationResult = z.infer<typeof OptimizationResultSchema>;

/** Why an optimisation failed. */
export const OptimizationProblemSchema = z.object({ title: z.string(), detail: z.string(), field: z.string().optional() });
export type OptimizationProblem = z.infer<typeof OptimizationProblemSchema>;

/** The stages a queued optimisation reports (the search itself is one synchronous call in model/scenario). */
export const OPTIMIZATION_STAGES = ['queued', 'reading respondents', 'searching portfolios'] as const;

/** A portfolio search the worker runs for a scenario too large to search in a request. `running` is the lifecycle's `pending`. */
export const OptimizationSchema = z.object({
  id: z.string(),
  scenarioId: z.string(),
  scenarioVersion: z.number().int().min(1).describe('The scenario version searched'),
  request: OptimizeRequestSchema,
  status: z.enum(['running', 'ready', 'failed']),
  createdAt: z.string(),
  updatedAt: z.string(),
  result: OptimizationResultSchema.optional().describe('When ready: what POST …/optimize answers for a scenario small enough to search in the request'),
  problem: OptimizationProblemSchema.optional().describe('When failed: why'),
  progress: WorkProgressSchema.optional().describe('While running: the stage (queued, reading respondents, searching portfolios) and the share of stages done'),
});
export type Optimization = z.infer<typeof OptimizationSchema>;
