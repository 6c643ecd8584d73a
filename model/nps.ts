/**
 * Net Promoter arithmetic. NPS = % promoters (9–10) − % detractors (0–6); passives (7–8) count in the
 * denominator only. Everything in Liftcast that reports an NPS goes through these functions.
 */

export type LoyaltyGroup = 'promoter' | 'passive' | 'detractor';

/** Counts of respondents in each loyalty group. */
export interface LoyaltyMix {
  promoters: number;
  passives: number;
  detractors: number;
}

/** Which loyalty group a 0–10 likelihood-to-recommend answer falls in. */
export function loyaltyGroup(ltr: number): LoyaltyGroup {
  if (ltr >= PROMOTER_FROM) return 'promoter';
  if (ltr > DETRACTOR_TO) return 'passive';
  return 'detractor';
}

/** An empty mix to accumulate into. */
export function emptyMix(): LoyaltyMix {
  return { promoters: 0, passives: 0, detractors: 0 };
}

/** Adds one answer to a mix in place (hot path of dataset summaries). */
export function addToMix(mix: LoyaltyMix, ltr: number): void {
  if (ltr >= PROMOTER_FROM) mix.promoters++;
  else if (ltr > DETRACTOR_TO) mix.passives++;
  else mix.detractors++;
}

/** Sum of two mixes, so summaries of separately uploaded batches merge exactly. */
export function mergeMix(a: LoyaltyMix, b: LoyaltyMix): LoyaltyMix {
  return {
    promoters: a.promoters + b.promoters,
    passives: a.passives + b.passives,
    detractors: a.detractors + b.detractors,
  };
}

/** Number of respondents in a mix. */
export function mixSize(mix: LoyaltyMix): number {
  return mix.promoters + mix.passives + mix.detractors;
}

/**
 * NPS of a mix on the usual −100…100 scale. An empty population has no NPS: `null`, never `NaN`,
 * so that nothing non-finite reaches a response or the store.
 *
 * @example
 * npsScore({ promoters: 5, passives: 3, detractors: 2 }); // 30
 */
export function npsScore(mix: LoyaltyMix): number | null {
  const n = mixSize(mix);
  if (n === 0) return null;
  return (100 * (mix.promoters - mix.detractors)) / n;
}

/** The lowest promoter answer and the highest detractor answer: the two cuts NPS counts. */
export const PROMOTER_FROM = 9;
export const DETRACTOR_TO = 6;

/** Whether an answer is a promoter's (9–10). */
export function isPromoter(ltr: number): boolean {
  return ltr >= PROMOTER_FROM;
}

/** Whether an answer is a detractor's (0–6). */
export function isDetractor(ltr: number): boolean {
  return ltr <= DETRACTOR_TO;
}

/** +1 for a promoter, −1 for a detractor, 0 for a passive: a respondent's contribution to NPS. */
export function netOf(ltr: number): number {
  return ltr >= PROMOTER_FROM ? 1 : ltr <= DETRACTOR_TO ? -1 : 0;
}

/**
 * Where the NPS cuts fall among a model's observed answer categories (ascending 0–10 values): the
 * first promoter category (−1 when no one answered 9 or 10) and the last detractor category (−1
 * when no one answered 0–6).
 */
export function cutsOf(categories: readonly number[]): { promoterFrom: number; detractorTo: number } {
  const promoterFrom = categories.findIndex((c) => c >= PROMOTER_FROM);
  let detractorTo = -1;
  categories.forEach((c, i) => {
    if (c <= DETRACTOR_TO) detractorTo = i;
  });
  return { promoterFrom, detractorTo };
}
