/**
 * The forecast ledger as the application knows it: a launch (an initiative of a scenario version
 * that went live, with the forecast it was launched on frozen), what the next wave says it did, the
 * ledger over all launches, and the NPS bridge between two waves. The routes document these
 * schemas; the store parses what it reads back with them; the maths is in model/ledger.
 */
import { z } from 'zod';
import { LIMITS } from '../../../model/dataset.js';
import { TargetSchema } from '../../../model/drivers/contract.js';
import { CalibrationSchema, LaunchReachSchema, LedgerSummarySchema, RealisedSchema } from '../../../model/ledger/contract.js';
import { EffectSchema } from '../../../model/scenario/contract.js';
import { safeKey } from '../../../model/text.js';

const Interval = z.tuple([z.number(), z.number()]);
const IsoDate = z.iso.date();

/** Segment, role or account names as a wave spells them: the text rule, at most 128 characters, never `__proto__`. */
const Names = (max: number) => z.array(safeKey(z.string().min(1).max(LIMITS.textLength))).min(1).max(max);

/**
 * Where a launch reached. The model's shape (model/ledger/contract.ts), with names read as a wave
 * holds them: account ids such as `A-17` are not identifiers, and a reach must be able to name them.
 */
export const ReachSchema = LaunchReachSchema.extend({
  segments: Names(200).optional(),
  roles: Names(200).optional(),
  accounts: Names(100_000).optional().describe('The reached accounts, when known'),
});

/** What `POST /v1/launches` takes. */
export const LaunchInputSchema = z.strictObject({
  scenarioId: z.string().min(1).max(64),
  scenarioVersion: z.number().int().min(1).max(1e9),
  initiativeId: z.string().min(1).max(64),
  launchedOn: IsoDate.describe('When it went live (YYYY-MM-DD): not before the version was written, not after today'),
  reached: ReachSchema,
});
export type LaunchInput = z.infer<typeof LaunchInputSchema>;

export const EndLaunchSchema = z.strictObject({ endedOn: IsoDate.describe('When it stopped (YYYY-MM-DD): not before launchedOn, not after today') });

/** The initiative as the version held it when it was launched. */
export const FrozenInitiativeSchema = z.object({
  id: z.string(),
  name: z.string(),
  effects: z.array(EffectSchema),
  target: TargetSchema.nullable(),
});
export type FrozenInitiative = z.infer<typeof FrozenInitiativeSchema>;

/** The initiative's own forecast on that version (points of the whole wave's NPS). */
export const FrozenForecastSchema = z.object({
  lift: z.number(),
  interval: Interval,
  level: z.number().describe('The interval’s level (the scenario’s intervalLevel)'),
  haloAdjusted: z.object({ lift: z.number(), interval: Interval, factor: z.number() }).nullable(),
});
export type FrozenForecast = z.infer<typeof FrozenForecastSchema>;

/** A realised lift at its interval's level. */
export const RealisedLiftSchema = RealisedSchema.extend({ level: z.number() });
export type RealisedLift = z.infer<typeof RealisedLiftSchema>;

/** What a later wave said of a launch. */
export const EvaluationSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('evaluated'), afterDatasetId: z.string(), evaluatedAt: z.string(), realised: RealisedLiftSchema }),
  z.object({
    status: z.literal('not-evaluable'),
    afterDatasetId: z.string(),
    evaluatedAt: z.string(),
    reason: z.string().describe('Why this wave could not tell (no comparison group, too few accounts …); a later wave tries again'),
  }),
]);
export type Evaluation = z.infer<typeof EvaluationSchema>;

/** A launch: immutable but for `endedOn` (set once) and `evaluation` (set by the first wave that can tell). */
export const LaunchSchema = z.object({
  id: z.string(),
  scenarioId: z.string(),
  scenarioVersion: z.number().int(),
  initiativeId: z.string(),
  modelId: z.string().describe('The model the version was forecast on'),
  datasetId: z.string().describe('The model’s dataset: the wave before the launch'),
  launchedOn: z.string(),
  endedOn: z.string().nullable(),
  reached: ReachSchema,
  initiative: FrozenInitiativeSchema,
  forecast: FrozenForecastSchema,
  evaluation: EvaluationSchema.nullable().describe('null until a wave sealed after the launch has been read'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Launch = z.infer<typeof LaunchSchema>;

export const LaunchPageSchema = z.object({ items: z.array(LaunchSchema), nextCursor: z.string().nullable() });
export type LaunchPage = z.infer<typeof LaunchPageSchema>;

/** What the ledger reads of a launch: all but where it reached and the initiative's target. */
export type LedgerRecord = Pick<Launch, 'id' | 'scenarioId' | 'scenarioVersion' | 'initiativeId' | 'launchedOn' | 'endedOn' | 'forecast' | 'evaluation'> & {
  initiative: Pick<FrozenInitiative, 'id' | 'name' | 'effects'>;
};

export const LedgerItemSchema = z.object({
  launchId: z.string(),
  scenarioId: z.string(),
  scenarioVersion: z.number().int(),
  initiativeId: z.string(),
  launchedOn: z.string(),
  endedOn: z.string().nullable(),
  forecast: z.object({ lift: z.number(), interval: Interval, level: z.number() }),
  afterDatasetId: z.string().nullable().describe('The wave the launch was read against'),
  realised: RealisedLiftSchema.nullable(),
  reason: z.string().nullable().describe('Why there is no realised lift (not evaluated yet, or not evaluable)'),
  error: z.number().nullable().describe('realised − forecast, points'),
  forecastHeld: z.boolean().nullable().describe('Whether the forecast interval held the realised lift'),
  realisedHeld: z.boolean().nullable().describe('Whether the realised interval held the forecast'),
});
export type LedgerItem = z.infer<typeof LedgerItemSchema>;

export const LedgerSchema = z.object({
  items: z.array(LedgerItemSchema).describe('Every launch, newest first'),
  summary: LedgerSummarySchema,
  calibration: CalibrationSchema.nullable().describe('null until a launch has been evaluated'),
});
export type Ledger = z.infer<typeof LedgerSchema>;

const BridgePartSchema = z.object({
  kind: z.enum(['mix', 'launch', 'ratings', 'remainder']),
  label: z.string(),
  value: z.number().describe('Points of NPS'),
  interval: Interval.nullable(),
  launchId: z.string().nullable().describe('The launch, for a part of kind launch'),
});

export const BridgeSchema = z.object({
  datasetId: z.string().describe('The after wave'),
  from: z.string().describe('The before wave'),
  modelId: z.string().describe('The driver model (fitted on the before wave) the ratings part goes through'),
  before: z.object({ nps: z.number(), respondents: z.number().int() }),
  after: z.object({ nps: z.number(), respondents: z.number().int() }),
  change: z.number(),
  parts: z.array(BridgePartSchema).describe('mix, each launch evaluated between the two waves, ratings, remainder: they add up to change exactly'),
  sampling: z.object({ sd: z.number(), interval: Interval }).describe('The change’s own sampling error (both waves, accounts as clusters)'),
  level: z.number(),
});
export type BridgeView = z.infer<typeof BridgeSchema>;
