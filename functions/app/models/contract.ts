/**
 * Driver models as the application knows them: a model's record (its request, where its fit stands,
 * why it failed) and what the API answers. The fitted document itself is the model layer's
 * `DriverModel` (model/drivers/contract.ts).
 */
import { z } from 'zod';
import { DriverModelV2Schema, type DriverModel } from '../../../model/drivers/contract.js';
import { WorkProgressSchema, type WorkState } from '../lifecycle.js';

/** A model's status as the API names it: `fitting` is the lifecycle's `pending`. */
export const ModelStatusSchema = z.enum(['fitting', 'ready', 'failed']);
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

/** One field or row at fault in a stored problem (as `ProblemDetailItem`). */
const ProblemItemSchema = z.object({
  field: z.string().optional(),
  row: z.number().int().nullable().optional(),
  line: z.number().int().optional(),
  column: z.string().optional(),
  reason: z.string(),
});
export const ModelProblemSchema = z.object({ title: z.string(), detail: z.string(), errors: z.array(ProblemItemSchema).optional() });
export type ModelProblem = z.infer<typeof ModelProblemSchema>;

/** A model without its fitted document: what a listing shows. */
export const ModelRecordSchema = z.object({
  id: z.string(),
  datasetId: z.string(),
  status: ModelStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The request that produced the model (method, segmentBy, attributes, options). */
  request: z.record(z.string(), z.unknown()),
  problem: ModelProblemSchema.nullable(),
  progress: WorkProgressSchema.optional().describe('While fitting: the stage (queued, reading respondents, fitting) and the share of stages done'),
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

/** A model as the API shows it: its record, and the fitted document once it is ready. */
export const ModelViewSchema = ModelRecordSchema.extend(DriverModelV2Schema.partial().shape);
export type ModelView = ModelRecord & Partial<DriverModel>;

export const ModelAcceptedSchema = z.object({ id: z.string(), status: z.literal('fitting') });
export type CreateModelResult = { status: 201; model: ModelView } | { status: 202; model: z.infer<typeof ModelAcceptedSchema> };

export const ModelPageSchema = z.object({ items: z.array(ModelRecordSchema), nextCursor: z.string().nullable() });
export type ModelPage = z.infer<typeof ModelPageSchema>;

/**
 * The stages a queued fit reports. The structure search, the fit and its explanations (importance,
 * curves, confounding) are one synchronous call in model/drivers, so they are one stage here.
 */
export const FIT_STAGES = ['queued', 'reading respondents', 'fitting'] as const;

/** The lifecycle's state in the words of the model API. */
export function modelStatus(state: WorkState): ModelStatus {
  return state === 'pending' ? 'fitting' : state;
}
