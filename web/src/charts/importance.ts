/**
 * The driver model's two charts: each attribute's share of the explained variance (bars), and
 * importance against performance (the priority matrix: top left is where customers care most
 * and rate lowest).
 */
import type { Dashboard } from '../dashboard.js';
import type { DriverModel } from '../contract.js';
import { byId } from '../dom.js';
import { attributeRows, KIND_COLOURS, kindsOf, type AttributeKind } from '../drivers.js';
import { finite, fixed, humanise, niceBounds, short } from '../format.js';
import { GRID } from '../theme.js';
import { barLabels, pointLabels, quadrants } from './plugins.js';
import { axisTitle, makeChart } from './setup.js';

/** One attribute on the priority matrix. */
interface MatrixPoint {
  x: number;
  y: number;
  /** Shortened for the label beside the point. */
  label: string;
  /** Whole, for the tooltip. */
  full: string;
}

/**
 * The importance bars, most important first, coloured by kind (product, service, other).
 * @param labels the dataset's attribute labels, by name
 */
export function renderImportance(d: Dashboard, model: DriverModel, labels: ReadonlyMap<string, string>): void {
  const rows = attributeRows(model, labels).rows;
  const r2 = model.fit && finite(model.fit.r2) ? model.fit.r2 : null;
  byId('importance-sub').textContent =
    'Each attribute\u2019s share of the variance in likelihood to recommend the driver model explains' +
    (r2 !== null ? ` (R\u00b2 = ${r2.toFixed(2)}, ${model.method || 'model'} fit).` : '.');
  // One dataset per kind, stacked: each attribute's bar is in its kind's colour and legend entry.
  const datasets = kindsOf(rows).map((k) => ({
    label: `${humanise(k)} attribute`,
    data: rows.map((r) => (r.kind === k ? r.importance : null)),
    backgroundColor: colourOf(k),
    borderRadius: 2,
    stack: 'share',
    barPercentage: 0.8,
    categoryPercentage: 0.9,
  }));
  makeChart<'bar', (number | null)[], string>(d.chart, 'chart-importance', {
    type: 'bar',
    data: { labels: rows.map((r) => short(r.label, 34)), datasets },
    options: {
      indexAxis: 'y',
      layout: { padding: { right: 8 } },
      scales: {
        x: {
          stacked: true,
          beginAtZero: true,
          grace: '12%',
          title: axisTitle('Share of explained variance (%)'),
          grid: { color: GRID },
          ticks: { callback: (v) => `${v}%` },
        },
        y: { stacked: true, grid: { display: false } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            title: (items) => rows[items[0]?.dataIndex ?? -1]?.label ?? '',
            label: (c) => `${fixed(c.parsed.x)}% of explained variance`,
          },
        },
      },
    },
    plugins: [
      barLabels((di, i) => {
        const v = datasets[di]?.data[i];
        return v === null || v === undefined ? null : `${fixed(v)}%`;
      }),
    ],
  });
}

/** The priority matrix: importance (y) against mean rating (x), split at the averages. */
export function renderMatrix(d: Dashboard, model: DriverModel, labels: ReadonlyMap<string, string>): void {
  const set = attributeRows(model, labels);
  const rows = set.rows;
  const mean = (key: 'performance' | 'importance'): number => rows.reduce((s, r) => s + r[key], 0) / rows.length;
  const mx = mean('performance');
  const my = mean('importance');
  const xs = rows.map((r) => r.performance);
  const ys = rows.map((r) => r.importance);
  const xmin = Math.min(...xs);
  const xmax = Math.max(...xs);
  const ymax = Math.max(...ys);
  const perfTitle =
    set.sameScale && set.scale
      ? `Performance: mean rating (${set.scale[0]}\u2013${set.scale[1]} scale)`
      : 'Performance: mean rating (% of each attribute\u2019s scale)';
  const sets = kindsOf(rows).map((k) => ({
    kind: k,
    points: rows.filter((r) => r.kind === k).map((r): MatrixPoint => ({ x: r.performance, y: r.importance, label: short(r.label, 28), full: r.label })),
  }));
  const point = (di: number, i: number): MatrixPoint | undefined => sets[di]?.points[i];
  const xb = niceBounds(xmin, xmax, 0.25);
  makeChart<'scatter', MatrixPoint[]>(d.chart, 'chart-matrix', {
    type: 'scatter',
    data: {
      datasets: sets.map((s) => ({
        label: `${humanise(s.kind)} attribute`,
        data: s.points,
        backgroundColor: colourOf(s.kind),
        borderColor: '#fff',
        borderWidth: 1,
        pointRadius: 6,
        pointHoverRadius: 8,
      })),
    },
    options: {
      layout: { padding: { right: 8 } },
      scales: {
        x: { min: xb.min, max: xb.max, title: axisTitle(perfTitle), grid: { color: GRID }, ticks: { callback: (v) => fixed(Number(v)) } },
        y: {
          min: 0,
          max: niceBounds(0, ymax * 1.12, 0).max,
          title: axisTitle('Importance (%)'),
          grid: { color: GRID },
          ticks: { callback: (v) => `${fixed(Number(v), 0)}%` },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? (point(items[0].datasetIndex, items[0].dataIndex)?.full ?? '') : ''),
            label: (c) => {
              const p = point(c.datasetIndex, c.dataIndex);
              return p ? `importance ${fixed(p.y)}%, mean rating ${fixed(p.x, 2)}` : '';
            },
          },
        },
      },
    },
    plugins: [quadrants(mx, my, ['Improve first', 'Keep strong', 'Lower priority', 'Possible overkill']), pointLabels((di, i) => point(di, i)?.label ?? '')],
  });
}

function colourOf(kind: AttributeKind): string {
  return KIND_COLOURS.get(kind) ?? '#8c8c8c';
}
