/**
 * "How the model was chosen", read from the model document's free-form `structure`: the chosen
 * grouping, and the candidates each stage of the search compared (noise link, grouping structure,
 * curves and interactions, cut-specific slopes) with the figure it compared them by and which were
 * kept; then the interactions kept. Pure, so that test/unit/dashboardCurves.test.ts can check it.
 *
 * `structure` differs by method and version, so it is read field by field from `unknown`:
 * - ordinal since version 2: `chosen`, `noise`, `chosenBy`, `candidates: [{ stage, label, cvDeviance, deviance?, cvRmse, chosen }]`;
 * - ordinal version 1: `chosen`, `candidates: [{ structure, pooling, cvDeviance, cvRmse }]` (no stage, no flag:
 *   the chosen one is the one named by `chosen`);
 * - linear (`ols`, `ridge`): no candidates, so nothing to list.
 */
import type { DriverModel } from './contract.js';
import { finite, fixed, humanise, signed } from './format.js';

/** One candidate of a stage. */
export interface ChoiceCandidate {
  label: string;
  /** Deviance per respondent it was compared by (lower is better), or `null` when it has none. */
  deviance: number | null;
  /** `true` when `deviance` is held out (cross-validation), `false` when in-sample (the noise links). */
  heldOut: boolean;
  chosen: boolean;
}

export interface ChoiceStage {
  /** The stage as the model names it (`noise`, `structure`, `shape`, `cut-specific`). */
  stage: string;
  title: string;
  /** What its figures are, in words. */
  criterion: string;
  candidates: ChoiceCandidate[];
}

export interface ChoiceInteraction {
  label: string;
  estimate: number;
  stdError: number;
}

export interface ModelChoice {
  /** The chosen grouping structure (`segment × role`), when the document names one. */
  chosen: string | null;
  /** The noise distribution (`logit`, `probit`, …), when the document names one. */
  noise: string | null;
  /**
   * The document's own words for how each stage chose (`chosenBy`): a rule may prefer a simpler
   * candidate to one with a slightly lower deviance (the one-standard-error rule).
   */
  rule: string | null;
  stages: ChoiceStage[];
  /** The interactions kept; `null` when the document does not say (before version 2). */
  interactions: ChoiceInteraction[] | null;
}

const STAGE_TITLES = new Map([
  ['noise', 'Noise distribution'],
  ['structure', 'Grouping structure'],
  ['shape', 'Curves and interactions'],
  ['cut-specific', 'Cut-specific slopes'],
]);

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function candidateOf(raw: unknown, chosenLabel: string | null): (ChoiceCandidate & { stage: string }) | null {
  if (!isRecord(raw)) return null;
  // Version 1 named the candidate `structure`, and flagged none: the chosen one is the one named by `chosen`.
  const label = text(raw['label']) ?? text(raw['structure']);
  if (label === null) return null;
  const cv = raw['cvDeviance'];
  const inSample = raw['deviance'];
  const heldOut = finite(cv);
  return {
    stage: text(raw['stage']) ?? 'structure',
    label,
    deviance: heldOut ? cv : finite(inSample) ? inSample : null,
    heldOut,
    chosen: typeof raw['chosen'] === 'boolean' ? raw['chosen'] : label === chosenLabel,
  };
}

function criterionOf(candidates: readonly ChoiceCandidate[]): string {
  const withFigure = candidates.filter((c) => c.deviance !== null);
  if (!withFigure.length) return 'not compared by deviance';
  if (withFigure.every((c) => c.heldOut)) return 'held-out deviance per respondent (cross-validation; lower fits better)';
  if (withFigure.every((c) => !c.heldOut)) return 'in-sample deviance per respondent (lower fits better)';
  return 'deviance per respondent, held out where cross-validated (lower fits better)';
}

/**
 * The model's search as a list, stages in the order the search ran them; `null` when the document
 * lists no candidates (a linear model).
 *
 * @param labels the dataset's attribute labels, by attribute name (for the interactions)
 */
export function modelChoice(model: DriverModel, labels: ReadonlyMap<string, string>): ModelChoice | null {
  const s = model.structure;
  const raw = s ? s['candidates'] : undefined;
  if (!s || !Array.isArray(raw)) return null;
  const chosen = text(s['chosen']);
  const stages = new Map<string, ChoiceCandidate[]>();
  for (const item of raw) {
    const c = candidateOf(item, chosen);
    if (!c) continue;
    const { stage, ...candidate } = c;
    const list = stages.get(stage) ?? [];
    list.push(candidate);
    stages.set(stage, list);
  }
  if (!stages.size) return null;
  const name = (a: string): string => labels.get(a) || humanise(a);
  return {
    chosen,
    noise: text(s['noise']),
    rule: text(s['chosenBy']),
    stages: [...stages].map(([stage, candidates]) => ({ stage, title: STAGE_TITLES.get(stage) ?? humanise(stage), criterion: criterionOf(candidates), candidates })),
    interactions: model.interactions
      ? model.interactions.map((i) => ({ label: `${name(i.attributes[0])} \u00d7 ${name(i.attributes[1])}`, estimate: i.estimate, stdError: i.stdError }))
      : null,
  };
}

/** A candidate's figure as the list writes it: three decimals, or an en dash when it has none. */
export function devianceText(c: ChoiceCandidate): string {
  return fixed(c.deviance, 3);
}

/** An interaction as the list writes it: `Ease of use × Onboarding: +0.120 (standard error 0.030)`. */
export function interactionText(i: ChoiceInteraction): string {
  return `${i.label}: ${signed(i.estimate, 3)} (standard error ${fixed(i.stdError, 3)})`;
}

/** The line above the stages: the chosen structure and noise, in words. */
export function choiceSummary(choice: ModelChoice): string {
  const parts = [choice.chosen ? `grouping \u201c${choice.chosen}\u201d` : null, choice.noise ? `${choice.noise} noise` : null].filter((p) => p !== null);
  return parts.length ? `Chosen: ${parts.join(', ')}.` : 'The document does not name the chosen structure.';
}

/** The rule the document says chose each stage, as a sentence; `null` when it says none. */
export function ruleText(choice: ModelChoice): string | null {
  return choice.rule ? `How: ${choice.rule}.` : null;
}
