/**
 * The distributions, for callers outside model/ (functions/ imports `normalQuantile` from here).
 * Model code imports the modules themselves: `stats/normal.ts` (Φ, Φ⁻¹, φ) and `stats/studentT.ts`.
 */
export { normalCdf, normalDensity, normalQuantile } from './stats/normal.js';
export { studentTCdf, studentTQuantile } from './stats/studentT.js';
