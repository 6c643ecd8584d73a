/**
 * What a linear driver fit is asked for and how it can fail: the estimator, the options, and the
 * failure values every stage of the fit returns instead of a `NaN` in a result.
 */

/** Which estimator to fit. Ridge's λ is on the attributes' own scale (see `fitLinear` in linear.ts). */
export type RegressionSpec = { method: 'ols' } | { method: 'ridge'; lambda: number };

/** Why a driver model could not be fitted; every failure is a value, never a `NaN` in a result. */
export type DriverModelFailureReason = 'constant-attribute' | 'too-few-respondents' | 'constant-ltr' | 'singular';

export interface DriverModelFailure {
  ok: false;
  reason: DriverModelFailureReason;
  /** A sentence for the analyst: what is wrong and what to do. */
  detail: string;
  /** The attributes involved (constant ones, or those in a linear dependency). */
  attributes?: string[];
}

export interface FitOptions {
  /** Attribute names, used in failure messages. @default x1, x2, … */
  attributes?: readonly string[];
  /** Confidence level of the coefficient intervals. @default 0.95 */
  confidence?: number;
}

/** Ridge's λ, checked (0 for OLS). */
export function lambdaOf(spec: RegressionSpec): number {
  if (spec.method === 'ols') return 0;
  if (!(spec.lambda >= 0) || !Number.isFinite(spec.lambda)) throw new RangeError(`ridge λ must be finite and ≥ 0, got ${spec.lambda}`);
  return spec.lambda;
}

/** The attribute names for failure messages: the given ones (one per column) or x1, x2, …. */
export function namesOf(k: number, given: readonly string[] | undefined): readonly string[] {
  if (given === undefined) return Array.from({ length: k }, (_, j) => `x${j + 1}`);
  if (given.length !== k) throw new RangeError(`${given.length} attribute names for ${k} attributes`);
  return given;
}
