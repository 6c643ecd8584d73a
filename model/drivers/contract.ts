/**
 * The driver model's public shapes: what a caller asks for (a fit, a what-if) and what it gets back
 * (a model document, a what-if result, or a failure value). The HTTP layer validates requests with
 * these schemas and maps failures to problems; the maths lives in the modules beside this one.
 */
import { z } from 'zod';
import { IdentifierSchema, LIMITS } from '../dataset.js';
import { safeKey } from '../text.js';

/** Columns a model can be fitted per level of (partial pooling toward the overall model). */
export const SegmentBySchema = z.enum(['segment', 'role', 'wave', 'none']);
export type SegmentBy = z.infer<typeof SegmentBySchema>;

/**
 * `auto`: the NPS-aware ordinal model with its pooling chosen by cross-validation (default).
 * `ordinal`: the same model, named. `ols` / `ridge`: the linear model on the 0–10 ltr (its
 * what-ifs are still threshold-aware: each answer is treated as an interval).
 */
export const ModelMethodSchema = z.enum(['auto', 'ordinal', 'ols', 'ridge']);
export type ModelMethod = z.infer<typeof ModelMethodSchema>;

export const ModelOptionsSchema = z.strictObject({
  lambda: z
    .number()
    .min(0)
    .max(1e12)
    .optional()
    .describe('Ridge penalty on the attributes’ own scale (method ridge); chosen by cross-validation when absent'),
  pooling: z
    .number()
    .min(0)
    .max(1e12)
    .optional()
    .describe('Strength of the pull of each segment toward the overall model; chosen by cross-validation when absent'),
  folds: z.number().int().min(2).max(20).default(5).describe('Cross-validation folds'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1).describe('Seed of the fold assignment'),
  minSegmentSize: z.number().int().min(2).max(100_000).default(10).describe('Smallest segment the model will fit'),
});
export type ModelOptions = z.infer<typeof ModelOptionsSchema>;

export const ModelRequestSchema = z.strictObject({
  datasetId: z.string().min(1).max(64),
  segmentBy: SegmentBySchema.default('segment'),
  attributes: z.array(IdentifierSchema).min(1).max(LIMITS.attributes).optional().describe('Attributes to model; default all'),
  method: ModelMethodSchema.default('auto'),
  options: ModelOptionsSchema.default(() => ModelOptionsSchema.parse({})),
});
export type ModelRequest = z.infer<typeof ModelRequestSchema>;
export type ModelRequestInput = z.input<typeof ModelRequestSchema>;

export const WhatIfOpSchema = z.enum(['add', 'atLeast', 'set', 'closeGap']);
export type WhatIfOp = z.infer<typeof WhatIfOpSchema>;

export const ChangeSchema = z.strictObject({
  attribute: IdentifierSchema,
  op: WhatIfOpSchema.describe(
    'add: +value (capped at the scale top); atLeast: raise to at least value; set: value; closeGap: close this share (0–1) of the gap to the scale top',
  ),
  value: z.number().min(-1e6).max(1e6),
});
export type Change = z.infer<typeof ChangeSchema>;

const NameList = z.array(safeKey(z.string().min(1).max(LIMITS.textLength))).min(1).max(10_000);
export const TargetSchema = z.strictObject({
  segments: NameList.optional(),
  roles: NameList.optional(),
  accounts: NameList.optional(),
});
export type Target = z.infer<typeof TargetSchema>;

export const WhatIfSchema = z.strictObject({
  changes: z.array(ChangeSchema).min(1).max(50),
  target: TargetSchema.optional(),
});
export type WhatIf = z.infer<typeof WhatIfSchema>;

export const NpsChangeSchema = z.object({ baseline: z.number(), predicted: z.number(), lift: z.number() });
export type NpsChange = z.infer<typeof NpsChangeSchema>;

export const WhatIfResultSchema = z.object({
  nps: NpsChangeSchema,
  bySegment: z.record(z.string(), NpsChangeSchema),
  /** Respondents the target matched (all when no target). */
  targeted: z.number().int(),
  respondents: z.number().int(),
});
export type WhatIfResult = z.infer<typeof WhatIfResultSchema>;

const EstimateSchema = z.object({ estimate: z.number(), stdError: z.number() });
export const CoefficientSchema = EstimateSchema.extend({ attribute: z.string(), interval: z.tuple([z.number(), z.number()]) });

export const FitSummarySchema = z.object({
  n: z.number().int(),
  intercept: EstimateSchema,
  coefficients: z.array(CoefficientSchema),
  r2: z.number(),
  adjustedR2: z.number(),
  cvRmse: z.number().nullable(),
});
export type FitSummary = z.infer<typeof FitSummarySchema>;

export const ImportanceSchema = z.object({
  attribute: z.string(),
  /** Share of R² (relative weights); the shares sum to R². */
  share: z.number(),
  /** Mean rating, on the attribute's own scale. */
  performance: z.number(),
});

export const CalibrationSchema = z.object({
  segment: z.string(),
  respondents: z.number().int(),
  observed: z.number(),
  predicted: z.number(),
});

/**
 * Reasons a fit or a what-if is refused. `unknown-attribute`, `unknown-level` (a target names a
 * segment, role or account the dataset does not have) and `invalid-change` (e.g. closeGap outside
 * 0–1, set outside the scale) are request errors (400, with `field`); the others are 422.
 */
export type ModelFailureReason =
  | 'constant-attribute'
  | 'too-few-respondents'
  | 'constant-ltr'
  | 'singular'
  | 'unknown-attribute'
  | 'unanswered-attribute'
  | 'small-segment'
  | 'did-not-converge'
  | 'unknown-level'
  | 'invalid-change';

export interface ModelFailure {
  ok: false;
  reason: ModelFailureReason;
  detail: string;
  attributes?: string[];
  segments?: string[];
  /** The request field at fault, as a path such as `changes[1].value` or `target.segments[0]`. */
  field?: string;
}

/**
 * What a what-if needs of an ordinal (cumulative-logit) model, in its internal parameterisation:
 * P(answer ≤ categories[c]) = logistic(thresholds[c] − η) with η = α_g + Σⱼ slopeⱼ·(xⱼ − centerⱼ)/scaleⱼ.
 */
export const OrdinalParametersSchema = z.object({
  kind: z.literal('ordinal'),
  /** Observed ltr values, ascending; category c of the model is categories[c]. */
  categories: z.array(z.number()),
  thresholds: z.array(z.number()),
  center: z.array(z.number()),
  scale: z.array(z.number()),
  groups: z.array(z.string()),
  /** Per group: intercept α_g and slopes on the standardised scale (β + δ_g). */
  intercepts: z.array(z.number()),
  slopes: z.array(z.array(z.number())),
});
export type OrdinalParameters = z.infer<typeof OrdinalParametersSchema>;

/** What a what-if needs of a linear (`ols`, `ridge`) model: ltr ≈ intercept_g + Σⱼ slope_gj·xⱼ. */
export const LinearParametersSchema = z.object({
  kind: z.literal('linear'),
  groups: z.array(z.string()),
  /** Per group: intercept and slopes on the attributes' scale (ltr points per rating point). */
  intercepts: z.array(z.number()),
  slopes: z.array(z.array(z.number())),
  /** Residual standard deviation, in ltr points. */
  sigma: z.number(),
});
export type LinearParameters = z.infer<typeof LinearParametersSchema>;

/**
 * A model's parameters, told apart by `kind` (`ordinal` for method `ordinal`, `linear` for `ols` and
 * `ridge`). The shape is the one stored since the first model documents; only its declaration is
 * new (it was a record of unknown values), so stored documents parse unchanged.
 */
export const ModelParametersSchema = z.discriminatedUnion('kind', [OrdinalParametersSchema, LinearParametersSchema]);
export type ModelParameters = z.infer<typeof ModelParametersSchema>;

/** The stored, JSON-serialisable fitted model: its explanation plus what a what-if needs. */
export const DriverModelSchema = z.object({
  /** The estimator actually fitted (`auto` resolves to `ordinal`). */
  method: z.enum(['ordinal', 'ols', 'ridge']),
  attributes: z.array(z.object({ name: z.string(), kind: z.string(), scale: z.tuple([z.number(), z.number()]) })),
  segmentBy: SegmentBySchema,
  population: z.object({ respondents: z.number().int(), used: z.number().int(), dropped: z.number().int(), imputed: z.record(z.string(), z.number().int()), missingRule: z.string() }),
  /** Pooled fit. For `ordinal` the coefficients are on the latent logit scale (see `scale`). */
  fit: FitSummarySchema.extend({ scale: z.enum(['ltr', 'logit']) }),
  /** Per level of `segmentBy`: the same, partially pooled toward `fit`. */
  segments: z.record(z.string(), FitSummarySchema.extend({ scale: z.enum(['ltr', 'logit']) })),
  importance: z.array(ImportanceSchema),
  calibration: z.array(CalibrationSchema),
  /** How the structure (pooling, penalty) was chosen. */
  structure: z.record(z.string(), z.unknown()),
  /** Parameters a what-if needs, in the model's internal parameterisation. */
  parameters: ModelParametersSchema,
});
export type DriverModel = z.infer<typeof DriverModelSchema>;
