/**
 * Where a chart puts a point's label so that labels do not cover each other: pure geometry on
 * canvas pixels, apart from the drawing (charts/plugins.ts) so that it can be tested on its own.
 */

/** A rectangle on the canvas, in pixels. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Area where two boxes overlap (0 when apart). */
export function overlapArea(r: Box, s: Box): number {
  const w = Math.min(r.x + r.w, s.x + s.w) - Math.max(r.x, s.x);
  const h = Math.min(r.y + r.h, s.y + s.h) - Math.max(r.y, s.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where to put a label of width `w` and height `h` beside the point (x, y): of the positions
 * right, left, above, below and the diagonals, near then farther out, the first that stays inside
 * `area` and covers none of `taken`; failing that, the one that covers least (leaving the area
 * counts as covering a lot). Earlier candidates win ties.
 */
export function placeLabel(p: { x: number; y: number }, w: number, h: number, area: { left: number; right: number; top: number; bottom: number }, taken: readonly Box[]): Box {
  const candidates: { x: number; y: number }[] = [];
  for (const k of [0, 1, 2]) {
    const d = 9 + k * 6;
    const v = k * (h + 2);
    candidates.push(
      { x: p.x + d, y: p.y - h / 2 - v },
      { x: p.x + d, y: p.y - h / 2 + v },
      { x: p.x - d - w, y: p.y - h / 2 - v },
      { x: p.x - d - w, y: p.y - h / 2 + v },
      { x: p.x - w / 2, y: p.y - 10 - h - v },
      { x: p.x - w / 2, y: p.y + 10 + v },
    );
  }
  let best: Box | null = null;
  let bestCost = Infinity;
  for (let i = 0; i < candidates.length && bestCost > 0; i++) {
    const c = candidates[i]!;
    const r = { x: c.x, y: c.y, w, h };
    const outside = r.x < area.left || r.x + w > area.right || r.y < area.top || r.y + h > area.bottom;
    let cost = (outside ? 1e6 : 0) + taken.reduce((sum, t) => sum + overlapArea(r, t), 0) + i;
    if (cost - i === 0) cost = 0;
    if (cost < bestCost) {
      best = r;
      bestCost = cost;
    }
  }
  return best ?? { x: p.x, y: p.y, w, h };
}

