/**
 * How a {@link ModelFailure} of the model layer becomes a problem a client can act on: 400 for a
 * request naming what does not exist or asking what cannot be, 422 for data that cannot support the
 * model; each attribute or segment at fault listed with the request field it came from.
 */
import type { Attribute } from '../../../model/dataset.js';
import { groupColumns, type ModelFailure, type ModelRequest, type SegmentBy, type WhatIf } from '../../../model/drivers/contract.js';
import { bodyPath, UnprocessableError, ValidationError, type AppError, type ProblemDetailItem } from '../errors.js';

/** Unknown or repeated attribute names in a request: a 400 naming each, before anything is written. */
export function checkAttributes(datasetAttributes: readonly Attribute[], request: ModelRequest): void {
  if (datasetAttributes.length === 0)
    throw new UnprocessableError(`Dataset '${request.datasetId}' has no attribute ratings, so there is nothing to model.`);
  if (!request.attributes) return;
  const names = new Set(datasetAttributes.map((a) => a.name));
  const errors: ProblemDetailItem[] = [];
  request.attributes.forEach((name, i) => {
    if (!names.has(name)) errors.push({ field: `body.attributes.${i}`, reason: `the dataset has no attribute '${name}'; it has ${[...names].join(', ')}` });
    else if (request.attributes!.indexOf(name) !== i) errors.push({ field: `body.attributes.${i}`, reason: `'${name}' is listed twice` });
  });
  if (errors.length > 0) throw new ValidationError(`The request names ${errors.length === 1 ? 'an attribute' : 'attributes'} the model cannot use.`, { errors });
}

/** Why each failure reason makes an attribute or segment unusable, for the problem's `errors`. */
const ATTRIBUTE_REASONS: Partial<Record<ModelFailure['reason'], (name: string) => string>> = {
  'unknown-attribute': (n) => `there is no attribute '${n}'`,
  'constant-attribute': (n) => `every respondent gave '${n}' the same rating, so its effect cannot be estimated; leave it out of attributes`,
  'unanswered-attribute': (n) => `no respondent answered '${n}'; leave it out of attributes`,
  singular: (n) => `'${n}' is a linear combination of other attributes; leave one of them out`,
};

/** Failures caused by the request itself (a name or value that cannot be), not by the data: 400. */
const REQUEST_FAILURES: ReadonlySet<ModelFailure['reason']> = new Set(['unknown-attribute', 'unknown-level', 'invalid-change', 'unsupported-structure']);

/**
 * Maps a {@link ModelFailure} to a problem: 400 for a request naming what does not exist or asking
 * what cannot be, 422 for data that cannot support the model. Each attribute or segment at fault is
 * listed, with the request field it came from when the request named it.
 */
export function failureProblem(
  failure: ModelFailure,
  context: { segmentBy: SegmentBy; request?: ModelRequest; whatIf?: WhatIf },
  extensions: Record<string, unknown> = {},
): AppError {
  const errors: ProblemDetailItem[] = [];
  const { request, whatIf } = context;
  // Segment problems concern the first grouping column (imputation and the size check follow it).
  const column = groupColumns(context.segmentBy)[0] ?? 'none';
  if (failure.field !== undefined) {
    const column = failure.attributes?.length === 1 ? { column: failure.attributes[0]! } : {};
    errors.push({ field: bodyPath(failure.field), ...column, reason: failure.detail });
  } else {
    for (const name of failure.attributes ?? []) {
      const reason = ATTRIBUTE_REASONS[failure.reason]?.(name) ?? `'${name}': ${failure.detail}`;
      const located = whatIf ? whatIfFields(whatIf, name) : [];
      const i = request?.attributes?.indexOf(name) ?? -1;
      if (located.length > 0) for (const field of located) errors.push({ field, column: name, reason });
      else errors.push({ field: i >= 0 ? `body.attributes.${i}` : 'body.attributes', column: name, reason });
    }
    for (const name of failure.segments ?? []) {
      const reason =
        failure.reason === 'small-segment'
          ? `${column} '${name}' has fewer respondents than options.minSegmentSize (${request?.options.minSegmentSize ?? 'the minimum'}); fit with segmentBy 'none' or a smaller options.minSegmentSize`
          : `${column} '${name}': ${failure.detail}`;
      errors.push({ field: 'body.segmentBy', column, reason });
    }
  }
  if (failure.reason === 'constant-ltr') errors.push({ column: 'ltr', reason: 'every respondent gave the same likelihood to recommend, so nothing can explain it' });
  if (errors.length === 0) errors.push({ reason: failure.detail });
  const options = { errors, extensions: { failure: failure.reason, ...extensions } };
  return REQUEST_FAILURES.has(failure.reason) ? new ValidationError(failure.detail, options) : new UnprocessableError(failure.detail, options);
}

/** The changes of a what-if that name an attribute. */
function whatIfFields(whatIf: WhatIf, name: string): string[] {
  return whatIf.changes.flatMap((c, i) => (c.attribute === name ? [`body.changes.${i}.attribute`] : []));
}

