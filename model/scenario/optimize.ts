/**
 * The budget optimiser: which initiatives to fund so that the portfolio — evaluated through the
 * driver model, where overlapping effects saturate instead of adding up — is worth the most within
 * a budget.
 *
 * A portfolio's value V(S) (net present value, or NPS lift) is not additive, so the search needs
 * many portfolio evaluations. Up to {@link EXACT_LIMIT} initiatives it is exhaustive: every subset
 * is scored by the second-order expansion
 *
 *   V(S) ≈ Σ_{j∈S} v_j + Σ_{j<k∈S} (V({j,k}) − v_j − v_k)
 *
 * whose singles and pairs are true portfolio evaluations; the best candidates within the budget
 * are then re-evaluated as true portfolios and the best true value wins. Interactions of three or
 * more initiatives on the same respondents are what the expansion misses; re-scoring the leaders
 * protects against them. Beyond the limit a greedy search adds the initiative with the best true
 * marginal value per unit of cost while the budget allows, then tries single swaps. Its gap to the
 * exhaustive answer is measured in the tests on instances small enough to solve both ways.
 */
import { z } from 'zod';

export const EXACT_LIMIT = 20;
/** Time allowed for evaluating every subset through the model; above it the pairwise expansion is used. */
export const EXACT_BUDGET_MS = 4000;
/** Candidates re-evaluated as true portfolios after the exhaustive second-order search. */
const RESCORE = 24;

export const OptimizeRequestSchema = z.strictObject({
  budget: z.number().min(0).max(1e13).describe('Largest discounted cost (cost.total) of the selected portfolio'),
  objective: z.enum(['npv', 'npsLift']).default('npv').describe('npv: revenue.npv − cost.total; npsLift: NPS points'),
  minNpsLift: z.number().min(-100).max(100).optional().describe('Only portfolios lifting NPS at least this much'),
  mustInclude: z.array(z.string().min(1).max(64)).max(50).default([]),
  exclude: z.array(z.string().min(1).max(64)).max(50).default([]),
});
export type OptimizeRequest = z.infer<typeof OptimizeRequestSchema>;

/** What the optimiser needs to know of a portfolio: its true value, lift and cost. */
export interface PortfolioValue {
  objective: number;
  npsLift: number;
  cost: number;
}

export interface OptimizeProblem {
  ids: string[];
  /** Discounted cost of each initiative (portfolio cost is additive). */
  costs: number[];
  /** Evaluates a portfolio (indices into `ids`) through the model. Called many times: keep it fast. */
  evaluate: (subset: readonly number[]) => PortfolioValue;
}

export interface OptimizeResult {
  ok: true;
  selected: number[];
  value: PortfolioValue;
  /**
   * `exact`: every subset evaluated through the model (when that fits {@link EXACT_BUDGET_MS});
   * `exhaustive`: every subset scored by the pairwise expansion, the leaders re-scored through the
   * model; `greedy`: beyond {@link EXACT_LIMIT} initiatives.
   */
  method: 'exact' | 'exhaustive' | 'greedy';
  /** Best objective at each budget level, for charting. */
  frontier: { budget: number; objective: number; npsLift: number; cost: number; selected: number[] }[];
  evaluations: number;
}

export type OptimizeFailure = { ok: false; reason: 'infeasible' | 'unknown-initiative'; detail: string; field?: string };

const bitsOf = (mask: number, n: number): number[] => {
  const out: number[] = [];
  for (let j = 0; j < n; j++) if (mask & (1 << j)) out.push(j);
  return out;
};

export interface OptimizeOptions {
  /** Budget levels of the frontier. @default 12 */
  levels?: number;
  /** Forces a search (tests measure the greedy search's gap). @default chosen as described on OptimizeResult.method */
  method?: 'exact' | 'exhaustive' | 'greedy';
  /**
   * Monotonic clock in milliseconds, read only to time a few true evaluations and decide whether
   * evaluating every subset fits {@link EXACT_BUDGET_MS}. The caller's clock, so that a test (or a
   * replay) can fix the choice between `exact` and `exhaustive`.
   * @default performance.now (the API passes its own: functions/app/portfolio/service.ts)
   */
  now?: () => number;
}

/**
 * Picks the portfolio with the best objective within the budget, and the efficient frontier at
 * `levels` budgets up to it.
 */
export function optimizePortfolio(problem: OptimizeProblem, request: OptimizeRequest, options: OptimizeOptions = {}): OptimizeResult | OptimizeFailure {
  const levels = options.levels ?? 12;
  const now = options.now ?? (() => performance.now());
  const n = problem.ids.length;
  const index = new Map(problem.ids.map((id, j) => [id, j] as const));
  for (const [key, list] of [['mustInclude', request.mustInclude], ['exclude', request.exclude]] as const)
    for (const [i, id] of list.entries())
      if (!index.has(id)) return { ok: false, reason: 'unknown-initiative', detail: `The scenario has no initiative '${id}'.`, field: `${key}[${i}]` };
  const must = request.mustInclude.map((id) => index.get(id)!);
  const banned = new Set(request.exclude.map((id) => index.get(id)!));
  const clash = must.find((j) => banned.has(j));
  if (clash !== undefined) return { ok: false, reason: 'infeasible', detail: `'${problem.ids[clash]}' is both required and excluded.` };
  const mustCost = must.reduce((s, j) => s + problem.costs[j]!, 0);
  if (mustCost > request.budget)
    return { ok: false, reason: 'infeasible', detail: `The required initiatives cost ${Math.round(mustCost)} (discounted), more than the budget of ${Math.round(request.budget)}.` };

  let evaluations = 0;
  const cache = new Map<string, PortfolioValue>();
  const trueValue = (subset: readonly number[]): PortfolioValue => {
    const key = [...subset].sort((a, b) => a - b).join(',');
    let v = cache.get(key);
    if (!v) {
      v = subset.length === 0 ? { objective: 0, npsLift: 0, cost: 0 } : problem.evaluate(subset);
      evaluations++;
      cache.set(key, v);
    }
    return v;
  };
  const feasible = (v: PortfolioValue, budget: number): boolean => v.cost <= budget * (1 + 1e-12) && (request.minNpsLift === undefined || v.npsLift >= request.minNpsLift);
  const free = Array.from({ length: n }, (_, j) => j).filter((j) => !banned.has(j) && !must.includes(j));
  const cost = (subset: readonly number[]): number => subset.reduce((s, j) => s + problem.costs[j]!, 0);
  const budgets = Array.from({ length: levels }, (_, l) => {
    const top = Math.min(request.budget, mustCost + free.reduce((s, j) => s + problem.costs[j]!, 0));
    return mustCost + ((top - mustCost) * (l + 1)) / levels;
  });

  let method: OptimizeResult['method'];
  const bestAt = new Map<number, { subset: number[]; value: PortfolioValue }>(); // per budget level
  // Every subset through the model when that is affordable: time a few true evaluations first.
  let chosenMethod = options.method;
  if (!chosenMethod && n <= EXACT_LIMIT) {
    const t0 = now();
    const probe = free.slice(0, 3);
    probe.forEach((j) => trueValue([...must, j]));
    const perEvaluation = (now() - t0) / Math.max(probe.length, 1);
    chosenMethod = 2 ** free.length * perEvaluation <= EXACT_BUDGET_MS ? 'exact' : 'exhaustive';
  }
  if (chosenMethod === 'exact') {
    method = 'exact';
    const m = free.length;
    for (let mask = 0; mask < 1 << m; mask++) {
      const subset = [...must, ...bitsOf(mask, m).map((a) => free[a]!)];
      if (cost(subset) > budgets[budgets.length - 1]! * (1 + 1e-12)) continue;
      const v = trueValue(subset);
      budgets.forEach((budget, l) => {
        if (!feasible(v, budget)) return;
        const best = bestAt.get(l);
        if (!best || v.objective > best.value.objective) bestAt.set(l, { subset, value: v });
      });
    }
  } else if ((chosenMethod ?? (n <= EXACT_LIMIT ? 'exhaustive' : 'greedy')) === 'exhaustive') {
    method = 'exhaustive';
    // Singles and pairs through the model (over the free initiatives, on top of the required ones).
    const base = trueValue(must);
    const single = new Float64Array(n);
    const lift1 = new Float64Array(n);
    for (const j of free) {
      const v = trueValue([...must, j]);
      single[j] = v.objective - base.objective;
      lift1[j] = v.npsLift - base.npsLift;
    }
    const pair = new Float64Array(n * n);
    const pairLift = new Float64Array(n * n);
    for (let a = 0; a < free.length; a++)
      for (let b = a + 1; b < free.length; b++) {
        const j = free[a]!;
        const k = free[b]!;
        const v = trueValue([...must, j, k]);
        pair[j * n + k] = v.objective - base.objective - single[j]! - single[k]!;
        pairLift[j * n + k] = v.npsLift - base.npsLift - lift1[j]! - lift1[k]!;
      }
    // Every subset of the free initiatives, scored by the expansion; keep the leaders per budget level.
    const m = free.length;
    const leaders = budgets.map(() => [] as { mask: number; score: number }[]);
    const total = 1 << m;
    for (let mask = 0; mask < total; mask++) {
      let c = mustCost;
      let score = base.objective;
      let lift = base.npsLift;
      for (let a = 0; a < m; a++) {
        if (!(mask & (1 << a))) continue;
        const j = free[a]!;
        c += problem.costs[j]!;
        score += single[j]!;
        lift += lift1[j]!;
        for (let b = a + 1; b < m; b++)
          if (mask & (1 << b)) {
            score += pair[j * n + free[b]!]!;
            lift += pairLift[j * n + free[b]!]!;
          }
      }
      if (request.minNpsLift !== undefined && lift < request.minNpsLift - 1) continue; // re-checked exactly below
      for (let l = 0; l < budgets.length; l++) {
        if (c > budgets[l]! * (1 + 1e-12)) continue;
        const list = leaders[l]!;
        if (list.length < RESCORE || score > list[list.length - 1]!.score) {
          list.push({ mask, score });
          list.sort((x, y) => y.score - x.score);
          if (list.length > RESCORE) list.pop();
        }
      }
    }
    budgets.forEach((budget, l) => {
      for (const { mask } of leaders[l]!) {
        const subset = [...must, ...bitsOf(mask, m).map((a) => free[a]!)];
        const v = trueValue(subset);
        if (!feasible(v, budget)) continue;
        const best = bestAt.get(l);
        if (!best || v.objective > best.value.objective) bestAt.set(l, { subset, value: v });
      }
    });
  } else {
    method = 'greedy';
    budgets.forEach((budget, l) => {
      let chosen = [...must];
      let current = trueValue(chosen);
      for (;;) {
        let pick = -1;
        let pickRatio = 0;
        let pickValue: PortfolioValue | null = null;
        for (const j of free) {
          if (chosen.includes(j) || cost(chosen) + problem.costs[j]! > budget) continue;
          const v = trueValue([...chosen, j]);
          const gain = v.objective - current.objective;
          const ratio = gain / Math.max(problem.costs[j]!, 1e-9);
          if (gain > 0 && ratio > pickRatio) {
            pick = j;
            pickRatio = ratio;
            pickValue = v;
          }
        }
        if (pick < 0 || !pickValue) break;
        chosen = [...chosen, pick];
        current = pickValue;
      }
      // Single swaps: drop one, add one, while the value improves within the budget.
      let improved = true;
      while (improved) {
        improved = false;
        for (const out of chosen.filter((j) => !must.includes(j)))
          for (const into of free) {
            if (chosen.includes(into)) continue;
            const next = [...chosen.filter((j) => j !== out), into];
            if (cost(next) > budget) continue;
            const v = trueValue(next);
            if (v.objective > current.objective + 1e-9) {
              chosen = next;
              current = v;
              improved = true;
            }
          }
      }
      if (feasible(current, budget)) bestAt.set(l, { subset: chosen, value: current });
    });
  }

  const top = bestAt.get(budgets.length - 1);
  if (!top)
    return {
      ok: false,
      reason: 'infeasible',
      detail: request.minNpsLift !== undefined ? `No portfolio within the budget lifts NPS by ${request.minNpsLift} points or more.` : 'No portfolio fits the budget.',
    };
  // The frontier is monotone: a larger budget can always buy the smaller budget's portfolio.
  const frontier: OptimizeResult['frontier'] = [];
  let carry: { subset: number[]; value: PortfolioValue } | undefined;
  budgets.forEach((budget, l) => {
    const here = bestAt.get(l);
    if (here && (!carry || here.value.objective >= carry.value.objective)) carry = here;
    if (carry) frontier.push({ budget, objective: carry.value.objective, npsLift: carry.value.npsLift, cost: carry.value.cost, selected: [...carry.subset].sort((a, b) => a - b) });
  });
  const final = frontier[frontier.length - 1]!;
  return { ok: true, selected: final.selected, value: { objective: final.objective, npsLift: final.npsLift, cost: final.cost }, method, frontier, evaluations };
}
