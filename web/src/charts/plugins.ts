/**
 * Small Chart.js plugins the charts share: value labels on bars, quadrant lines, non-overlapping
 * point labels, interval whiskers (up or across), a shaded band with its reference line and the
 * budget line. Each is drawn on the chart's canvas after (or before) the datasets, so it moves and
 * resizes with the chart.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';
import { finite } from '../format.js';
import { placeLabel, type Box } from '../labelPlacement.js';
import { FONT } from '../theme.js';

/** Text with a white halo, legible over grid lines and bars. */
function haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number): void {
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.lineJoin = 'round';
  ctx.strokeText(text, x, y);
  ctx.fillText(text, x, y);
}

/** Pixel position of an element of a dataset's meta (a bar or a point), as drawn. */
function position<T extends ChartType>(chart: Chart<T>, datasetIndex: number, index: number): { x: number; y: number; base: number } | null {
  const element = chart.getDatasetMeta(datasetIndex).data[index];
  if (!element) return null;
  // The final position (`true`), not the animated one; `base` is where a bar starts.
  const { x, y, base }: Record<string, unknown> = element.getProps(['x', 'y', 'base'], true);
  return typeof x === 'number' && typeof y === 'number' ? { x, y, base: typeof base === 'number' ? base : x } : null;
}

/**
 * Labels at the end of each horizontal bar. `text(datasetIndex, index)` gives the label,
 * or `null` for none.
 */
export function barLabels<T extends ChartType>(text: (datasetIndex: number, index: number) => string | null): Plugin<T> {
  return {
    id: 'barLabels',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = `600 11px ${FONT}`;
      ctx.fillStyle = '#2b313b';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      chart.data.datasets.forEach((_ds, di) => {
        const meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        meta.data.forEach((_bar, i) => {
          const t = text(di, i);
          if (t === null) return;
          const p = position(chart, di, i);
          if (!p) return;
          haloText(ctx, t, Math.max(p.x, p.base) + 5, p.y);
        });
      });
      ctx.restore();
    },
  };
}

/** Dashed lines at (x, y) splitting the plot into quadrants, each captioned in its corner (top left, top right, bottom left, bottom right). */
export function quadrants<T extends ChartType>(x: number, y: number, captions: readonly [string, string, string, string]): Plugin<T> {
  return {
    id: 'quadrants',
    beforeDatasetsDraw(chart) {
      const a = chart.chartArea;
      const ctx = chart.ctx;
      const px = chart.scales.x!.getPixelForValue(x);
      const py = chart.scales.y!.getPixelForValue(y);
      ctx.save();
      ctx.strokeStyle = '#9aa3b0';
      ctx.lineWidth = 1;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(px, a.top);
      ctx.lineTo(px, a.bottom);
      ctx.moveTo(a.left, py);
      ctx.lineTo(a.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `italic 600 11px ${FONT}`;
      ctx.fillStyle = '#8d96a4';
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      ctx.fillText(captions[0], a.left + 6, a.top + 4);
      ctx.textAlign = 'right';
      ctx.fillText(captions[1], a.right - 6, a.top + 4);
      ctx.textBaseline = 'bottom';
      ctx.textAlign = 'left';
      ctx.fillText(captions[2], a.left + 6, a.bottom - 4);
      ctx.textAlign = 'right';
      ctx.fillText(captions[3], a.right - 6, a.bottom - 4);
      ctx.restore();
    },
  };
}

/**
 * A label beside each point, placed greedily (highest point first) with {@link placeLabel}, so
 * labels cover no other label, point or quadrant caption when there is room; a leader line joins
 * a label that had to move away to its point. `label(datasetIndex, index)` gives each point's text.
 */
export function pointLabels<T extends ChartType>(label: (datasetIndex: number, index: number) => string): Plugin<T> {
  return {
    id: 'pointLabels',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      const a = chart.chartArea;
      ctx.save();
      ctx.font = `11px ${FONT}`;
      ctx.fillStyle = '#2b313b';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      const points: { x: number; y: number; label: string }[] = [];
      chart.data.datasets.forEach((_ds, di) => {
        chart.getDatasetMeta(di).data.forEach((pt, i) => points.push({ x: pt.x, y: pt.y, label: label(di, i) }));
      });
      const taken: Box[] = points.map((p) => ({ x: p.x - 7, y: p.y - 7, w: 14, h: 14 }));
      taken.push(
        { x: a.left, y: a.top, w: 130, h: 18 },
        { x: a.right - 130, y: a.top, w: 130, h: 18 },
        { x: a.left, y: a.bottom - 18, w: 130, h: 18 },
        { x: a.right - 130, y: a.bottom - 18, w: 130, h: 18 },
      );
      points.sort((p, q) => p.y - q.y);
      for (const p of points) {
        const w = ctx.measureText(p.label).width;
        const h = 13;
        const best = placeLabel(p, w, h, a, taken);
        taken.push(best);
        // A leader line when the label had to move away from its point.
        const nx = Math.max(best.x, Math.min(p.x, best.x + w));
        const ny = Math.max(best.y, Math.min(p.y, best.y + h));
        if (Math.hypot(nx - p.x, ny - p.y) > 14) {
          ctx.strokeStyle = '#9aa3b0';
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(p.x, p.y);
          ctx.lineTo(nx, ny);
          ctx.stroke();
        }
        haloText(ctx, p.label, best.x, best.y + h / 2);
      }
      ctx.restore();
    },
  };
}

/** One point's interval whisker: from `lo` to `hi` on the y axis (or, with `axis: 'x'`, across on the x axis), in `colour`. */
export interface Whisker {
  lo: number;
  hi: number;
  colour: string;
  /** @default 'y' */
  axis?: 'x' | 'y';
}

/**
 * Interval whiskers with caps, drawn under the points; `whisker(datasetIndex, index)` gives each
 * point's one (or several: a forecast's across and a realised lift's up), or `null`.
 */
export function whiskers<T extends ChartType>(whisker: (datasetIndex: number, index: number) => Whisker | readonly Whisker[] | null): Plugin<T> {
  return {
    id: 'whiskers',
    beforeDatasetsDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.lineWidth = 2;
      chart.data.datasets.forEach((_ds, di) => {
        const meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        meta.data.forEach((pt, i) => {
          const found = whisker(di, i);
          const list: readonly Whisker[] = found === null ? [] : 'lo' in found ? [found] : found;
          for (const w of list) {
            if (!finite(w.lo) || !finite(w.hi)) continue;
            ctx.strokeStyle = w.colour;
            ctx.beginPath();
            if (w.axis === 'x') {
              const x = chart.scales.x!;
              const [left, right] = [x.getPixelForValue(w.lo), x.getPixelForValue(w.hi)];
              ctx.moveTo(left, pt.y);
              ctx.lineTo(right, pt.y);
              ctx.moveTo(left, pt.y - 6);
              ctx.lineTo(left, pt.y + 6);
              ctx.moveTo(right, pt.y - 6);
              ctx.lineTo(right, pt.y + 6);
            } else {
              const y = chart.scales.y!;
              const [top, bottom] = [y.getPixelForValue(w.hi), y.getPixelForValue(w.lo)];
              ctx.moveTo(pt.x, top);
              ctx.lineTo(pt.x, bottom);
              ctx.moveTo(pt.x - 6, top);
              ctx.lineTo(pt.x + 6, top);
              ctx.moveTo(pt.x - 6, bottom);
              ctx.lineTo(pt.x + 6, bottom);
            }
            ctx.stroke();
          }
        });
      });
      ctx.restore();
    },
  };
}

/**
 * A shaded region and a dashed reference line under the datasets, both in data coordinates and
 * clipped to the plot: the forecast ledger's band within 2 points of realised = forecast, and that
 * diagonal itself.
 */
export function bandAndLine<T extends ChartType>(band: readonly (readonly [number, number])[], line: readonly [readonly [number, number], readonly [number, number]], colours: { fill: string; line: string }): Plugin<T> {
  return {
    id: 'bandAndLine',
    beforeDatasetsDraw(chart) {
      const a = chart.chartArea;
      const ctx = chart.ctx;
      const x = chart.scales.x!;
      const y = chart.scales.y!;
      const px = ([vx, vy]: readonly [number, number]): [number, number] => [x.getPixelForValue(vx), y.getPixelForValue(vy)];
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.left, a.top, a.right - a.left, a.bottom - a.top);
      ctx.clip();
      if (band.length > 2) {
        ctx.fillStyle = colours.fill;
        ctx.beginPath();
        band.forEach((v, i) => (i === 0 ? ctx.moveTo(...px(v)) : ctx.lineTo(...px(v))));
        ctx.closePath();
        ctx.fill();
      }
      ctx.strokeStyle = colours.line;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(...px(line[0]));
      ctx.lineTo(...px(line[1]));
      ctx.stroke();
      ctx.restore();
    },
  };
}

/** The budget as a dashed vertical line at x = `budget()`, labelled `label(budget)` at the top. */
export function budgetLine<T extends ChartType>(budget: () => number, label: (budget: number) => string): Plugin<T> {
  return {
    id: 'budgetLine',
    afterDatasetsDraw(chart) {
      const a = chart.chartArea;
      const ctx = chart.ctx;
      const value = budget();
      const px = chart.scales.x!.getPixelForValue(value);
      if (!(px >= a.left - 1 && px <= a.right + 1)) return;
      ctx.save();
      ctx.strokeStyle = '#c0392b';
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(px, a.top);
      ctx.lineTo(px, a.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `600 11px ${FONT}`;
      ctx.fillStyle = '#a5281b';
      ctx.textBaseline = 'top';
      const text = label(value);
      const right = px + 6 + ctx.measureText(text).width > a.right;
      ctx.textAlign = right ? 'right' : 'left';
      haloText(ctx, text, right ? px - 6 : px + 6, a.top + 4);
      ctx.restore();
    },
  };
}
