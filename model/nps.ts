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
  if (ltr >= 9) return 'promoter';
  if (ltr >= 7) return 'passive';
  return 'detractor';
}

/** An empty mix to accumulate into. */
export function emptyMix(): LoyaltyMix {
  return { promoters: 0, passives: 0, detractors: 0 };
}

/** Adds one answer to a mix in place (hot path of dataset summaries). */
export function addToMix(mix: LoyaltyMix, ltr: number): void {
  if (ltr >= 9) mix.promoters++;
  else if (ltr >= 7) mix.passives++;
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
