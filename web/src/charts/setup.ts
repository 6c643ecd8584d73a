/**
 * What every chart shares: the font, colours, axis titles and grid, and one way to (re)draw a chart
 * on its canvas, so that a redraw never leaves the previous chart's listeners behind.
 */
import type { ChartConfiguration, ChartType, DefaultDataPoint, Chart, ScriptableScaleContext } from 'chart.js';
import { byId } from '../dom.js';
import { FONT, GRID } from '../theme.js';
import type { ChartLib } from './lib.js';


/** The canvases of the page, one chart each. */
export const CHART_IDS = ['chart-importance', 'chart-matrix', 'chart-curves', 'chart-drivers', 'chart-waterfall', 'chart-roi', 'chart-frontier', 'chart-calibration', 'chart-whatif-curve', 'chart-ledger'] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** Chart.js defaults for the whole page: the page's font and ink, no animation, compact legends. */
export function setUpCharts(lib: ChartLib): void {
  lib.defaults.font.family = FONT;
  lib.defaults.font.size = 12;
  lib.defaults.color = '#3a4250';
  lib.defaults.maintainAspectRatio = false;
  // No animation: figures appear at once, and screenshots and tests see the final frame.
  lib.defaults.animation = false;
  lib.defaults.plugins.legend.labels.boxWidth = 12;
  lib.defaults.plugins.legend.labels.boxHeight = 12;
  lib.defaults.plugins.tooltip.titleFont = { weight: 600 };
}

/** The chart on a canvas of the page, if one is drawn. */
export function chartOn(lib: ChartLib, id: ChartId): Chart | undefined {
  return lib.getChart(byId(id, HTMLCanvasElement));
}

/** Removes every chart (sign-out: nothing of the last tenant stays on screen). */
export function destroyCharts(lib: ChartLib): void {
  for (const id of CHART_IDS) chartOn(lib, id)?.destroy();
}

/** Draws `config` on the canvas `id`, replacing the chart drawn there before. */
export function makeChart<TType extends ChartType, TData = DefaultDataPoint<TType>, TLabel = unknown>(
  lib: ChartLib,
  id: ChartId,
  config: ChartConfiguration<TType, TData, TLabel>,
): Chart<TType, TData, TLabel> {
  chartOn(lib, id)?.destroy();
  return new lib(byId(id, HTMLCanvasElement), config);
}

/** An axis title in the page's style. */
export function axisTitle(text: string): { display: true; text: string; font: { size: number; weight: number }; color: string } {
  return { display: true, text, font: { size: 12, weight: 600 }, color: '#4a5361' };
}

/** Grid lines, with the zero line darker: where a value changes sign. */
export function zeroGrid(ctx: ScriptableScaleContext): string {
  return ctx.tick && ctx.tick.value === 0 ? '#7a8392' : GRID;
}
