/**
 * ROI against cost: one bubble per initiative with revenue figures, its area the NPS lift, a
 * whisker for the ROI interval, and a dark outline on the optimiser's selection.
 */
import type { ChartDataset } from 'chart.js';
import type { Dashboard } from '../dashboard.js';
import type { Interval } from '../contract.js';
import { panelError, byId } from '../dom.js';
import { alpha, bracket, fixed, niceBounds, short, signed } from '../format.js';
import { horizonText, levelText, loaded, moneyOf, selectedIds } from '../state.js';
import { GRID } from '../theme.js';
import { whiskers } from './plugins.js';
import { axisTitle, chartOn, makeChart, zeroGrid } from './setup.js';

/** One initiative's bubble: cost (x), ROI in % (y), radius from its lift, and its interval. */
interface RoiPoint {
  x: number;
  y: number;
  r: number;
  lo: number;
  hi: number;
  name: string;
  lift: number;
  liftIv: Interval;
}

/** An initiative's dataset: the browser test finds the selection by `initiativeId` and the outline. */
type RoiDataset = ChartDataset<'bubble', RoiPoint[]> & { initiativeId: string; whiskerColour: string };

const SELECTED_OUTLINE = '#15191f';

export function renderRoi(d: Dashboard): void {
  const { forecast } = loaded(d.state);
  const money = moneyOf(d.state);
  const selected = selectedIds(d.state);
  const withRoi = forecast.initiatives.flatMap((o) => (o.roi ? [{ o, roi: o.roi }] : []));
  if (!withRoi.length) {
    panelError(
      'card-roi',
      new Error('the forecast has no revenue figures (the wave has no account revenue and the scenario no revenueBase), so there is no ROI to plot.'),
    );
  } else panelError('card-roi', null);
  const maxLift = Math.max(...withRoi.map(({ o }) => Math.max(0, o.nps.lift)), 1e-9);
  const ys = [0, ...withRoi.flatMap(({ roi }) => [roi.interval[0] * 100, roi.interval[1] * 100])];
  const costs = withRoi.map(({ o }) => o.cost.total);
  const yb = niceBounds(Math.min(...ys), Math.max(...ys), 0.06);
  const xb = niceBounds(0, Math.max(...costs, 1) * 1.12, 0);
  byId('roi-sub').textContent =
    `ROI over ${horizonText(d.state)} against discounted cost. Bubble area is the NPS lift; whiskers are the ` +
    `${levelText(d.state)} ROI interval; a dark outline marks the optimiser\u2019s selection.`;
  const datasets: RoiDataset[] = withRoi.map(({ o, roi }) => {
    const c = d.state.colours.get(o.id) ?? '#999';
    const inPlan = selected !== null && selected.has(o.id);
    return {
      label: short(o.name, 34),
      initiativeId: o.id,
      whiskerColour: alpha(c, 0.75),
      data: [
        {
          x: o.cost.total,
          y: roi.estimate * 100,
          r: 5 + 21 * Math.sqrt(Math.max(0, o.nps.lift) / maxLift),
          lo: roi.interval[0] * 100,
          hi: roi.interval[1] * 100,
          name: o.name,
          lift: o.nps.lift,
          liftIv: o.nps.interval,
        },
      ],
      backgroundColor: alpha(c, 0.6),
      borderColor: inPlan ? SELECTED_OUTLINE : c,
      borderWidth: inPlan ? 3 : 1.5,
    };
  });
  const point = (di: number, i: number): RoiPoint | undefined => datasets[di]?.data[i];
  makeChart<'bubble', RoiPoint[]>(d.chart, 'chart-roi', {
    type: 'bubble',
    data: { datasets },
    options: {
      layout: { padding: 4 },
      scales: {
        x: {
          min: 0,
          max: xb.max,
          title: axisTitle(`Cost: discounted over ${horizonText(d.state)} (${d.state.currency})`),
          grid: { color: GRID },
          ticks: { callback: (v) => money(Number(v)) },
        },
        y: {
          min: yb.min,
          max: yb.max,
          title: axisTitle(`ROI over ${horizonText(d.state)} (%)`),
          grid: { color: zeroGrid },
          ticks: { callback: (v) => `${fixed(Number(v), 0)}%` },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { usePointStyle: true, pointStyle: 'circle', padding: 12 } },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? (point(items[0].datasetIndex, items[0].dataIndex)?.name ?? '') : ''),
            label: (c) => {
              const r = point(c.datasetIndex, c.dataIndex);
              if (!r) return '';
              return [
                `ROI ${fixed(r.y, 0)}% ${bracket([r.lo, r.hi], (v) => `${fixed(v, 0)}%`)}`,
                `Cost ${money(r.x)}`,
                `NPS lift ${signed(r.lift)} points ${bracket(r.liftIv, signed)}`,
              ];
            },
          },
        },
      },
    },
    plugins: [
      whiskers((di, i) => {
        const r = point(di, i);
        const ds = datasets[di];
        return r && ds ? { lo: r.lo, hi: r.hi, colour: ds.whiskerColour } : null;
      }),
    ],
  });
}

function isRoiDataset(ds: object): ds is RoiDataset {
  return 'initiativeId' in ds && typeof ds.initiativeId === 'string';
}

/** Outlines the optimiser's selection among the bubbles, without redrawing the chart. */
export function outlineSelection(d: Dashboard): void {
  const chart = chartOn(d.chart, 'chart-roi');
  if (!chart) return;
  const selected = selectedIds(d.state);
  for (const ds of chart.data.datasets) {
    if (!isRoiDataset(ds)) continue;
    const inPlan = selected !== null && selected.has(ds.initiativeId);
    ds.borderColor = inPlan ? SELECTED_OUTLINE : (d.state.colours.get(ds.initiativeId) ?? '#999');
    ds.borderWidth = inPlan ? 3 : 1.5;
  }
  chart.update('none');
}
