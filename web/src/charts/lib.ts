/**
 * Chart.js, loaded by the page as its own script (`/dashboard/assets/chart.umd.min.js`, the
 * package's UMD build from node_modules) rather than bundled into dashboard.js: the browser test
 * and anyone debugging the page reach the charts through the global `Chart.getChart(canvas)`, and
 * the 210 KB library is cached apart from the dashboard's own code, which changes more often.
 * Only its types are imported here, so esbuild never bundles it.
 */
import type { Chart } from 'chart.js';

/** The Chart.js constructor and its statics (`defaults`, `getChart`), as the UMD build defines them. */
export type ChartLib = typeof Chart;

declare global {
  interface Window {
    /** Set by chart.umd.min.js; absent when that script failed to load. */
    Chart?: ChartLib;
  }
}

/** Chart.js as the page loaded it, or `null` when its script did not load. */
export function loadedChartLib(): ChartLib | null {
  return window.Chart ?? null;
}
