/**
 * Detractor drivers against promoter drivers: for each attribute a pair of horizontal bars, the %
 * of today's detractors a +1 point change lifts out of detractor and the % of today's
 * non-promoters it makes promoters, sorted as the panel's picker says (cutDrivers.ts).
 */
import type { Dashboard } from '../dashboard.js';
import { sharePercent, type CutDriverRow } from '../cutDrivers.js';
import { short } from '../format.js';
import { DETRACTOR_COLOUR, GRID, PROMOTER_COLOUR } from '../theme.js';
import { barLabels } from './plugins.js';
import { axisTitle, makeChart } from './setup.js';

/** The two figures of a row, in dataset order. */
const FIGURES = [
  { key: 'leavingDetractor', rank: 'detractorRank', label: 'Leave detractor (% of today\u2019s detractors)', tip: 'of today\u2019s detractors leave detractor', colour: DETRACTOR_COLOUR },
  { key: 'becomingPromoter', rank: 'promoterRank', label: 'Become promoter (% of today\u2019s non-promoters)', tip: 'of today\u2019s non-promoters become promoters', colour: PROMOTER_COLOUR },
] as const;

export function renderCutDriverChart(d: Dashboard, rows: readonly CutDriverRow[]): void {
  const datasets = FIGURES.map((f) => ({
    label: f.label,
    data: rows.map((r) => r[f.key]),
    backgroundColor: f.colour,
    borderRadius: 2,
    barPercentage: 0.85,
    categoryPercentage: 0.8,
  }));
  makeChart<'bar', (number | null)[], string>(d.chart, 'chart-drivers', {
    type: 'bar',
    data: { labels: rows.map((r) => short(r.label, 30)), datasets },
    options: {
      indexAxis: 'y',
      layout: { padding: { right: 8 } },
      scales: {
        x: { beginAtZero: true, grace: '14%', title: axisTitle('Moved by a +1 point change (%)'), grid: { color: GRID }, ticks: { callback: (v) => `${v}%` } },
        y: { grid: { display: false }, ticks: { autoSkip: false } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            title: (items) => rows[items[0]?.dataIndex ?? -1]?.label ?? '',
            label: (c) => {
              const r = rows[c.dataIndex];
              const f = FIGURES[c.datasetIndex];
              return r && f ? `${sharePercent(r[f.key])} ${f.tip} (rank ${r[f.rank]} of ${rows.length})` : '';
            },
          },
        },
      },
    },
    plugins: [barLabels((di, i) => {
      const f = FIGURES[di];
      const r = rows[i];
      return f && r && r[f.key] !== null ? sharePercent(r[f.key]) : null;
    })],
  });
}
