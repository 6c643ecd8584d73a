/**
 * Building and editing scenarios without the DOM: an initiative from the editor's fields (every
 * problem named by its field, as the API names its own), the scenario with an initiative added,
 * replaced or removed, the `If-Match` of a save, and two versions' forecasts side by side. Tested
 * in test/unit/dashboardWork.test.ts.
 */
import { ApiError } from './api.js';
import { CHANGE_OPS, type ChangeOp, type Effect, type Forecast, type InitiativeInput, type Outcome, type ScenarioInput, type Target } from './contract.js';

/** An initiative id from its name: lower-case words joined by hyphens, as the API's slugs are. */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // the accents NFKD took apart: 'Crème' is 'creme', not 'cre-me'
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return s === '' ? 'initiative' : s;
}

/** The editor's fields of one effect, as typed. */
export interface EffectFields {
  attribute: string;
  op: string;
  value: string;
  rangeLow: string;
  rangeHigh: string;
}

/** The editor's fields of one initiative, as typed (numbers still text). */
export interface InitiativeFields {
  id: string;
  name: string;
  effects: EffectFields[];
  segments: string[];
  roles: string[];
  /** Reach in percent (0–100]. */
  reach: string;
  rampMonths: string;
  oneTime: string;
  annual: string;
  /** Not in the form, kept as read so that an edit does not drop them: the initiative's description… */
  description?: string;
  /** …and the accounts it targets. */
  accounts?: string[];
}

/** A field the editor could not take, named as the form names it. */
export interface FieldProblem {
  field: string;
  reason: string;
}

const numberOf = (text: string): number | null => {
  const t = text.trim().replace(/,/g, '');
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
};

const isOp = (v: string): v is ChangeOp => (CHANGE_OPS as readonly string[]).includes(v);

/**
 * The initiative the fields describe, or every problem with them (named `effects.0.value`,
 * `reach`, …): the API checks again, this only saves a round trip for what is plainly wrong.
 */
export function initiativeFrom(fields: InitiativeFields): { ok: true; initiative: InitiativeInput } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const name = fields.name.trim();
  if (name === '') problems.push({ field: 'name', reason: 'give the initiative a name' });
  const id = fields.id.trim() || slug(name);
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id)) problems.push({ field: 'id', reason: 'lower-case letters and digits joined by single hyphens' });
  const effects: Effect[] = [];
  if (fields.effects.length === 0) problems.push({ field: 'effects', reason: 'add at least one effect' });
  fields.effects.forEach((e, i) => {
    const value = numberOf(e.value);
    if (e.attribute === '') problems.push({ field: `effects.${i}.attribute`, reason: 'choose an attribute' });
    if (!isOp(e.op)) problems.push({ field: `effects.${i}.op`, reason: 'choose an operation' });
    if (value === null) problems.push({ field: `effects.${i}.value`, reason: 'a number' });
    const lo = numberOf(e.rangeLow);
    const hi = numberOf(e.rangeHigh);
    if ((lo === null) !== (hi === null)) problems.push({ field: `effects.${i}.range`, reason: 'give both ends of the range, or neither' });
    else if (lo !== null && hi !== null && lo > hi) problems.push({ field: `effects.${i}.range`, reason: 'the low end must not exceed the high end' });
    if (value !== null && isOp(e.op) && e.attribute !== '') effects.push({ attribute: e.attribute, op: e.op, value, ...(lo !== null && hi !== null && lo <= hi ? { range: [lo, hi] as [number, number] } : {}) });
  });
  const reach = numberOf(fields.reach);
  if (reach === null || reach <= 0 || reach > 100) problems.push({ field: 'reach', reason: 'a share of the targeted accounts above 0% and at most 100%' });
  const ramp = numberOf(fields.rampMonths);
  if (ramp === null || !Number.isInteger(ramp) || ramp < 0 || ramp > 120) problems.push({ field: 'rampMonths', reason: 'whole months from 0 to 120' });
  const oneTime = numberOf(fields.oneTime) ?? 0;
  const annual = numberOf(fields.annual) ?? 0;
  if (oneTime < 0) problems.push({ field: 'oneTime', reason: 'a cost cannot be negative' });
  if (annual < 0) problems.push({ field: 'annual', reason: 'a cost cannot be negative' });
  if (problems.length > 0) return { ok: false, problems };
  const target: Target = {};
  if (fields.segments.length > 0) target.segments = [...fields.segments];
  if (fields.roles.length > 0) target.roles = [...fields.roles];
  if (fields.accounts && fields.accounts.length > 0) target.accounts = [...fields.accounts];
  return {
    ok: true,
    initiative: {
      id,
      name,
      ...(fields.description ? { description: fields.description } : {}),
      effects,
      ...(target.segments || target.roles || target.accounts ? { target } : {}),
      reach: reach! / 100,
      rampMonths: ramp!,
      cost: { oneTime, annual },
    },
  };
}

/** The fields that show an initiative in the editor (reach in percent), with what the form does not show. */
export function fieldsOf(i: InitiativeInput): InitiativeFields {
  return {
    id: i.id,
    name: i.name,
    effects: i.effects.map((e) => ({ attribute: e.attribute, op: e.op, value: String(e.value), rangeLow: e.range ? String(e.range[0]) : '', rangeHigh: e.range ? String(e.range[1]) : '' })),
    segments: [...(i.target?.segments ?? [])],
    roles: [...(i.target?.roles ?? [])],
    reach: String(Number((i.reach * 100).toFixed(4))),
    rampMonths: String(i.rampMonths),
    oneTime: String(i.cost.oneTime),
    annual: String(i.cost.annual),
    ...(i.description !== undefined ? { description: i.description } : {}),
    ...(i.target?.accounts ? { accounts: [...i.target.accounts] } : {}),
  };
}

/**
 * The scenario with `initiative` in it: replacing the one with id `replacing` (its place kept), or
 * added at the end. An id another initiative already has is refused.
 */
export function withInitiative(s: ScenarioInput, initiative: InitiativeInput, replacing?: string): { ok: true; scenario: ScenarioInput } | { ok: false; problem: FieldProblem } {
  if (s.initiatives.some((i) => i.id === initiative.id && i.id !== replacing)) return { ok: false, problem: { field: 'id', reason: `another initiative is already called '${initiative.id}'` } };
  const at = replacing === undefined ? -1 : s.initiatives.findIndex((i) => i.id === replacing);
  const initiatives = at < 0 ? [...s.initiatives, initiative] : s.initiatives.map((i, k) => (k === at ? initiative : i));
  return { ok: true, scenario: { ...s, initiatives } };
}

/** The scenario without the initiative `id`. */
export function withoutInitiative(s: ScenarioInput, id: string): ScenarioInput {
  return { ...s, initiatives: s.initiatives.filter((i) => i.id !== id) };
}

/** A new scenario on `modelId`: the API's defaults written out, no initiatives yet. */
export function newScenario(name: string, modelId: string, currency = 'USD'): ScenarioInput {
  return { name, modelId, currency, horizonYears: 3, discountRate: 0.08, intervalLevel: 0.9, initiatives: [] };
}

/** The `If-Match` of a save based on version `n`: its ETag, quoted. */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

/** True when a save was refused because the scenario changed elsewhere since it was read (412). */
export function isChangedElsewhere(e: unknown): e is ApiError {
  return e instanceof ApiError && e.status === 412;
}

/** One row of two versions side by side: an initiative (or the portfolio) in each, `null` where absent. */
export interface SideBySideRow {
  id: string;
  name: string;
  a: Outcome | null;
  b: Outcome | null;
}

/** Two forecasts' initiatives side by side, matched by id (a's order, then b's new ones), the portfolio last. */
export function sideBySide(a: Forecast, b: Forecast): SideBySideRow[] {
  const rows = new Map<string, SideBySideRow>();
  for (const o of a.initiatives) rows.set(o.id, { id: o.id, name: o.name, a: o, b: null });
  for (const o of b.initiatives) {
    const row = rows.get(o.id);
    if (row) rows.set(o.id, { ...row, name: o.name, b: o });
    else rows.set(o.id, { id: o.id, name: o.name, a: null, b: o });
  }
  return [...rows.values(), { id: '', name: 'Portfolio', a: a.portfolio, b: b.portfolio }];
}
