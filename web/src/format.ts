/**
 * How the dashboard writes numbers, amounts and names. Pure functions (no DOM, no state): the
 * figures a finance reader compares across panels must be written one way everywhere, and
 * test/unit/dashboardFormat.test.ts pins that way down.
 *
 * Conventions: a true minus sign (U+2212) for negative figures, an en dash for a figure that does
 * not exist (a non-finite number, a missing ROI), and `en-US` grouping, whatever the browser's
 * locale, so that screenshots and tests read the same everywhere.
 */
import type { Interval } from './contract.js';

/** U+2212, the minus sign typography uses for figures (a hyphen is shorter and misaligns columns). */
export const MINUS = '\u2212';
/** What stands for a figure that does not exist. */
export const MISSING = '\u2013';

/** True for a number that can be shown: not `NaN`, not ±∞, not `null` or anything else. */
export function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * `v` with `digits` decimals and a true minus sign; a value that rounds to zero has no sign.
 * @default digits 1
 * @example fixed(-0.04) // '0.0'; fixed(-2.25, 1) // '−2.3' (toFixed rounding)
 */
export function fixed(v: number | null | undefined, digits = 1): string {
  if (!finite(v)) return MISSING;
  const s = Math.abs(v).toFixed(digits);
  return (v < 0 && Number(s) !== 0 ? MINUS : '') + s;
}

/**
 * `v` with an explicit sign, as a change is written (`+3.2`, `−1.0`); zero after rounding has none.
 * @default digits 1
 */
export function signed(v: number | null | undefined, digits = 1): string {
  if (!finite(v)) return MISSING;
  const s = Math.abs(v).toFixed(digits);
  if (Number(s) === 0) return s;
  return (v > 0 ? '+' : MINUS) + s;
}

/** Formatters by currency and style: building an `Intl.NumberFormat` is slow, charts call this per tick. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, full: boolean): Intl.NumberFormat {
  const key = `${currency}:${full ? 'full' : 'compact'}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(
        'en-US',
        full
          ? { style: 'currency', currency, maximumFractionDigits: 0 }
          : { style: 'currency', currency, notation: 'compact', maximumSignificantDigits: 3 },
      );
    } catch {
      // Not an ISO 4217 code Intl knows: the amount without a currency sign rather than no amount.
      format = new Intl.NumberFormat('en-US', full ? { maximumFractionDigits: 0 } : { notation: 'compact', maximumSignificantDigits: 3 });
    }
    moneyFormats.set(key, format);
  }
  return format;
}

/**
 * An amount in `currency`: compact (`$1.25M`) for charts and tables, or `full` to the unit
 * (`$1,250,000`) where the exact budget matters.
 * @example money(-2_500_000, 'EUR') // '−€2.5M'
 */
export function money(v: number | null | undefined, currency: string, full = false): string {
  if (!finite(v)) return MISSING;
  return moneyFormat(currency, full).format(v).replace('-', MINUS);
}

/** A ratio as a whole percentage: `0.125` → `'13%'`. */
export function percent(v: number | null | undefined): string {
  return finite(v) ? `${fixed(v * 100, 0)}%` : MISSING;
}

/** An interval written with `fmt`, in brackets; nothing when either end is missing. */
export function bracket(iv: Interval | null | undefined, fmt: (v: number) => string): string {
  return iv && finite(iv[0]) && finite(iv[1]) ? `[${fmt(iv[0])}, ${fmt(iv[1])}]` : '';
}

/** `'1 year'`, `'3 years'`. */
export function years(n: number): string {
  return `${n}${n === 1 ? ' year' : ' years'}`;
}

/** A payback: `'1 month'`, `'14 months'`, or beyond the horizon when there is none within it. */
export function months(v: number | null | undefined, horizon: string): string {
  return finite(v) ? `${v}${v === 1 ? ' month' : ' months'}` : `beyond ${horizon}`;
}

/** An attribute or segment name as a label: `support_responsiveness` → `'Support responsiveness'`. */
export function humanise(name: string): string {
  const s = String(name).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * A name cut at a word boundary to at most `n` characters, with an ellipsis, for chart labels
 * (tooltips show it whole). Cuts mid-word only when the last space is in the first 60%.
 * @example short('Predictive outreach to at-risk accounts', 20) // 'Predictive outreach…'
 */
export function short(name: string, n: number): string {
  if (name.length <= n) return name;
  const cut = name.slice(0, n - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > n * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}\u2026`;
}

/** `#rrggbb` with opacity `a`, as `rgba()` (Chart.js fills want a translucent palette colour). */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/**
 * The round step (1, 2 or 5 times a power of ten) at or above `x`: axis ticks and the budget
 * slider's step.
 * @example niceStep(0.03) // 0.05; niceStep(1200) // 2000
 */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  // Below about 1e-308 the power of ten underflows to 0: no axis is that fine, so take a unit step.
  if (!(p > 0)) return 1;
  const m = x / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * Axis bounds on round numbers around `[lo, hi]`, padded by `pad` times the range on each side,
 * with about six steps between them.
 */
export function niceBounds(lo: number, hi: number, pad: number): { min: number; max: number } {
  const r = hi - lo || Math.abs(hi) || 1;
  const step = niceStep(r / 6);
  return { min: Math.floor((lo - r * pad) / step) * step, max: Math.ceil((hi + r * pad) / step) * step };
}
