/**
 * A real survey through the real upload path: the energy supplier's relationship-NPS survey
 * (10,408 respondents, drivers on 1–5 with many blanks) from `../shared/data/surveys/`, read from
 * there and never copied into the repository (its licence is not the project's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

export const SURVEYS_DIR = resolve(process.env.LIFTCAST_SURVEYS_DIR ?? '../shared/data/surveys');

const FUEL: Record<string, string> = { '1': 'electricity', '2': 'gas', '3': 'dual_fuel', '4': 'other' };
const PRODUCT = ['price', 'services_products', 'smart_tech', 'payment_options'];
const SERVICE = ['billing', 'customer_service', 'online_account', 'registration_process'];

export interface RealSurvey {
  csv: string;
  query: string;
  rows: number;
  /** NPS counted directly from the source file, to check the API's summary against. */
  expectedNps: number;
}

/** The energy survey mapped to Liftcast's columns, or null when the shared data is not beside the repo. */
export function energySurvey(): RealSurvey | null {
  const path = resolve(SURVEYS_DIR, 'energy_relationship.csv');
  if (!existsSync(path)) return null;
  const records = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const header = ['respondent_id', 'account_id', 'segment', 'wave', 'ltr', ...PRODUCT, ...SERVICE];
  const lines = [header.join(',')];
  let promoters = 0;
  let detractors = 0;
  for (const r of records) {
    const ltr = Number(r.ltr);
    if (ltr >= 9) promoters++;
    else if (ltr <= 6) detractors++;
    // A household is its own account in this consumer survey.
    lines.push([`E${r.response_id}`, `E${r.response_id}`, FUEL[r.fuel_type!] ?? 'other', `${r.year}-12-31`, r.ltr, ...PRODUCT.map((a) => r[a]), ...SERVICE.map((a) => r[a])].join(','));
  }
  return {
    csv: `${lines.join('\n')}\n`,
    query: `name=${encodeURIComponent('Energy relationship NPS 2021-2023')}&scale=1-5&product=${PRODUCT.join(',')}&service=${SERVICE.join(',')}`,
    rows: records.length,
    expectedNps: (100 * (promoters - detractors)) / records.length,
  };
}
