/**
 * The driver model's public shapes: what a caller asks for (a fit, a what-if) and what it gets back
 * (a model document, a what-if result, or a failure value). The HTTP layer validates requests with
 * these schemas and maps failures to problems; the maths lives in the modules beside this one.
 */
import { z } from 'zod';
import { IdentifierSchema, LIMITS } from '../dataset.js';
import { safeKey } from '../text.js';

/** A column respondents can be grouped by. */
export const GroupColumnSchema = z.enum(['segment', 'role', 'wave']);
export type GroupColumn = z.infer<typeof GroupColumnSchema>;

/**
 * What a model is fitted per level of (partial pooling toward the overall model): one column, two
 * (e.g. `["segment", "role"]`: the model considers each alone, both added and both crossed), or
 * `none`. Models fitted before lists existed store a single column.
 */
export const SegmentBySchema = z.union([
  z.enum(['segment', 'role', 'wave', 'none']),
  z
    .array(GroupColumnSchema)
    .min(1)
    .max(2)
    .refine((cols) => new Set(cols).size === cols.length, { message: 'each column at most once' }),
]);
export type SegmentBy = z.infer<typeof SegmentBySchema>;

/** The grouping columns of a `segmentBy` value, in order. */
export function groupColumns(segmentBy: SegmentBy): GroupColumn[] {
  if (segmentBy === 'none') return [];
  return typeof segmentBy === 'string' ? [segmentBy] : [...segmentBy];
}

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
  structure: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Force the grouping structure (ordinal): shifts, segment, role, "segment + role", "segment × role"; chosen by cross-validation when absent'),
  curves: z
    .union([z.enum(['auto', 'none']), z.array(IdentifierSchema).max(LIMITS.attributes)])
    .default('auto')
    .describe('Curved (piecewise-linear) effects (ordinal): auto screens every attribute and keeps what cross-validation supports; none; or the attributes to curve'),
  interactions: z
    .union([z.enum(['auto', 'none']), z.array(z.tuple([IdentifierSchema, IdentifierSchema])).max(20)])
    .default('auto')
    .describe('Pairwise interactions (ordinal): auto screens every pair; none; or the pairs'),
  noise: z
    .enum(['auto', 'logit', 'probit', 'loglog', 'cloglog'])
    .default('auto')
    .describe('The latent noise’s distribution (ordinal): logistic, normal, or Gumbel (skewed either way); auto by cross-validation'),
  cutSpecific: z
    .union([z.literal('auto'), z.boolean()])
    .default('auto')
    .describe('Let a rating’s effect differ at the detractor and promoter cuts (ordinal; partial proportional odds): auto by cross-validation'),
});
export type ModelOptions = z.infer<typeof ModelOptionsSchema>;

export const ModelRequestSchema = z.strictObject({
  datasetId: z.string().min(1).max(64),
  segmentBy: SegmentBySchema.optional().describe('Default: ["segment", "role"] for the ordinal model (roles only where the wave has them), "segment" for ols and ridge'),
  attributes: z.array(IdentifierSchema).min(1).max(LIMITS.attributes).optional().describe('Attributes to model; default all'),
  method: ModelMethodSchema.default('auto'),
  options: ModelOptionsSchema.default(() => ModelOptionsSchema.parse({})),
});
export type ModelRequest = z.infer<typeof ModelRequestSchema>;
export type ModelRequestInput = z.input<typeof ModelRequestSchema>;

/** The grouping a request asks for, defaults resolved: the ordinal model looks at segments and roles, the linear one at segments. */
export function resolvedSegmentBy(request: Pick<ModelRequest, 'segmentBy' | 'method'>): SegmentBy {
  if (request.segmentBy !== undefined) return request.segmentBy;
  return request.method === 'ols' || request.method === 'ridge' ? 'segment' : ['segment', 'role'];
}

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
  /** 90 % interval of the share, from a bootstrap over accounts (absent on models fitted before it existed). */
  interval: z.tuple([z.number(), z.number()]).optional(),
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
  | 'invalid-change'
  | 'unsupported-structure';

export interface ModelFailure {
  ok: false;
  reason: ModelFailureReason;
  detail: string;
  attributes?: string[];
  segments?: string[];
  /** The request field at fault, as a path such as `changes[1].value` or `target.segments[0]`. */
  field?: string;
}

/** One finest group of an ordinal model (its value in each `groupBy` column), with its effective coefficients. */
const CellSchema = z.object({
  key: z.array(z.string()),
  /** Intercept shift (sum of its levels'), latent units. */
  intercept: z.number(),
  /** Slopes of the standardised ratings: β + every level's departure. */
  slopes: z.array(z.number()),
  /** Their standard errors. */
  slopeSe: z.array(z.number()),
});

/**
 * What a what-if needs of an ordinal (latent-score, cumulative-link) model, in its internal
 * parameterisation: P(answer ≤ categories[c]) = F_link(thresholds[c] − η_c) with
 *
 *   η = intercept_cell + Σ_a slope_cell,a · z_a + Σ curve hinges + Σ interaction products,
 *   η_c = η + [c ≥ upperFrom] · Σ_a promoterShift_a · z_a,   z_a = (x_a − center_a) / scale_a,
 *
 * a hinge of attribute a at knot t being coefficient · (x_a − t)₊ / scale_a, a product γ · z_a · z_b.
 */
export const OrdinalParametersSchema = z.object({
  kind: z.literal('ordinal'),
  version: z.literal(2),
  /** The latent noise's distribution: logistic (logit), normal (probit), Gumbel max (loglog) or min (cloglog). */
  link: z.enum(['logit', 'probit', 'loglog', 'cloglog']),
  /** Observed ltr values, ascending; category c of the model is categories[c]. */
  categories: z.array(z.number()),
  thresholds: z.array(z.number()),
  /** First threshold on the promoter side (where `promoterShift` applies). */
  upperFrom: z.number().int(),
  center: z.array(z.number()),
  scale: z.array(z.number()),
  /** The columns a cell's key names, in order. */
  groupBy: z.array(GroupColumnSchema),
  cells: z.array(CellSchema),
  /** Coefficients for a respondent in a cell the model never saw (the overall ones). */
  fallback: CellSchema.omit({ key: true }),
  curves: z.array(z.object({ attribute: z.number().int(), knots: z.array(z.number()), coefficients: z.array(z.number()) })),
  interactions: z.array(z.object({ a: z.number().int(), b: z.number().int(), coefficient: z.number() })),
  /** ω of every standardised rating at the promoter-side cuts, or null (proportional odds). */
  promoterShift: z.array(z.number()).nullable(),
  /**
   * Account-bootstrap replicates of the parameters, as deviations from the estimates (linearised;
   * model/drivers/latent/replicates.ts), in this order: the thresholds; per cell and then the
   * fallback, its intercept and its k standardised slopes; the curve coefficients (curve by curve)
   * and the interactions; ω when present. Forecast intervals project them onto each lift's gradient.
   * Absent on models fitted before intervals carried them.
   */
  replicates: z.array(z.array(z.number())).optional(),
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

const Interval = z.tuple([z.number(), z.number()]);

/** One level of the chosen structure (overall, a segment, a role, a crossed cell) and its effective coefficients. */
export const LevelSummarySchema = z.object({
  level: z.string().describe('overall, or the grouping (segment, role, "segment × role")'),
  group: z.array(z.string()).describe('The group’s value in each column of its level; empty for overall'),
  respondents: z.number().int(),
  /** Latent units per rating point, with standard error and 95 % interval. */
  coefficients: z.array(CoefficientSchema),
});

/** An attribute's effect curve: the latent effect at each point of its scale relative to its mean rating, with a 95 % interval. */
export const CurveSchema = z.object({
  attribute: z.string(),
  curved: z.boolean().describe('false: a straight line (the data did not support a bend)'),
  knots: z.array(z.number()),
  points: z.array(z.object({ rating: z.number(), effect: z.number(), interval: Interval })),
});

/** What moves respondents across each NPS cut: the share of detractors a +1 point change would lift out, and of non-promoters it would make promoters. */
export const DriverSchema = z.object({
  attribute: z.string(),
  leavingDetractor: z.number().describe('Expected share (0–1) of today’s detractors who stop being detractors after +1 point'),
  becomingPromoter: z.number().describe('Expected share (0–1) of today’s non-promoters who become promoters after +1 point'),
  detractorShare: z.number().describe('Share of the attributes’ total leavingDetractor'),
  promoterShare: z.number().describe('Share of the attributes’ total becomingPromoter'),
});

const Estimate = z.object({ estimate: z.number(), stdError: z.number(), interval: Interval });

/**
 * The driver model's word on cause and effect (model/drivers/halo.ts): within-account against
 * between-account slopes (a Mundlak decomposition), the risk that an account-level cause inflates
 * the lifts, and the halo factors forecasts use for their halo-adjusted lift.
 */
export const ConfoundingSchema = z.object({
  risk: z.enum(['none', 'some', 'high', 'unknown']).describe('How strongly an account-level cause appears to move ratings and loyalty together'),
  reason: z.string().nullable().describe('Why the risk is unknown (too few accounts with two or more respondents, …)'),
  survival: z.number().nullable().describe('ρ: the share of the associational effects that holds within accounts (information-weighted)'),
  test: z.object({ statistic: z.number(), df: z.number().int(), logP: z.number() }).nullable().describe('Joint Wald test that within and between slopes agree'),
  respondents: z.number().int().describe('Respondents the check ran on (an even sample of accounts for large waves)'),
  coverage: z.object({ accounts: z.number().int(), multiAccounts: z.number().int(), multiShare: z.number() }),
  attributes: z.array(
    z.object({
      attribute: z.string(),
      within: Estimate.describe('Effect of a rating within an account (net of anything the account shares), latent units per point'),
      between: Estimate.describe('Effect of the account’s mean rating (includes account-level causes)'),
      contrast: Estimate.describe('between − within'),
      haloFactor: z.number().describe('Share of the associational effect kept within accounts (0–1.5), shrunk toward survival'),
      haloFactorSe: z.number(),
      robustness: z.number().describe('Cinelli–Hazlett robustness value RV₀.₅ of the within effect'),
      correction: z.object({ estimate: z.number(), stdError: z.number() }).describe('within − pooled per rating point: what the halo-adjusted forecast adds to every cell’s slope'),
    }),
  ),
  statement: z.string(),
});
export type Confounding = z.infer<typeof ConfoundingSchema>;

/** The stored, JSON-serialisable fitted model: its explanation plus what a what-if needs. */
export const DriverModelV2Schema = z.object({
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
  /** Ordinal: every level of the chosen structure with its coefficients. */
  levels: z.array(LevelSummarySchema).optional(),
  /** Ordinal: each attribute's effect curve. */
  curves: z.array(CurveSchema).optional(),
  /** Ordinal: the interactions kept. */
  interactions: z.array(z.object({ attributes: z.tuple([z.string(), z.string()]), estimate: z.number(), stdError: z.number() })).optional(),
  /** Ordinal: detractor drivers and promoter drivers. */
  drivers: z.array(DriverSchema).optional(),
  /** Ordinal: the confounding check and halo factors. */
  confounding: ConfoundingSchema.optional(),
});

/**
 * A model document as stored since the first versions: an ordinal model from before structures,
 * curves and cut-specific slopes (parameters without `version`) is read as the equivalent version 2
 * (its groups are cells of its one `segmentBy` column, its slope errors those of its segment fits).
 */
export const DriverModelSchema = z.preprocess(upgradeOrdinalParameters, DriverModelV2Schema);
export type DriverModel = z.infer<typeof DriverModelV2Schema>;

const OrdinalV1Schema = z.object({
  kind: z.literal('ordinal'),
  categories: z.array(z.number()),
  thresholds: z.array(z.number()),
  center: z.array(z.number()),
  scale: z.array(z.number()),
  groups: z.array(z.string()),
  intercepts: z.array(z.number()),
  slopes: z.array(z.array(z.number())),
});

function upgradeOrdinalParameters(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null) return doc;
  const d = doc as { parameters?: unknown; segmentBy?: unknown; segments?: Record<string, { coefficients?: { stdError?: number }[] }> };
  const old = OrdinalV1Schema.safeParse(d.parameters);
  if (!old.success || (d.parameters as { version?: unknown }).version !== undefined) return doc;
  const p = old.data;
  const column = typeof d.segmentBy === 'string' && d.segmentBy !== 'none' ? (d.segmentBy as GroupColumn) : null;
  const se = (g: string, j: number): number => {
    const c = d.segments?.[g]?.coefficients?.[j]?.stdError;
    return typeof c === 'number' ? c * p.scale[j]! : 0;
  };
  const cells = p.groups.map((g, i) => ({ key: column ? [g] : [], intercept: p.intercepts[i]!, slopes: p.slopes[i]!, slopeSe: p.slopes[i]!.map((_, j) => se(g, j)) }));
  const parameters: OrdinalParameters = {
    kind: 'ordinal',
    version: 2,
    link: 'logit',
    categories: p.categories,
    thresholds: p.thresholds,
    upperFrom: p.thresholds.length,
    center: p.center,
    scale: p.scale,
    groupBy: column ? [column] : [],
    cells,
    fallback: { intercept: cells[0]?.intercept ?? 0, slopes: cells[0]?.slopes ?? p.center.map(() => 0), slopeSe: cells[0]?.slopeSe ?? p.center.map(() => 0) },
    curves: [],
    interactions: [],
    promoterShift: null,
  };
  return { ...d, parameters };
}
