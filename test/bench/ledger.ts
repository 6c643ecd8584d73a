/**
 * The forecast ledger's evaluation at scale: two known-truth waves of about 200,000 respondents each
 * (test/support/twoWaves.ts: the same accounts, churn, drift, a mix shift) and 20 launches — the
 * generator's four (segment × role, a segment's role, named accounts) plus sixteen pilots, each in
 * its own 2 % of the accounts, staggered over the months between the waves — read as the worker
 * reads them on `DatasetIngested`: both waves through the model's columns (`buildPopulation`), then
 * each launch's difference-in-differences against all the others (`realisedLift`). The DynamoDB read
 * of the new wave is the "read back" line of the benchmark table.
 */
import { buildPopulation } from '../../model/drivers/population.js';
import type { LaunchSpec } from '../../model/ledger/contract.js';
import { realisedLift } from '../../model/ledger/realised.js';
import { createRng } from '../../model/rng.js';
import { FAMILIES } from '../support/truthFamily.js';
import { AFTER_DATE, BEFORE_DATE, twoWaves } from '../support/twoWaves.js';

export interface LedgerBenchResult {
  respondents: { before: number; after: number };
  launches: number;
  evaluated: number;
  populationsMs: number;
  evaluateMs: number;
}

export function benchLedger(accounts = 72_000, seed = 1201): LedgerBenchResult {
  const w = twoWaves(seed, accounts, FAMILIES.rich);
  const rng = createRng(seed);
  const ids = [...new Set(w.before.accountId)];
  const pilots: LaunchSpec[] = Array.from({ length: 16 }, (_, p) => {
    const month = String(2 + (p % 5)).padStart(2, '0');
    const listed = ids.filter(() => rng.next() < 0.02);
    return { id: `pilot-${p}`, initiativeId: `pilot-${p}`, launchedOn: `2026-${month}-1${p % 9}`, endedOn: null, reached: { accounts: listed } };
  });
  const launches: LaunchSpec[] = [...w.launches, ...pilots];
  const t0 = performance.now();
  const b = buildPopulation(w.attributes, [w.before], { segmentBy: ['segment', 'role'] });
  const a = buildPopulation(w.attributes, [w.after], { segmentBy: ['segment', 'role'] });
  if (!b.ok || !a.ok) throw new Error('the ledger benchmark could not build its populations');
  const t1 = performance.now();
  let evaluated = 0;
  for (const l of launches) if (realisedLift(b.population, a.population, l, launches, { beforeDate: BEFORE_DATE, afterDate: AFTER_DATE }).ok) evaluated++;
  const t2 = performance.now();
  return { respondents: { before: w.before.respondentId.length, after: w.after.respondentId.length }, launches: launches.length, evaluated, populationsMs: t1 - t0, evaluateMs: t2 - t1 };
}
