/**
 * A model's calibration: out-of-fold predicted against observed NPS per segment, as paired bars
 * (observed, predicted) on the NPS scale. Bars of equal height mean the model reproduces each
 * segment's NPS from its ratings; the gap is its error there.
 */
import type { CalibrationPoint } from '../contract.js';
import type { Dashboard } from '../dashboard.js';
import { fixed, humanise, signed } from '../format.js';
import { ACCENT, GRID } from '../theme.js';
import { axisTitle, makeChart } from './setup.js';

export function renderCalibration(d: Dashboard, points: readonly CalibrationPoint[]): void {
  const sorted = [...points].sort((a, b) => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0));
  makeChart(d.chart, 'chart-calibration', {
    type: 'bar',
    data: {
      labels: sorted.map((p) => `${humanise(p.segment)} (${p.respondents})`),
      datasets: [
        { label: 'Observed NPS', data: sorted.map((p) => p.observed), backgroundColor: '#9aa7b8' },
        { label: 'Predicted NPS (held out)', data: sorted.map((p) => p.predicted), backgroundColor: ACCENT },
      ],
    },
    options: {
      scales: {
        x: { grid: { display: false } },
        y: { title: axisTitle('NPS'), grid: { color: GRID }, ticks: { callback: (v) => fixed(Number(v), 0) } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (c) => `${c.dataset.label}: ${fixed(Number(c.parsed.y), 1)}`,
            afterBody: (items) => {
              const p = sorted[items[0]?.dataIndex ?? -1];
              return p ? `error ${signed(p.predicted - p.observed, 1)} points` : '';
            },
          },
        },
      },
    },
  });
}

/** The chart's text alternative: each segment's observed and predicted NPS. */
export function calibrationText(points: readonly CalibrationPoint[]): string {
  return points.map((p) => `${humanise(p.segment)}: observed ${fixed(p.observed, 1)}, predicted ${fixed(p.predicted, 1)}`).join('; ');
}
