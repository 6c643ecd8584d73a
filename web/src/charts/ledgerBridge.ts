/**
 * The NPS bridge between two waves as a waterfall: the before wave's NPS, the mix of segments and
 * roles, each launch evaluated between the waves, rating shifts through the driver model, everything
 * else, and the after wave's NPS. The bars come from ledger.ts (`bridgeSteps`); the pattern is the
 * NPS waterfall's (./waterfall.ts).
 *
 * The canvas is not one of setup.ts's `CHART_IDS`, so this module draws and removes its own chart
 * the way `makeChart` and `destroyCharts` do.
 */
import type { ChartConfiguration } from 'chart.js';
import { byId } from '../dom.js';
import { fixed } from '../format.js';
import { BRIDGE_KINDS, type BridgeChart } from '../ledger.js';
import { GRID, TOTAL_COLOUR } from '../theme.js';
import type { ChartLib } from './lib.js';
import { barLabels } from './plugins.js';
import { axisTitle } from './setup.js';

export const BRIDGE_CANVAS = 'chart-ledger-bridge';

/** Draws the bridge on its canvas, replacing the chart drawn there before; the canvas's `aria-label` says it in words. */
export function renderBridgeChart(lib: ChartLib, chart: BridgeChart): void {
  const canvas = byId(BRIDGE_CANVAS, HTMLCanvasElement);
  const steps = chart.steps;
  const config: ChartConfiguration<'bar', [number, number][], string> = {
    type: 'bar',
    data: {
      labels: steps.map((s) => s.label),
      datasets: [
        {
          label: 'NPS',
          data: steps.map((s): [number, number] => [s.from ?? chart.lo, s.to]),
          backgroundColor: steps.map((s) => s.colour),
          borderRadius: 2,
          barPercentage: 0.75,
          categoryPercentage: 0.9,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: { min: chart.lo, max: chart.top, title: axisTitle(`NPS (points; the axis starts at ${fixed(chart.lo, 0)})`), grid: { color: GRID } },
        y: { grid: { display: false }, ticks: { autoSkip: false } },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: {
            generateLabels: () => [
              { text: 'NPS of each wave', fillStyle: TOTAL_COLOUR, strokeStyle: TOTAL_COLOUR, lineWidth: 0 },
              ...[...BRIDGE_KINDS.values()].map((k) => ({ text: k.legend, fillStyle: k.colour, strokeStyle: k.colour, lineWidth: 0 })),
            ],
          },
          // The legend explains the colours; there is nothing to hide.
          onClick: () => undefined,
        },
        tooltip: {
          callbacks: {
            title: (items) => steps[items[0]?.dataIndex ?? -1]?.tip[0] ?? '',
            label: (c) => steps[c.dataIndex]?.tip.slice(1) ?? [],
          },
        },
      },
    },
    plugins: [barLabels((_di, i) => steps[i]?.text ?? null)],
  };
  lib.getChart(canvas)?.destroy();
  new lib(canvas, config);
  canvas.setAttribute('aria-label', chart.text);
}

/** Removes the bridge's chart (sign-out, another tenant). */
export function destroyBridgeChart(lib: ChartLib): void {
  lib.getChart(byId(BRIDGE_CANVAS, HTMLCanvasElement))?.destroy();
  byId(BRIDGE_CANVAS).setAttribute('aria-label', 'NPS bridge chart');
}
