/**
 * One attribute's effect curve: the latent effect over its scale points as a line, its 95 %
 * interval as a shaded band (two bound datasets, the lower one filled up to the upper), diamonds at
 * the knots where a curved effect may bend. The canvas's text alternative is the caption
 * (curves.ts's describeCurve), set by the panel.
 */
import type { Dashboard } from '../dashboard.js';
import type { EffectCurve } from '../contract.js';
import { curvePoints, type CurvePlotPoint } from '../curves.js';
import { alpha, bracket, fixed, niceBounds, niceStep, signed } from '../format.js';
import { ACCENT, GRID } from '../theme.js';
import { axisTitle, makeChart, zeroGrid } from './setup.js';

/** Dataset indices: the band's two bounds, then the effect line. */
const UPPER = 0;
const EFFECT = 2;

export function renderCurveChart(d: Dashboard, curve: EffectCurve, label: string, canvas: 'chart-curves' | 'chart-whatif-curve' = 'chart-curves'): void {
  const points = curvePoints(curve);
  const at = (i: number): CurvePlotPoint | undefined => points[i];
  const xs = points.map((p) => p.x);
  const xmin = Math.min(...xs);
  const xmax = Math.max(...xs);
  const yb = niceBounds(Math.min(0, ...points.map((p) => p.lo)), Math.max(0, ...points.map((p) => p.hi)), 0.05);
  const band = alpha(ACCENT, 0.18);
  makeChart<'line', { x: number; y: number }[]>(d.chart, canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: '95% interval (upper)', data: points.map((p) => ({ x: p.x, y: p.hi })), borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, fill: false, backgroundColor: band },
        { label: '95% interval', data: points.map((p) => ({ x: p.x, y: p.lo })), borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, fill: '-1', backgroundColor: band },
        {
          label: curve.curved ? `Effect of ${label} (diamonds: knots)` : `Effect of ${label} (straight)`,
          data: points.map((p) => ({ x: p.x, y: p.y })),
          borderColor: ACCENT,
          backgroundColor: ACCENT,
          borderWidth: 2.5,
          pointStyle: (c) => (at(c.dataIndex)?.knot ? 'rectRot' : 'circle'),
          pointRadius: (c) => (at(c.dataIndex)?.knot ? 6 : 3),
          pointHoverRadius: 7,
        },
      ],
    },
    options: {
      layout: { padding: { right: 8 } },
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: xmin,
          max: xmax,
          title: axisTitle(`${label}: rating`),
          grid: { color: GRID },
          ticks: { stepSize: niceStep((xmax - xmin) / 10), callback: (v) => fixed(Number(v), Number.isInteger(Number(v)) ? 0 : 1) },
        },
        y: {
          min: yb.min,
          max: yb.max,
          title: axisTitle('Effect on the latent score'),
          grid: { color: zeroGrid },
          ticks: { callback: (v) => signed(Number(v), 2) },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { filter: (item) => item.datasetIndex !== UPPER } },
        tooltip: {
          filter: (item) => item.datasetIndex === EFFECT,
          callbacks: {
            title: (items) => `${label} rated ${fixed(at(items[0]?.dataIndex ?? -1)?.x, 0)}${at(items[0]?.dataIndex ?? -1)?.knot ? ' (a knot)' : ''}`,
            label: (c) => {
              const p = at(c.dataIndex);
              return p ? `effect ${signed(p.y, 2)} ${p.hasInterval ? bracket([p.lo, p.hi], (v) => signed(v, 2)) : ''}`.trim() : '';
            },
          },
        },
      },
    },
  });
}
