/**
 * A seeded, synthetic B2B relationship-NPS survey wave. It exists so that `npm start` has a believable
 * dataset to show, tests have a population whose generating model is known, and benchmarks can stream
 * 100,000 or 1,000,000 respondents without a fixture file.
 *
 * The population is built top-down, the way real relationship surveys are structured:
 *
 * 1. Accounts get a segment (smb / mid_market / enterprise), an annual revenue, a number of surveyed
 *    contacts and three latent traits: relationship health h, product fit p and service quality q
 *    (all N(0, 1)), plus an effect per attribute and an effect on loyalty.
 * 2. Each respondent gets a role and a personal halo g ~ N(0, 1). Their rating of attribute a is
 *
 *        x*_a = base_a + segmentShift_{s,a} + roleShift_{r,a} + λ_a·h + κ_a·(p or q) + u_{j,a} + η·g + ε_a
 *
 *    rounded and clamped to 0–10. Shared h, p/q and g make attributes correlate about 0.3–0.7, as
 *    they do in real waves; product attributes correlate more with each other than with service ones.
 * 3. Likelihood to recommend is an ordered-probit response: a latent propensity
 *
 *        y* = α_s + Σ_a w_{s,a}·m_{r,a}·(x_a − 7) + v_j + ε_y,   ε_y ~ N(0, 1)
 *
 *    cut at ten increasing thresholds into 0–10. Segment weights w make drivers differ by segment and
 *    role emphasis m makes gatekeepers weigh price and billing. Cutting a latent variable (rather than
 *    rounding a linear mean) gives the heaping at 7–8 and the long detractor tail real NPS data show.
 *
 * Answers a respondent skipped are `null` in the row; inside the generator their loyalty is driven by
 * the rating the latent factors imply (x*_a without the personal noise ε_a), because someone who never
 * sees an invoice has no billing experience of their own to love or resent.
 *
 * Parameters were calibrated by simulation (seeds 1–20, default sizes): overall NPS ≈ +13 (seeds give
 * +8…+17), smb ≈ +3, mid_market ≈ +15, enterprise ≈ +22; attribute correlations 0.3–0.55; ltr vs mean
 * rating r ≈ 0.65; missing answers ≈ 5 % (billing_accuracy ≈ 20 % among operational users).
 */
import type { Attribute } from './dataset.js';
import { createRng, type Rng } from './rng.js';

/**
 * The nine attributes of the demo wave, in column order. They are the product and service touch
 * points a B2B relationship survey usually asks about, so a demo driver analysis reads like a real one.
 */
export const DEMO_ATTRIBUTES: Attribute[] = [
  { name: 'ease_of_use', kind: 'product', label: 'Ease of use', scale: [0, 10] },
  { name: 'reliability', kind: 'product', label: 'Reliability and uptime', scale: [0, 10] },
  { name: 'features', kind: 'product', label: 'Features and functionality', scale: [0, 10] },
  { name: 'value_for_money', kind: 'product', label: 'Value for money', scale: [0, 10] },
  { name: 'onboarding', kind: 'service', label: 'Onboarding and implementation', scale: [0, 10] },
  { name: 'support_responsiveness', kind: 'service', label: 'Responsiveness of support', scale: [0, 10] },
  { name: 'account_management', kind: 'service', label: 'Account management', scale: [0, 10] },
  { name: 'billing_accuracy', kind: 'service', label: 'Accuracy of invoices', scale: [0, 10] },
  { name: 'delivery_on_time', kind: 'service', label: 'On-time delivery', scale: [0, 10] },
];

/** What to generate. Everything but the seed has a default matching the `npm start` demo. */
export interface DemoOptions {
  /** Seed of the random stream: the same options always give the same rows. */
  seed: number;
  /**
   * Number of customer accounts surveyed; every account gets at least one respondent.
   * @default 600
   */
  accounts?: number;
  /**
   * Number of respondents (rows); must be at least `accounts`.
   * @default 3000
   */
  respondents?: number;
  /**
   * Survey wave date (ISO `YYYY-MM-DD`) written on every row.
   * @default '2026-09-30'
   */
  wave?: string;
}

export type DemoSegment = 'smb' | 'mid_market' | 'enterprise';
export type DemoRole = 'gatekeeper' | 'business_owner' | 'operational_user';

/**
 * One respondent as an upload row: the reserved columns of a wave plus one column per
 * {@link DEMO_ATTRIBUTES} entry, `null` where the respondent skipped the question.
 */
export interface DemoRow {
  respondent_id: string;
  account_id: string;
  segment: DemoSegment;
  role: DemoRole;
  wave: string;
  account_revenue: number;
  ltr: number;
  [attribute: string]: string | number | null;
}

const SEGMENTS: readonly DemoSegment[] = ['smb', 'mid_market', 'enterprise'];
const ROLES: readonly DemoRole[] = ['gatekeeper', 'business_owner', 'operational_user'];
const ATTRIBUTE_NAMES: readonly string[] = DEMO_ATTRIBUTES.map((a) => a.name);
const K = DEMO_ATTRIBUTES.length;

type PerAttribute = Readonly<Record<string, number>>;

/** Turns a sparse name → value table into an array in attribute order, `fill` elsewhere. */
function byAttribute(values: PerAttribute, fill: number): Float64Array {
  for (const name of Object.keys(values))
    if (!ATTRIBUTE_NAMES.includes(name)) throw new Error(`demo parameter for unknown attribute '${name}'`);
  return Float64Array.from(ATTRIBUTE_NAMES, (name) => values[name] ?? fill);
}

// --- Accounts -------------------------------------------------------------------------------------

/** Share of accounts per segment (smb, mid_market, enterprise): a typical B2B customer base. */
const SEGMENT_SHARE = [0.55, 0.3, 0.15] as const;
/** Relative number of surveyed contacts per account: bigger customers have more people to ask. */
const CONTACT_WEIGHT = [1, 2, 4] as const;
/** Spread (log-sd) of contacts per account around the segment's weight. */
const CONTACT_LOG_SD = 0.5;
/** Median annual revenue per segment and its log-sd (lognormal, as account revenue is). */
const REVENUE_MEDIAN = [25_000, 180_000, 1_500_000] as const;
const REVENUE_LOG_SD = [0.7, 0.6, 0.7] as const;

// --- Ratings --------------------------------------------------------------------------------------

/** Mean rating of a mid-market business owner with average traits: B2B attribute ratings sit near 7–8. */
const BASE = byAttribute(
  {
    ease_of_use: 7.3,
    reliability: 7.6,
    features: 7.1,
    value_for_money: 6.6,
    onboarding: 7.1,
    support_responsiveness: 6.9,
    account_management: 7.0,
    billing_accuracy: 7.9,
    delivery_on_time: 7.4,
  },
  0,
);

/** Segment shifts of mean ratings: smb customers get self-serve onboarding and pooled account managers. */
const SEGMENT_SHIFT: readonly Float64Array[] = [
  byAttribute({ onboarding: -0.9, account_management: -1.0, support_responsiveness: -0.3, value_for_money: 0.2 }, 0),
  byAttribute({}, 0),
  byAttribute({ account_management: 0.7, onboarding: 0.3, features: 0.2, value_for_money: -0.4, billing_accuracy: -0.3 }, 0),
];

/**
 * Role shifts: gatekeepers (procurement, finance) judge price harshly; business owners see the
 * relationship and the return; operational users live with the product every day.
 */
const ROLE_SHIFT: readonly Float64Array[] = [
  byAttribute({ value_for_money: -0.7, billing_accuracy: -0.2, account_management: 0.2 }, 0),
  byAttribute({ account_management: 0.4, value_for_money: 0.3 }, 0),
  byAttribute({ ease_of_use: -0.3, reliability: -0.2, features: 0.2, account_management: -0.3 }, 0),
];

/** Loading λ on relationship health: how much an attribute moves with the account's overall mood. */
const HEALTH_LOADING = byAttribute({ billing_accuracy: 0.7, delivery_on_time: 0.8, features: 0.9 }, 1.0);
/** Loading κ on product fit (product attributes) or service quality (service attributes). */
const DOMAIN_LOADING = byAttribute({ billing_accuracy: 0.4, delivery_on_time: 0.5 }, 0.7);
const IS_PRODUCT = Uint8Array.from(DEMO_ATTRIBUTES, (a) => (a.kind === 'product' ? 1 : 0));
/** Sd of an account's own effect on each attribute. */
const ACCOUNT_ATTRIBUTE_SD = 0.5;
/** Loading η of the respondent's personal halo (some people rate everything high). */
const HALO_LOADING = 0.8;
/** Sd of the respondent's answer noise ε_a. */
const ANSWER_SD = 1.3;

/** Chance of skipping an attribute, by role: people skip what they never see (operational users and invoices). */
const MISSING: readonly Float64Array[] = [
  byAttribute({ ease_of_use: 0.1, features: 0.08, onboarding: 0.06, reliability: 0.05, support_responsiveness: 0.04, account_management: 0.04, delivery_on_time: 0.04 }, 0.02),
  byAttribute({ billing_accuracy: 0.08, support_responsiveness: 0.05, ease_of_use: 0.04 }, 0.025),
  byAttribute({ billing_accuracy: 0.2, account_management: 0.12, value_for_money: 0.08 }, 0.03),
];

/** Role mix per segment (gatekeeper, business_owner, operational_user): in smb the owner often answers. */
const ROLE_SHARE: readonly (readonly [number, number, number])[] = [
  [0.15, 0.35, 0.5],
  [0.2, 0.25, 0.55],
  [0.22, 0.18, 0.6],
];

// --- Loyalty --------------------------------------------------------------------------------------

/** Rating at which an attribute neither raises nor lowers loyalty (typical B2B mean). */
const CENTRE = 7;

/**
 * Driver weights w_{s,a} per rating point. Each segment's weights sum to 0.65; what differs is where
 * loyalty comes from: onboarding and ease of use in smb, support in mid-market, account management
 * and reliability in enterprise — the pattern B2B driver studies keep finding.
 */
const WEIGHTS: readonly Float64Array[] = [
  byAttribute({ ease_of_use: 0.1, reliability: 0.09, features: 0.06, value_for_money: 0.09, onboarding: 0.14, support_responsiveness: 0.08, account_management: 0.03, billing_accuracy: 0.03, delivery_on_time: 0.03 }, 0),
  byAttribute({ ease_of_use: 0.08, reliability: 0.1, features: 0.08, value_for_money: 0.08, onboarding: 0.07, support_responsiveness: 0.1, account_management: 0.07, billing_accuracy: 0.03, delivery_on_time: 0.04 }, 0),
  byAttribute({ ease_of_use: 0.04, reliability: 0.14, features: 0.06, value_for_money: 0.05, onboarding: 0.04, support_responsiveness: 0.09, account_management: 0.15, billing_accuracy: 0.04, delivery_on_time: 0.04 }, 0),
];

/** Role emphasis m_{r,a}, multiplying the segment weight: gatekeepers weigh price and invoices. */
const ROLE_EMPHASIS: readonly Float64Array[] = [
  byAttribute({ value_for_money: 1.6, billing_accuracy: 1.6, ease_of_use: 0.6, features: 0.6 }, 1),
  byAttribute({ account_management: 1.3, value_for_money: 1.3 }, 1),
  byAttribute({ ease_of_use: 1.3, reliability: 1.3, account_management: 0.5, billing_accuracy: 0.5 }, 1),
];

/** Intercept α_s: propensity of a respondent who rates everything 7 (calibrated to the NPS above). */
const INTERCEPT = [0.23, 0.32, 0.43] as const;
/** Sd of the account's own loyalty effect v_j (contract terms, history, a champion leaving…). */
const ACCOUNT_LOYALTY_SD = 0.4;
/** Sd of the respondent's loyalty noise ε_y: the probit scale. */
const LOYALTY_SD = 1;

/**
 * Ordered-probit thresholds: ltr = number of thresholds y* reaches. Bands are wide at 5 (the
 * "neutral" answer), 7 and 8 (the B2B favourites) and open-ended at 10, narrow at 0–4.
 */
const CUTS = Float64Array.from([-4.0, -3.5, -3.0, -2.5, -2.0, -1.4, -0.8, 0.0, 0.9, 1.8]);

// --- Generator ------------------------------------------------------------------------------------

interface AccountPlan {
  rng: Rng;
  wave: string;
  accounts: number;
  accountId: string[];
  segment: Uint8Array;
  revenue: Float64Array;
  contacts: Uint32Array;
  /** Per account × attribute: base + segment shift + λh + κ(p|q) + u, i.e. the account's mean rating. */
  ratingMean: Float64Array;
  /** Per account: α_s + v_j. */
  loyaltyOffset: Float64Array;
}

function planAccounts(options: DemoOptions): AccountPlan {
  const { seed, accounts = 600, respondents = 3000, wave = '2026-09-30' } = options;
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(accounts) || accounts < 1) throw new RangeError(`accounts must be a whole number ≥ 1, got ${accounts}`);
  if (!Number.isInteger(respondents) || respondents < accounts)
    throw new RangeError(`respondents must be a whole number ≥ accounts (${accounts}), got ${respondents}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(wave)) throw new RangeError(`wave must be an ISO date YYYY-MM-DD, got '${wave}'`);

  const rng = createRng(seed);
  // Segments by quota, then shuffled: exact shares even for a small demo.
  const segment = new Uint8Array(accounts);
  const enterprise = Math.round(accounts * SEGMENT_SHARE[2]);
  const midMarket = Math.round(accounts * SEGMENT_SHARE[1]);
  segment.fill(1, 0, midMarket);
  segment.fill(2, midMarket, midMarket + enterprise);
  for (let i = accounts - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = segment[i]!;
    segment[i] = segment[j]!;
    segment[j] = t;
  }

  // Account traits. The number of draws per account does not depend on `respondents`, so the same seed
  // gives the same accounts at any survey size.
  const accountId: string[] = new Array<string>(accounts);
  const revenue = new Float64Array(accounts);
  const contactWeight = new Float64Array(accounts);
  const ratingMean = new Float64Array(accounts * K);
  const loyaltyOffset = new Float64Array(accounts);
  for (let j = 0; j < accounts; j++) {
    const s = segment[j]!;
    accountId[j] = `A-${String(j + 1).padStart(5, '0')}`;
    revenue[j] = Math.max(1, Math.round(REVENUE_MEDIAN[s]! * Math.exp(REVENUE_LOG_SD[s]! * rng.normal())));
    contactWeight[j] = CONTACT_WEIGHT[s]! * Math.exp(CONTACT_LOG_SD * rng.normal());
    const health = rng.normal();
    const productFit = rng.normal();
    const serviceQuality = rng.normal();
    const shift = SEGMENT_SHIFT[s]!;
    for (let a = 0; a < K; a++) {
      ratingMean[j * K + a] =
        BASE[a]! +
        shift[a]! +
        HEALTH_LOADING[a]! * health +
        DOMAIN_LOADING[a]! * (IS_PRODUCT[a] ? productFit : serviceQuality) +
        ACCOUNT_ATTRIBUTE_SD * rng.normal();
    }
    loyaltyOffset[j] = INTERCEPT[s]! + ACCOUNT_LOYALTY_SD * rng.normal();
  }

  return {
    rng,
    wave,
    accounts,
    accountId,
    segment,
    revenue,
    contacts: allocateContacts(contactWeight, respondents),
    ratingMean,
    loyaltyOffset,
  };
}

/**
 * One respondent per account, the rest in proportion to `weight` by largest remainder, so the total is
 * exactly `respondents` and the split is deterministic.
 */
function allocateContacts(weight: Float64Array, respondents: number): Uint32Array {
  const n = weight.length;
  const contacts = new Uint32Array(n).fill(1);
  const extra = respondents - n;
  if (extra === 0) return contacts;
  let total = 0;
  for (let j = 0; j < n; j++) total += weight[j]!;
  const fraction = new Float64Array(n);
  let given = 0;
  for (let j = 0; j < n; j++) {
    const share = (extra * weight[j]!) / total;
    const whole = Math.floor(share);
    contacts[j]! += whole;
    given += whole;
    fraction[j] = share - whole;
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => fraction[y]! - fraction[x]! || x - y);
  for (let i = 0; i < extra - given; i++) contacts[order[i]!]! += 1;
  return contacts;
}

/** Combined loyalty weights w_{s,a}·m_{r,a}, indexed [(segment·3 + role)·K + a]. */
const LOYALTY_WEIGHT = (() => {
  const w = new Float64Array(SEGMENTS.length * ROLES.length * K);
  for (let s = 0; s < SEGMENTS.length; s++)
    for (let r = 0; r < ROLES.length; r++)
      for (let a = 0; a < K; a++) w[(s * ROLES.length + r) * K + a] = WEIGHTS[s]![a]! * ROLE_EMPHASIS[r]![a]!;
  return w;
})();

function clampRating(x: number): number {
  return x <= 0 ? 0 : x >= 10 ? 10 : x;
}

function* streamRespondents(plan: AccountPlan): Generator<DemoRow> {
  const { rng, wave, accounts, accountId, segment, revenue, contacts, ratingMean, loyaltyOffset } = plan;
  const answers: (number | null)[] = new Array<number | null>(K).fill(null);
  let index = 0;
  for (let j = 0; j < accounts; j++) {
    const s = segment[j]!;
    const segmentName = SEGMENTS[s]!;
    const roleShare = ROLE_SHARE[s]!;
    const id = accountId[j]!;
    const accountRevenue = revenue[j]!;
    const base = j * K;
    for (let c = contacts[j]!; c > 0; c--) {
      const u = rng.next();
      const r = u < roleShare[0] ? 0 : u < roleShare[0] + roleShare[1] ? 1 : 2;
      const roleShift = ROLE_SHIFT[r]!;
      const missing = MISSING[r]!;
      const weightBase = (s * ROLES.length + r) * K;
      const halo = HALO_LOADING * rng.normal();
      let propensity = loyaltyOffset[j]! + LOYALTY_SD * rng.normal();
      for (let a = 0; a < K; a++) {
        const mean = ratingMean[base + a]! + roleShift[a]! + halo;
        const rating = clampRating(Math.round(mean + ANSWER_SD * rng.normal()));
        let driver: number;
        if (rng.next() < missing[a]!) {
          answers[a] = null;
          driver = clampRating(mean);
        } else {
          answers[a] = rating;
          driver = rating;
        }
        propensity += LOYALTY_WEIGHT[weightBase + a]! * (driver - CENTRE);
      }
      let ltr = 0;
      while (ltr < 10 && propensity >= CUTS[ltr]!) ltr++;

      index++;
      const row: DemoRow = {
        respondent_id: `R-${String(index).padStart(6, '0')}`,
        account_id: id,
        segment: segmentName,
        role: ROLES[r]!,
        wave,
        account_revenue: accountRevenue,
        ltr,
      };
      for (let a = 0; a < K; a++) row[ATTRIBUTE_NAMES[a]!] = answers[a]!;
      yield row;
    }
  }
}

/**
 * Streams the demo wave one respondent at a time, so benchmarks can generate a million rows in
 * bounded memory (only the account table, a few numbers per account, is held). Rows come grouped by
 * account, in account order. Options are checked at the call, not at the first `next()`.
 *
 * @throws RangeError when `accounts` < 1, `respondents` < `accounts`, or `wave` is not an ISO date.
 * @example
 * let promoters = 0;
 * for (const row of demoRespondents({ seed: 1, respondents: 1_000_000 })) if (row.ltr >= 9) promoters++;
 */
export function demoRespondents(options: DemoOptions): Generator<DemoRow> {
  return streamRespondents(planAccounts(options));
}

/**
 * The whole demo wave in memory, ready to upload as JSON rows with {@link DEMO_ATTRIBUTES} as the
 * descriptors: what `npm start` seeds and what tests use.
 *
 * @example
 * const wave = demoWave({ seed: 1 }); // 3,000 respondents over 600 accounts
 */
export function demoWave(options: DemoOptions): { name: string; attributes: Attribute[]; rows: DemoRow[] } {
  const wave = options.wave ?? '2026-09-30';
  return {
    name: `Relationship NPS ${wave} (demo, seed ${options.seed})`,
    attributes: DEMO_ATTRIBUTES.map((a) => ({ ...a, scale: [a.scale[0], a.scale[1]] })),
    rows: Array.from(demoRespondents(options)),
  };
}
