/**
 * The summary of a survey wave: respondents, accounts, attribute means and answer rates, and NPS
 * overall, by segment and by role. It is accumulated chunk by chunk so a 1,000,000-respondent wave is
 * summarised while streaming, never held in memory row by row.
 */
import { z } from 'zod';
import type { Attribute, RespondentColumns } from './dataset.js';
import { AttributeKindSchema, ScaleSchema } from './dataset.js';
import { addToMix, emptyMix, mixSize, npsScore, type LoyaltyMix } from './nps.js';
import { keyed } from './text.js';

const NpsGroupSchema = z.object({
  score: z.number().min(-100).max(100).nullable().describe('% promoters − % detractors; null for no respondents'),
  promoters: z.number().int(),
  passives: z.number().int(),
  detractors: z.number().int(),
});

export const SegmentNpsSchema = NpsGroupSchema.extend({ respondents: z.number().int() });

export const DatasetSummarySchema = z.object({
  respondents: z.number().int(),
  accounts: z.number().int(),
  attributes: z.array(
    z.object({
      name: z.string(),
      kind: AttributeKindSchema,
      scale: ScaleSchema,
      mean: z.number().nullable().describe('mean of the answers given; null when no one answered'),
      answeredShare: z.number().min(0).max(1),
    }),
  ),
  nps: NpsGroupSchema.extend({
    bySegment: z.record(z.string(), SegmentNpsSchema),
    byRole: z.record(z.string(), SegmentNpsSchema).describe('respondents without a role are not listed'),
  }),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

/** Running totals for a summary; feed chunks in any order with {@link addColumns}. */
export interface SummaryAccumulator {
  attributes: readonly Attribute[];
  respondents: number;
  accounts: Set<string>;
  sums: Float64Array;
  answered: Float64Array;
  overall: LoyaltyMix;
  bySegment: Map<string, LoyaltyMix>;
  byRole: Map<string, LoyaltyMix>;
}

export function createSummaryAccumulator(attributes: readonly Attribute[]): SummaryAccumulator {
  return {
    attributes,
    respondents: 0,
    accounts: new Set(),
    sums: new Float64Array(attributes.length),
    answered: new Float64Array(attributes.length),
    overall: emptyMix(),
    bySegment: new Map(),
    byRole: new Map(),
  };
}

/**
 * Adds one chunk of respondents. Columns are matched to the accumulator's attributes by name, so a
 * chunk whose columns come in another order still adds up correctly.
 */
export function addColumns(acc: SummaryAccumulator, cols: RespondentColumns): void {
  const position = new Map(cols.attributes.map((name, i) => [name, i]));
  acc.attributes.forEach((attr, a) => {
    const i = position.get(attr.name);
    if (i === undefined) throw new RangeError(`chunk has no column for attribute '${attr.name}'`);
    const values = cols.ratings[i]!;
    let sum = 0;
    let answered = 0;
    for (let r = 0; r < values.length; r++) {
      const v = values[r]!;
      if (v === v) {
        sum += v;
        answered++;
      }
    }
    acc.sums[a]! += sum;
    acc.answered[a]! += answered;
  });
  for (let r = 0; r < cols.size; r++) {
    const ltr = cols.ltr[r]!;
    addToMix(acc.overall, ltr);
    addToMix(groupOf(acc.bySegment, cols.segment[r]!), ltr);
    const role = cols.role[r];
    if (role !== null && role !== undefined) addToMix(groupOf(acc.byRole, role), ltr);
    acc.accounts.add(cols.accountId[r]!);
  }
  acc.respondents += cols.size;
}

function groupOf(groups: Map<string, LoyaltyMix>, key: string): LoyaltyMix {
  let mix = groups.get(key);
  if (!mix) {
    mix = emptyMix();
    groups.set(key, mix);
  }
  return mix;
}

function groupNps(mix: LoyaltyMix): z.infer<typeof SegmentNpsSchema> {
  return { score: npsScore(mix), ...mix, respondents: mixSize(mix) };
}

function byKey(groups: Map<string, LoyaltyMix>): Record<string, z.infer<typeof SegmentNpsSchema>> {
  return keyed([...groups.keys()].sort().map((k) => [k, groupNps(groups.get(k)!)] as const));
}

/** The finished summary, as stored with the dataset and returned by the API. */
export function finishSummary(acc: SummaryAccumulator): DatasetSummary {
  return {
    respondents: acc.respondents,
    accounts: acc.accounts.size,
    attributes: acc.attributes.map((attr, a) => {
      const answered = acc.answered[a]!;
      return {
        name: attr.name,
        kind: attr.kind,
        scale: attr.scale,
        mean: answered > 0 ? acc.sums[a]! / answered : null,
        answeredShare: acc.respondents > 0 ? answered / acc.respondents : 0,
      };
    }),
    nps: { score: npsScore(acc.overall), ...acc.overall, bySegment: byKey(acc.bySegment), byRole: byKey(acc.byRole) },
  };
}

/** Summary of respondents already in memory (a single upload). */
export function summarize(attributes: readonly Attribute[], chunks: Iterable<RespondentColumns>): DatasetSummary {
  const acc = createSummaryAccumulator(attributes);
  for (const c of chunks) addColumns(acc, c);
  return finishSummary(acc);
}
