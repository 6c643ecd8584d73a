/**
 * The NPS waterfall: from today's NPS through each initiative's lift on its own to the portfolio,
 * with the grey bar showing what they lose together (initiatives reaching the same respondents
 * overlap and saturate). The bars come from waterfall.ts.
 */
import type { Dashboard } from '../dashboard.js';
import { byId } from '../dom.js';
import { finite, fixed, signed } from '../format.js';
import { loaded } from '../state.js';
import { OVERLAP_COLOUR, PALETTE, TOTAL_COLOUR } from '../theme.js';
import { waterfall } from '../waterfall.js';
import { barLabels } from './plugins.js';
import { axisTitle, makeChart } from './setup.js';
import { GRID } from '../theme.js';

export function renderWaterfall(d: Dashboard): void {
  const { forecast } = loaded(d.state);
  const p = forecast.portfolio.nps;
  const { bars, sum, lo, top } = waterfall(forecast, d.state.colours);
  byId('waterfall-sub').textContent =
    `From today\u2019s NPS through each initiative\u2019s lift on its own to the portfolio. Together they add ${signed(p.lift)}` +
    ` points, not the ${signed(sum)} their separate lifts sum to: initiatives that reach the same respondents overlap and saturate (grey bar).`;
  makeChart<'bar', [number, number][], string>(d.chart, 'chart-waterfall', {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.label),
      datasets: [
        {
          label: 'NPS',
          data: bars.map((b): [number, number] => [finite(b.from) ? b.from : lo, b.to]),
          backgroundColor: bars.map((b) => b.colour),
          borderRadius: 2,
          barPercentage: 0.75,
          categoryPercentage: 0.9,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: { min: lo, max: top, title: axisTitle(`NPS (points; the axis starts at ${fixed(lo, 0)})`), grid: { color: GRID } },
        y: { grid: { display: false }, ticks: { autoSkip: false } },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: {
            generateLabels: () => [
              { text: 'NPS today and with all initiatives', fillStyle: TOTAL_COLOUR, strokeStyle: TOTAL_COLOUR, lineWidth: 0 },
              { text: 'Lift of one initiative on its own', fillStyle: PALETTE[0], strokeStyle: PALETTE[0], lineWidth: 0 },
              { text: 'Overlap and saturation', fillStyle: OVERLAP_COLOUR, strokeStyle: OVERLAP_COLOUR, lineWidth: 0 },
            ],
          },
          // The legend explains the colours; there is nothing to hide.
          onClick: () => undefined,
        },
        tooltip: {
          callbacks: {
            title: (items) => bars[items[0]?.dataIndex ?? -1]?.tip[0] ?? '',
            label: (c) => bars[c.dataIndex]?.tip.slice(1) ?? [],
          },
        },
      },
    },
    plugins: [barLabels((_di, i) => bars[i]?.text ?? null)],
  });
}
