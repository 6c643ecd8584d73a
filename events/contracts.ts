/**
 * Contracts of the events Liftcast publishes and consumes. Each carries a `version` so consumers can
 * refuse (or adapt to) shapes they do not know; the EventBridge envelope's `detail-type` is the
 * event name. Samples of each live in `samples/eventbridge/`.
 */
import { z } from 'zod';

export const EVENT_SOURCE = 'liftcast';

const Base = z.object({ version: z.literal(1), tenant: z.string().min(1), occurredAt: z.iso.datetime() });

/** What the scenario events name: one version of a scenario, and the model it is forecast on. */
const ScenarioVersionEvent = Base.extend({
  scenarioId: z.string().min(1),
  scenarioVersion: z.number().int().min(1),
  modelId: z.string().min(1),
});

/** A model was requested whose fit is too large for the request: a worker fits it. */
export const ModelFitRequestedSchema = Base.extend({ modelId: z.string().min(1), datasetId: z.string().min(1) });
export type ModelFitRequested = z.infer<typeof ModelFitRequestedSchema>;

/** A model finished fitting, or failed (then `problem` says why). */
export const ModelFittedSchema = Base.extend({
  modelId: z.string().min(1),
  datasetId: z.string().min(1),
  status: z.enum(['ready', 'failed']),
  problem: z.object({ title: z.string(), detail: z.string() }).optional(),
});
export type ModelFitted = z.infer<typeof ModelFittedSchema>;

/**
 * A scenario version too large to forecast inside an API request was stored without its forecast
 * (`forecastStatus: forecasting`): a worker computes it, stores it on that version, and publishes
 * `ScenarioForecasted` (or marks the version `failed`).
 */
export const ScenarioForecastRequestedSchema = ScenarioVersionEvent;
export type ScenarioForecastRequested = z.infer<typeof ScenarioForecastRequestedSchema>;

/**
 * A portfolio optimisation too large for the request was accepted (202): the worker searches the
 * scenario version's portfolios and stores the result on the optimisation.
 */
export const OptimizationRequestedSchema = Base.extend({
  scenarioId: z.string().min(1),
  scenarioVersion: z.number().int().min(1),
  optimizationId: z.string().min(1),
});
export type OptimizationRequested = z.infer<typeof OptimizationRequestedSchema>;

/**
 * A scenario version was stored with its forecast (on create and on every update, in the request or
 * by the worker for a large scenario). Consumers read
 * the forecast with GET /v1/scenarios/{scenarioId}/versions/{scenarioVersion}.
 */
export const ScenarioForecastedSchema = ScenarioVersionEvent;
export type ScenarioForecasted = z.infer<typeof ScenarioForecastedSchema>;

/**
 * A wave was sealed: its respondents are complete and its summary computed, so models can be fitted
 * on it (on a one-request upload, and on `POST /v1/datasets/{id}/seal`). The worker reads the
 * tenant's launches against it (the forecast ledger).
 */
export const DatasetIngestedSchema = Base.extend({
  datasetId: z.string().min(1),
  rowCount: z.number().int().min(1),
  attributes: z.number().int().min(1),
});
export type DatasetIngested = z.infer<typeof DatasetIngestedSchema>;

/**
 * A launch of a scenario version's initiative was recorded (POST /v1/launches), with its forecast
 * frozen on it. Consumers read it with GET /v1/launches/{launchId}.
 */
export const LaunchRecordedSchema = Base.extend({
  launchId: z.string().min(1),
  scenarioId: z.string().min(1),
  scenarioVersion: z.number().int().min(1),
  initiativeId: z.string().min(1),
  launchedOn: z.iso.date(),
});
export type LaunchRecorded = z.infer<typeof LaunchRecordedSchema>;

/**
 * A launch was read against a wave sealed after it (`afterDatasetId`): its realised lift is stored
 * on the launch (`evaluated`), or why there is none (`not-evaluable`; a later wave may try again).
 */
export const LaunchEvaluatedSchema = Base.extend({
  launchId: z.string().min(1),
  afterDatasetId: z.string().min(1),
  status: z.enum(['evaluated', 'not-evaluable']),
});
export type LaunchEvaluated = z.infer<typeof LaunchEvaluatedSchema>;

export const EVENT_SCHEMAS = {
  DatasetIngested: DatasetIngestedSchema,
  ModelFitRequested: ModelFitRequestedSchema,
  ModelFitted: ModelFittedSchema,
  ScenarioForecastRequested: ScenarioForecastRequestedSchema,
  ScenarioForecasted: ScenarioForecastedSchema,
  OptimizationRequested: OptimizationRequestedSchema,
  LaunchRecorded: LaunchRecordedSchema,
  LaunchEvaluated: LaunchEvaluatedSchema,
} as const;
export type EventName = keyof typeof EVENT_SCHEMAS;
export type EventDetail<N extends EventName> = z.infer<(typeof EVENT_SCHEMAS)[N]>;

/** The EventBridge envelope around a detail. */
export const EnvelopeSchema = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.enum(Object.keys(EVENT_SCHEMAS) as [EventName, ...EventName[]]),
  source: z.literal(EVENT_SOURCE),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

/** Parses an envelope and its detail against the contract named by its `detail-type`. */
export function parseEvent(raw: unknown): { name: EventName; detail: EventDetail<EventName> } {
  const envelope = EnvelopeSchema.parse(raw);
  const name = envelope['detail-type'];
  return { name, detail: EVENT_SCHEMAS[name].parse(envelope.detail) };
}
