/**
 * The forecast ledger's evaluated launches as forecast (x) against realised lift (y): each launch a
 * point with its forecast interval as a whisker across and its realised interval as one up, the
 * diagonal realised = forecast dashed, and the band within 2 points of it shaded. The figures come
 * from ledger.ts (`ledgerScatter`); the whiskers, band and labels are plugins.ts's.
 */
import type { Dashboard } from '../dashboard.js';
import { byId } from '../dom.js';
import { alpha, signed } from '../format.js';
import { CLOSE_COLOUR, CLOSE_POINTS, FAR_COLOUR, type LedgerScatter } from '../ledger.js';
import { bandAndLine, pointLabels, whiskers } from './plugins.js';
import { axisTitle, chartOn, makeChart, zeroGrid } from './setup.js';

export const SCATTER_CANVAS = 'chart-ledger';
/** The label that stays unset while no chart is drawn. */
const EMPTY_LABEL = 'Forecast against realised lift chart';

const BAND_FILL = alpha(CLOSE_COLOUR, 0.12);
const DIAGONAL = '#7a8392';
const FORECAST_WHISKER = alpha(CLOSE_COLOUR, 0.45);
const REALISED_WHISKER = 'rgba(31,36,48,0.55)';
/** Beyond this many launches the points go unlabelled: the tooltips and the table name them. */
const MAX_LABELS = 12;

/** An axis tick: `+2`, `−0.5`, `0`. */
const tick = (v: number): string => signed(v, Number.isInteger(v) ? 0 : 1);

/** Draws the chart on its canvas (replacing the one before); the canvas's `aria-label` says it in words. */
export function renderLedgerScatter(d: Dashboard, scatter: LedgerScatter): void {
  const points = scatter.points;
  const axis = { min: scatter.lo, max: scatter.hi, grid: { color: zeroGrid }, ticks: { callback: (v: number | string) => tick(Number(v)) } };
  makeChart<'scatter', { x: number; y: number }[]>(d.chart, SCATTER_CANVAS, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'Launches',
          data: points.map((p) => ({ x: p.x, y: p.y })),
          pointBackgroundColor: points.map((p) => p.colour),
          pointBorderColor: '#fff',
          pointBorderWidth: 1.5,
          pointRadius: 6,
          pointHoverRadius: 8,
        },
      ],
    },
    options: {
      layout: { padding: 4 },
      scales: {
        x: { ...axis, title: axisTitle('Forecast lift (NPS points)') },
        y: { ...axis, title: axisTitle('Realised lift (NPS points)') },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: {
            generateLabels: () => [
              { text: `Within ${CLOSE_POINTS} points of its forecast`, fillStyle: CLOSE_COLOUR, strokeStyle: CLOSE_COLOUR, lineWidth: 0 },
              { text: `More than ${CLOSE_POINTS} points off`, fillStyle: FAR_COLOUR, strokeStyle: FAR_COLOUR, lineWidth: 0 },
              { text: `\u00b1${CLOSE_POINTS} points of realised = forecast (dashed)`, fillStyle: BAND_FILL, strokeStyle: DIAGONAL, lineWidth: 1 },
              { text: 'Whiskers: forecast interval across, realised up', fillStyle: '#fff', strokeStyle: REALISED_WHISKER, lineWidth: 2 },
            ],
          },
          // The legend explains the marks; there is nothing to hide.
          onClick: () => undefined,
        },
        tooltip: {
          callbacks: {
            title: (items) => points[items[0]?.dataIndex ?? -1]?.tip[0] ?? '',
            label: (c) => points[c.dataIndex]?.tip.slice(1) ?? [],
          },
        },
      },
    },
    plugins: [
      bandAndLine(scatter.band, scatter.diagonal, { fill: BAND_FILL, line: DIAGONAL }),
      whiskers((_di, i) => {
        const p = points[i];
        return p
          ? [
              { axis: 'x', lo: p.forecastInterval[0], hi: p.forecastInterval[1], colour: FORECAST_WHISKER },
              { axis: 'y', lo: p.realisedInterval[0], hi: p.realisedInterval[1], colour: REALISED_WHISKER },
            ]
          : null;
      }),
      ...(points.length <= MAX_LABELS ? [pointLabels<'scatter'>((_di, i) => points[i]?.label ?? '')] : []),
    ],
  });
  byId(SCATTER_CANVAS).setAttribute('aria-label', scatter.text);
}

/** Removes the chart (sign-out, another tenant, a ledger with nothing evaluated). */
export function destroyLedgerScatter(d: Dashboard): void {
  chartOn(d.chart, SCATTER_CANVAS)?.destroy();
  byId(SCATTER_CANVAS).setAttribute('aria-label', EMPTY_LABEL);
}
