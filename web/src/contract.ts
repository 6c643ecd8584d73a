/**
 * The parts of the Liftcast API's JSON the dashboard reads, written from the OpenAPI document
 * (`/openapi.json`; the server's zod contracts in model/ and functions/app/). Only the fields the
 * page uses are listed, so a field the server adds changes nothing here. The browser does not
 * validate answers: they come from this origin's own API, whose every response the API suites check
 * against the document (test/support/conformance.ts).
 */

/** A `[low, high]` interval at the forecast's level. */
export type Interval = readonly [number, number];

/** The metrics the ranking can order by (`GET /v1/scenarios/{id}/ranking?by=`). */
export const RANK_METRICS = ['npsLift', 'npv', 'roi', 'paybackMonths', 'liftPerMillion'] as const;
export type RankBy = (typeof RANK_METRICS)[number];

/** What the optimiser maximises (`POST /v1/scenarios/{id}/optimize`). */
export const OBJECTIVES = ['npv', 'npsLift'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** True when `value` (e.g. a `data-by` attribute) names a ranking metric. */
export function isRankBy(value: string | null | undefined): value is RankBy {
  return (RANK_METRICS as readonly (string | null | undefined)[]).includes(value);
}

/** True when `value` (e.g. the objective picker's value) names an objective. */
export function isObjective(value: string | null | undefined): value is Objective {
  return (OBJECTIVES as readonly (string | null | undefined)[]).includes(value);
}

/** One page of a list (`items` and the cursor of the next page, `null` on the last). */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface ScenarioSummary {
  id: string;
  name: string;
  version: number;
}

/** `GET /v1/scenarios/{id}`: the scenario's current version. */
export interface ScenarioVersion {
  version: number;
  scenario: { name: string; modelId: string; horizonYears: number };
}

export interface NpsForecast {
  baseline: number;
  predicted: number;
  lift: number;
  interval: Interval;
  respondents: number;
}

export interface Cost {
  oneTime: number;
  annual: number;
  /** Discounted over the horizon. */
  total: number;
}

/**
 * The lift with each changed attribute's effect taken from within accounts: what is left of the
 * associational `nps.lift` when an account-level cause that moves ratings and loyalty together is
 * taken out (the model's `confounding`). For all accounts only.
 */
export interface HaloAdjusted {
  lift: number;
  interval: Interval;
  /** `lift` / the associational lift. */
  factor: number;
}

/** The forecast of one initiative, or of the portfolio, or of an optimiser's selection. */
export interface Outcome {
  nps: NpsForecast;
  revenue: { npv: number; interval: Interval } | null;
  cost: Cost;
  roi: { estimate: number; interval: Interval } | null;
  paybackMonths: number | null;
  /**
   * `null` when the model has no confounding check (a linear model, too few accounts with two or
   * more respondents); absent from forecasts stored before the check existed.
   */
  haloAdjusted?: HaloAdjusted | null;
}

export interface InitiativeForecast extends Outcome {
  id: string;
  name: string;
}

/** `GET /v1/scenarios/{id}/forecast`. */
export interface Forecast {
  modelId: string;
  computedAt: string;
  intervalLevel: number;
  currency: string;
  /** NPS today, overall and by segment; segment names are tenant data (a segment may be called `constructor`). */
  baseline: { nps: number; bySegment: Readonly<Record<string, number>> };
  initiatives: InitiativeForecast[];
  portfolio: Outcome;
  assumptions?: { revenueSource?: 'revenueBase' | 'account_revenue' | 'none' };
}

export interface ImportanceEntry {
  attribute: string;
  /** Share of R² (relative weights). */
  share: number;
  /** Mean rating on the attribute's own scale. */
  performance: number;
}

/** One scale point of an effect curve: the latent effect there, relative to the attribute's mean rating. */
export interface CurvePoint {
  rating: number;
  effect: number;
  /** 95 % interval. */
  interval: Interval;
}

/** An attribute's effect curve (ordinal models since version 2). */
export interface EffectCurve {
  attribute: string;
  /** `false`: a straight line (the data did not support a bend). */
  curved: boolean;
  /** Where the slope may change, on the attribute's own scale. */
  knots: number[];
  points: CurvePoint[];
}

/** What a +1 point change on one attribute does at each NPS cut (ordinal models since version 2). */
export interface CutDriver {
  attribute: string;
  /** Share (0–1) of today's detractors who stop being detractors. */
  leavingDetractor: number;
  /** Share (0–1) of today's non-promoters who become promoters. */
  becomingPromoter: number;
  /** Share of the attributes' total `leavingDetractor`. */
  detractorShare: number;
  /** Share of the attributes' total `becomingPromoter`. */
  promoterShare: number;
}

/** A pairwise interaction the model kept, on the latent scale. */
export interface Interaction {
  attributes: readonly [string, string];
  estimate: number;
  stdError: number;
}

/** A slope per rating point on the latent scale, with its standard error and 95 % interval. */
export interface SlopeEstimate {
  estimate: number;
  stdError: number;
  interval: Interval;
}

/** How strongly an account-level cause appears to move ratings and loyalty together. */
export const CONFOUNDING_RISKS = ['none', 'some', 'high', 'unknown'] as const;
export type ConfoundingRisk = (typeof CONFOUNDING_RISKS)[number];

/** One attribute's within-account against between-account effect (a Mundlak decomposition). */
export interface ConfoundingAttribute {
  attribute: string;
  /** Effect of a rating within an account, net of anything the account shares. */
  within: SlopeEstimate;
  /** Effect of the account's mean rating (includes account-level causes). */
  between: SlopeEstimate;
  /** between − within. */
  contrast: SlopeEstimate;
  /** Share of the associational effect kept within accounts (0–1.5), shrunk toward `survival`. */
  haloFactor: number;
  haloFactorSe: number;
  /** Cinelli–Hazlett robustness value RV₀.₅ of the within effect (0–1). */
  robustness: number;
}

/** The driver model's word on cause and effect (ordinal models; absent from older documents). */
export interface Confounding {
  risk: ConfoundingRisk;
  /** Why the risk is unknown. */
  reason: string | null;
  /** ρ: the share of the associational effects that holds within accounts. */
  survival: number | null;
  /** Joint Wald test that within and between slopes agree (`logP`: natural log of its p-value). */
  test: { statistic: number; df: number; logP: number } | null;
  /** Respondents the check ran on. */
  respondents: number;
  coverage: { accounts: number; multiAccounts: number; multiShare: number };
  attributes: ConfoundingAttribute[];
  statement: string;
}

/**
 * `GET /v1/models/{id}`. `curves`, `drivers` and `interactions` are absent from linear models and
 * from ordinal documents stored before version 2, `confounding` from linear models and from ordinal
 * documents stored before the confounding check; `structure` is free-form (its shape differs by
 * method and version), so it is read field by field (modelChoice.ts).
 */
export interface DriverModel {
  status: string;
  method?: string;
  datasetId?: string;
  fit?: { r2: number };
  attributes?: { name: string; kind: string; scale: Interval }[];
  importance?: ImportanceEntry[];
  structure?: Readonly<Record<string, unknown>>;
  curves?: EffectCurve[];
  drivers?: CutDriver[];
  interactions?: Interaction[];
  confounding?: Confounding;
}

/** `GET /v1/datasets/{id}`: only the attribute labels matter here. */
export interface Dataset {
  attributes?: { name: string; label?: string }[];
}

/** One row of `GET /v1/scenarios/{id}/ranking`. */
export interface RankedInitiative {
  rank: number;
  id: string;
  name: string;
  value: number | null;
  interval: Interval | null;
  probabilityAboveNext: number | null;
  npsLift: number;
  npsInterval: Interval;
  npv: number | null;
  roi: number | null;
  cost: number;
  paybackMonths: number | null;
  liftPerMillion: number | null;
}

export interface PortfolioValue {
  objective: number;
  npsLift: number;
  cost: number;
}

/** The optimiser's answer: the best portfolio within the budget and the frontier up to it. */
export interface OptimizationResult {
  objective?: Objective;
  method?: string;
  selected: string[];
  value: PortfolioValue | null;
  forecast: Outcome | null;
  frontier: (PortfolioValue & { budget: number; selected: string[] })[];
}

/** A large scenario's optimisation, run by the worker (`202`, then `GET …/optimizations/{id}`). */
export interface OptimizationJob {
  id: string;
  status: string;
  scenarioVersion: number;
  result?: OptimizationResult;
  problem?: { title?: string; detail?: string };
}

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  title?: string;
  detail?: string;
}
