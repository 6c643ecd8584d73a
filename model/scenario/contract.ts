/**
 * Scenarios and forecasts: what a strategy team posts (initiatives grouped in a scenario) and what
 * Liftcast answers (each initiative's and the portfolio's NPS lift and revenue impact, with
 * intervals). The HTTP layer validates with these schemas; `forecast.ts` does the maths.
 */
import { z } from 'zod';
import { ChangeSchema, TargetSchema } from '../drivers/contract.js';
import { IdentifierSchema, LIMITS } from '../dataset.js';
import { safeKey, safeText, userRecord } from '../text.js';

const Name = safeText(z.string().trim().min(1).max(200));
const Description = safeText(z.string().max(2000), { tab: true, newline: true });
/** A segment or role named as a record key (revenueBase, roleWeights). */
const LevelKey = safeKey(z.string().min(1).max(LIMITS.textLength));

const Money = z.number().min(0).max(1e13);

export const EffectSchema = ChangeSchema.extend({
  range: z
    .tuple([z.number().min(-1e6).max(1e6), z.number().min(-1e6).max(1e6)])
    .refine(([lo, hi]) => lo <= hi, { message: 'range must be [low, high] with low ≤ high' })
    .optional()
    .describe('How sure the team is of the effect: a 90 % interval for `value`; it widens the forecast intervals'),
});
export type Effect = z.infer<typeof EffectSchema>;

export const InitiativeSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a slug: lower-case letters and digits joined by single hyphens')
    .max(64)
    .describe('Unique within the scenario'),
  name: Name,
  description: Description.optional(),
  effects: z.array(EffectSchema).min(1).max(20),
  target: TargetSchema.optional(),
  reach: z.number().gt(0).max(1).default(1).describe('Share of targeted accounts the initiative actually reaches'),
  rampMonths: z.number().int().min(0).max(120).default(0).describe('Months until the full effect (linear ramp)'),
  cost: z.strictObject({ oneTime: Money.default(0), annual: Money.default(0) }),
});
export type Initiative = z.infer<typeof InitiativeSchema>;

export const LoyaltyEconomicsSchema = z.strictObject({
  retention: z.number().min(0).max(1).describe('Share of the account’s revenue kept each year'),
  expansion: z.number().min(-1).max(5).describe('Net expansion of kept revenue each year (upsell − downsell)'),
  referral: z.number().min(0).max(5).default(0).describe('Revenue from referrals, as a share of the account’s revenue each year'),
  costToServe: z.number().min(0).max(5).default(0).describe('Extra cost to serve, as a share of revenue each year'),
});
export type LoyaltyEconomics = z.infer<typeof LoyaltyEconomicsSchema>;

export const EconomicsSchema = z.strictObject({
  promoter: LoyaltyEconomicsSchema,
  passive: LoyaltyEconomicsSchema,
  detractor: LoyaltyEconomicsSchema,
});
export type Economics = z.infer<typeof EconomicsSchema>;

/**
 * Default loyalty economics: assumptions in the range of published B2B loyalty studies (Bain &
 * Company's work on Net Promoter economics: promoters stay longer, buy more and refer; detractors
 * churn and shrink), chosen so that over five years a promoter account is worth about 4× a
 * detractor account — inside the 3–12× Bain reports for B2B. Every forecast states the values used.
 */
export const DEFAULT_ECONOMICS: Economics = {
  promoter: { retention: 0.95, expansion: 0.08, referral: 0.03, costToServe: 0 },
  passive: { retention: 0.85, expansion: 0.02, referral: 0, costToServe: 0 },
  detractor: { retention: 0.7, expansion: -0.05, referral: 0, costToServe: 0.02 },
};

export const ScenarioInputSchema = z
  .strictObject({
    name: Name,
    description: Description.optional(),
    modelId: z.string().min(1).max(64),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD').default('USD'),
    horizonYears: z.number().int().min(1).max(10).default(3),
    discountRate: z.number().min(0).max(1).default(0.08),
    intervalLevel: z.number().min(0.5).max(0.99).default(0.9).describe('Level of every interval in the forecast (0.5–0.99)'),
    economics: EconomicsSchema.optional(),
    revenueBase: userRecord(LevelKey, Money)
      .optional()
      .describe('Total annual revenue per segment, to extrapolate from surveyed accounts to the whole book'),
    roleWeights: userRecord(LevelKey, z.number().min(0).max(1000))
      .optional()
      .describe('How much each role counts in its account’s loyalty mix (default: equal)'),
    initiatives: z.array(InitiativeSchema).min(1).max(50),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.initiatives.forEach((initiative, i) => {
      const first = seen.get(initiative.id);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['initiatives', i, 'id'], message: `duplicate initiative id '${initiative.id}' (also initiatives[${first}])` });
      else seen.set(initiative.id, i);
    });
  });
export type ScenarioInput = z.infer<typeof ScenarioInputSchema>;
export type ScenarioInputRaw = z.input<typeof ScenarioInputSchema>;

// --- Forecast ------------------------------------------------------------------------------------

const Interval = z.tuple([z.number(), z.number()]);

export const NpsForecastSchema = z.object({
  baseline: z.number(),
  predicted: z.number(),
  lift: z.number(),
  interval: Interval.describe('Interval for the lift at the forecast’s level'),
  /** False when the interval includes 0: the lift cannot be told apart from no change. */
  distinguishable: z.boolean(),
  respondents: z.number().int(),
});
export type NpsForecast = z.infer<typeof NpsForecastSchema>;

export const SharesSchema = z.object({ promoters: z.number(), passives: z.number(), detractors: z.number() });

export const RevenueForecastSchema = z.object({
  /** Revenue impact (before cost) per year of the horizon, undiscounted. */
  yearly: z.array(z.number()),
  npv: z.number(),
  interval: Interval,
});

export const CostSchema = z.object({ oneTime: z.number(), annual: z.number(), total: z.number().describe('Discounted cost over the horizon') });

/** Where a forecast's uncertainty comes from, for comparisons that need more than its interval. */
export const UncertaintySchema = z.object({
  /** Standard deviation of the overall NPS lift (points) from the driver model's parameters (account bootstrap, every correlation kept). */
  model: z.number(),
  /** … from the respondents' own outcomes (each moved respondent's new answer is a draw from the model's counterfactual). */
  respondents: z.number(),
  /** … from which accounts were surveyed (accounts as clusters). */
  sampling: z.number(),
  /**
   * The overall lift's deviation (points) under each of the model's bootstrap replicates, and the
   * NPV's (currency): two forecasts on one model share its error, and their covariance is the mean
   * product of their deviations. Empty for models without replicates.
   */
  replicates: z.object({ lift: z.array(z.number()), npv: z.array(z.number()).nullable() }),
});
export type Uncertainty = z.infer<typeof UncertaintySchema>;

export const OutcomeSchema = z.object({
  nps: NpsForecastSchema,
  bySegment: z.record(z.string(), NpsForecastSchema),
  shares: z.object({ before: SharesSchema, after: SharesSchema }),
  revenue: RevenueForecastSchema.nullable(),
  cost: CostSchema,
  roi: z.object({ estimate: z.number(), interval: Interval }).nullable(),
  paybackMonths: z.number().nullable(),
  liftPerMillion: z.number().nullable(),
  /** Null on forecasts stored before intervals had sources. */
  uncertainty: UncertaintySchema.nullable().default(null),
  /**
   * The lift with each changed attribute's effect taken from within accounts (every cell's slope
   * moved by the attribute's within − pooled correction; the model's `confounding`): what is left
   * when an account-level cause that moves ratings and loyalty together is taken out. Null when the
   * model has no confounding check (too few accounts with two or more respondents, linear models).
   */
  haloAdjusted: z.object({ lift: z.number(), interval: Interval, factor: z.number().describe('haloAdjusted.lift / the associational lift') }).nullable().default(null),
  /**
   * The lift calibrated by the tenant's forecast ledger (realised ÷ forecast over evaluated
   * launches, shrunk toward 1), with an interval that adds the factor's uncertainty; null until the
   * ledger has an evaluated launch.
   */
  calibrated: z.object({ lift: z.number(), interval: Interval, factor: z.number(), launches: z.number().int() }).nullable().default(null),
});
export type Outcome = z.infer<typeof OutcomeSchema>;

export const ForecastSchema = z.object({
  modelId: z.string(),
  computedAt: z.string(),
  intervalLevel: z.number(),
  currency: z.string(),
  baseline: z.object({ nps: z.number(), bySegment: z.record(z.string(), z.number()) }),
  initiatives: z.array(OutcomeSchema.extend({ id: z.string(), name: z.string(), targeted: z.number().int(), reached: z.number().int() })),
  portfolio: OutcomeSchema,
  assumptions: z.object({
    economics: EconomicsSchema,
    roleWeights: z.record(z.string(), z.number()),
    revenueSource: z.enum(['revenueBase', 'account_revenue', 'none']),
    method: z.string(),
    notes: z.array(z.string()),
  }),
});
export type Forecast = z.infer<typeof ForecastSchema>;

/** Why a scenario cannot be forecast: a request error (400 with `field`) or the model's data (422). */
export interface ScenarioFailure {
  ok: false;
  reason: 'unknown-attribute' | 'unknown-level' | 'invalid-change' | 'unknown-segment';
  detail: string;
  field?: string;
}

export { IdentifierSchema };
