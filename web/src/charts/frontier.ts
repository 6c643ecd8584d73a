/**
 * The efficient frontier: the best objective (net value or NPS lift) the money can buy at each
 * cost, as a step line, with the selected portfolio as a diamond and the slider's budget as a
 * dashed line (drawn from the state, so moving the slider only redraws).
 */
import type { Chart } from 'chart.js';
import type { Dashboard } from '../dashboard.js';
import { short, signed } from '../format.js';
import { frontierPoints, selectedPoint, type FrontierPoint } from '../portfolio.js';
import { horizonText, moneyOf, type DashboardState } from '../state.js';
import { ACCENT, GRID } from '../theme.js';
import { budgetLine } from './plugins.js';
import { axisTitle, chartOn, makeChart, zeroGrid } from './setup.js';

/** The frontier chart as last drawn; its datasets are replaced when a new selection arrives. */
let drawn: Chart<'line', FrontierPoint[]> | null = null;

/** What the optimiser maximises, in words. */
export function objectiveName(state: DashboardState): string {
  return state.objective === 'npv' ? 'net value (NPV)' : 'NPS lift';
}

/** A value of the objective: an amount, or points of NPS. */
export function objectiveText(state: DashboardState, v: number): string {
  return state.objective === 'npv' ? moneyOf(state)(v) : `${signed(v)} points`;
}

function isPoint(raw: unknown): raw is FrontierPoint {
  return typeof raw === 'object' && raw !== null && 'x' in raw && 'y' in raw && 'ids' in raw;
}

function frontierOf(d: Dashboard): FrontierPoint[] {
  return d.state.frontier ? frontierPoints(d.state.frontier, d.state.selection, d.state.budgetMax) : [];
}

export function renderFrontier(d: Dashboard): void {
  const state = d.state;
  const money = moneyOf(state);
  const names = (ids: readonly string[]): string[] => ids.map((id) => {
    const o = state.byId.get(id);
    return o ? short(o.name, 40) : id;
  });
  drawn = makeChart<'line', FrontierPoint[]>(d.chart, 'chart-frontier', {
    type: 'line',
    data: {
      datasets: [
        {
          label: `Efficient frontier: the best ${objectiveName(state)} for the money`,
          data: frontierOf(d),
          stepped: 'before',
          borderColor: ACCENT,
          backgroundColor: ACCENT,
          borderWidth: 2,
          pointRadius: (c) => (isPoint(c.raw) && c.raw.extension ? 0 : 3.5),
          pointHoverRadius: 6,
          order: 2,
        },
        {
          label: 'Selected portfolio at the budget',
          data: selectedPoint(state.selection),
          showLine: false,
          pointStyle: 'rectRot',
          pointRadius: 9,
          pointHoverRadius: 10,
          backgroundColor: '#f2c94c',
          borderColor: '#15191f',
          borderWidth: 2,
          order: 1,
        },
      ],
    },
    options: {
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: state.budgetMax,
          title: axisTitle(`Budget and portfolio cost: discounted over ${horizonText(state)} (${state.currency})`),
          grid: { color: GRID },
          ticks: { callback: (v) => money(Number(v)) },
        },
        y: {
          title: axisTitle(state.objective === 'npv' ? `Net value, NPV (${state.currency})` : 'Portfolio NPS lift (points)'),
          grid: { color: zeroGrid },
          grace: '8%',
          ticks: {
            callback: (v) => {
              const n = Number(v);
              return state.objective === 'npv' ? money(n) : signed(n, Number.isInteger(n) ? 0 : 1);
            },
          },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          filter: (item) => !(isPoint(item.raw) && item.raw.extension),
          callbacks: {
            title: (items) => {
              const first = items[0];
              const x = first && isPoint(first.raw) ? first.raw.x : 0;
              return `${first?.datasetIndex === 1 ? 'Selected portfolio, cost ' : 'Portfolio costing '}${money(x)}`;
            },
            label: (c) => (isPoint(c.raw) ? `${objectiveName(state)}: ${objectiveText(state, c.raw.y)}` : ''),
            afterBody: (items) => {
              const raw = items[0]?.raw;
              const ids = isPoint(raw) ? raw.ids : [];
              return ids.length ? ['Funds:', ...names(ids)] : ['Funds nothing'];
            },
          },
        },
      },
    },
    plugins: [budgetLine(() => state.budget, (b) => `Budget ${money(b)}`)],
  });
}

/** Redraws the frontier's points and the selected portfolio after a new selection, without a new chart. */
export function refreshFrontier(d: Dashboard): void {
  const live = chartOn(d.chart, 'chart-frontier');
  // Only the chart still on the canvas: after a sign-out there is none.
  if (!drawn || live !== drawn || !d.state.frontier) return;
  const [line, marker] = drawn.data.datasets;
  if (!line || !marker) return;
  line.data = frontierOf(d);
  marker.data = selectedPoint(d.state.selection);
  drawn.update('none');
}
