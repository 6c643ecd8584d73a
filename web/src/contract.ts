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
  scenario: ScenarioInput;
  forecastStatus?: string;
  progress?: WorkProgress;
  problem?: Problem;
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
  /** The lift calibrated by the forecast ledger: `null` until it has an evaluated launch, absent from older forecasts. */
  calibrated?: CalibratedLift | null;
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
  id?: string;
  status: string;
  progress?: WorkProgress;
  problem?: Problem | null;
  segmentBy?: string | string[];
  calibration?: CalibrationPoint[];
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
  progress?: WorkProgress;
  scenarioVersion: number;
  result?: OptimizationResult;
  problem?: { title?: string; detail?: string };
}

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  title?: string;
  detail?: string;
  /** Every field or row at fault (at most 100 are listed). */
  errors?: ProblemItem[];
  /** How many problems there were in all, when more were found than listed. */
  errorCount?: number;
  /** A 412: the version the scenario is at now. */
  currentVersion?: number;
}

/** One field, or one row and column of an upload, at fault. */
export interface ProblemItem {
  field?: string;
  /** 1-based data row of an upload; `null` for the whole file. */
  row?: number | null;
  line?: number;
  column?: string;
  reason: string;
}

/** Where queued work stands while pending (`GET` of a model, a scenario version, an optimisation). */
export interface WorkProgress {
  stage: string;
  /** Share of the stages finished, 0–1. */
  done: number;
}

/** `GET /v1/datasets` items and `POST /v1/datasets` answers. */
export interface DatasetSummary {
  id: string;
  name: string;
  status: 'open' | 'sealed' | string;
  rowCount: number;
  createdAt?: string;
  attributes: { name: string; kind: string; scale: Interval; missing?: (string | number)[] }[];
  /** A sealed wave's figures: the segments and roles it has are the keys of its NPS cuts. */
  summary?: { nps: { bySegment: Readonly<Record<string, unknown>>; byRole?: Readonly<Record<string, unknown>> } } | null;
}

/** `POST /v1/datasets/{id}/rows`. */
export interface AppendedBatch {
  rows: number;
}

/** `GET /v1/models` items, and what `POST /v1/models` answers with 202. */
export interface ModelSummary {
  id: string;
  datasetId?: string;
  status: 'fitting' | 'ready' | 'failed' | string;
  createdAt?: string;
  request?: Readonly<Record<string, unknown>>;
  problem?: Problem | null;
  progress?: WorkProgress;
}

/** One segment's out-of-fold predicted against observed NPS (a model's `calibration`). */
export interface CalibrationPoint {
  segment: string;
  respondents: number;
  observed: number;
  predicted: number;
}

/** `POST /v1/models/{id}/predict`: NPS before and after, overall and by segment. */
export interface WhatIfResult {
  nps: { baseline: number; predicted: number; lift: number };
  bySegment: Readonly<Record<string, { baseline: number; predicted: number; lift: number }>>;
  targeted: number;
  respondents: number;
}

/** A what-if change, or an initiative's effect. */
export const CHANGE_OPS = ['add', 'atLeast', 'closeGap', 'set'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** Who an initiative or a what-if reaches: every list given must match. */
export interface Target {
  segments?: string[];
  roles?: string[];
  accounts?: string[];
}

export interface Effect {
  attribute: string;
  op: ChangeOp;
  value: number;
  range?: [number, number];
}

/** An initiative as `POST`/`PUT /v1/scenarios` take it. */
export interface InitiativeInput {
  id: string;
  name: string;
  description?: string;
  effects: Effect[];
  target?: Target;
  reach: number;
  rampMonths: number;
  cost: { oneTime: number; annual: number };
}

/** A scenario as `POST`/`PUT /v1/scenarios` take it (and `GET` returns it, defaults applied). */
export interface ScenarioInput {
  name: string;
  description?: string;
  modelId: string;
  currency: string;
  horizonYears: number;
  discountRate: number;
  intervalLevel?: number;
  initiatives: InitiativeInput[];
  [other: string]: unknown;
}

/** One item of `GET /v1/scenarios/{id}/versions`. */
export interface VersionSummary {
  version: number;
  name: string;
  updatedAt: string;
  forecastStatus: string;
  scenario: ScenarioInput;
}

/** `POST /v1/compare`. */
export interface Comparison {
  scenarios: {
    id: string;
    name: string;
    version: number;
    currency: string;
    intervalLevel: number;
    baselineNps: number;
    nps: NpsForecast;
    netValue: { value: number; interval: Interval } | null;
    roi: { estimate: number; interval: Interval } | null;
    cost: Cost;
    paybackMonths: number | null;
  }[];
  differences: { a: string; b: string; npsLift: { value: number; interval: Interval } | null; netValue: { value: number; interval: Interval } | null; cost: number | null }[];
  note: string;
}

// --- Forecast ledger (`GET /v1/ledger`, `GET /v1/datasets/{after}/bridge?from={before}`) ---------

/**
 * A forecast's lift calibrated by the tenant's forecast ledger: the lift times the ledger's factor
 * (realised ÷ forecast over its evaluated launches, shrunk toward 1), its interval widened by the
 * factor's own uncertainty. For all accounts only.
 */
export interface CalibratedLift {
  lift: number;
  interval: Interval;
  /** The factor applied: the overall one, or the mean of the changed attributes' own. */
  factor: number;
  /** Evaluated launches the factor was read from. */
  launches: number;
}

/** What the next wave says a launch did: points of the whole after wave's NPS (the forecast's unit). */
export interface RealisedLift {
  lift: number;
  interval: Interval;
  level: number;
  /** On the reached respondents themselves (points of their NPS). */
  effectOnReached: { lift: number; interval: Interval };
  method: string;
  accounts: { treated: number; control: number; panel: number };
  respondents: { treated: number; control: number };
}

/** One launch of `GET /v1/ledger`: its frozen forecast beside what the next wave realised, or why it did not. */
export interface LedgerItem {
  launchId: string;
  scenarioId: string;
  scenarioVersion: number;
  initiativeId: string;
  launchedOn: string;
  endedOn: string | null;
  forecast: { lift: number; interval: Interval; level: number };
  /** The wave the launch was read against; `null` until a wave sealed after it has been read. */
  afterDatasetId: string | null;
  realised: RealisedLift | null;
  /** Why there is no realised lift (not evaluated yet, or not evaluable); `null` with one. */
  reason: string | null;
  /** realised − forecast, points. */
  error: number | null;
  /** Whether the forecast interval held the realised lift. */
  forecastHeld: boolean | null;
  /** Whether the realised interval held the forecast. */
  realisedHeld: boolean | null;
}

/** Forecast against realised over the evaluated launches; the shares are `null` before any. */
export interface LedgerSummary {
  launches: number;
  evaluated: number;
  mae: number | null;
  /** Share of evaluated launches whose forecast was within 2 points of the realised lift. */
  within2: number | null;
  forecastCoverage: number | null;
  realisedCoverage: number | null;
}

/** The ledger's calibration factor (realised ÷ forecast), overall and for attributes changed by three launches or more. */
export interface LedgerCalibration {
  factor: number;
  interval: Interval;
  launches: number;
  byAttribute: { attribute: string; factor: number; interval: Interval; launches: number }[];
}

/** `GET /v1/ledger`: every launch, newest first. */
export interface Ledger {
  items: LedgerItem[];
  summary: LedgerSummary;
  /** `null` until a launch has been evaluated. */
  calibration: LedgerCalibration | null;
}

/** The kinds of part a bridge splits a change of NPS into, in the order the API gives them. */
export const BRIDGE_PART_KINDS = ['mix', 'launch', 'ratings', 'remainder'] as const;
export type BridgePartKind = (typeof BRIDGE_PART_KINDS)[number];

export interface BridgePart {
  kind: BridgePartKind;
  /** The initiative's name for a launch; the API's words for the others. */
  label: string;
  /** Points of NPS. */
  value: number;
  interval: Interval | null;
  /** The launch, for a part of kind `launch`. */
  launchId: string | null;
}

/** `GET /v1/datasets/{after}/bridge?from={before}`: the change of NPS between two waves; the parts add up to `change`. */
export interface Bridge {
  /** The after wave. */
  datasetId: string;
  /** The before wave. */
  from: string;
  /** The driver model (fitted on the before wave) the ratings part goes through. */
  modelId: string;
  before: { nps: number; respondents: number };
  after: { nps: number; respondents: number };
  change: number;
  parts: BridgePart[];
  /** The change's own sampling error (both waves, accounts as clusters), at `level`. */
  sampling: { sd: number; interval: Interval };
  level: number;
}
