/**
 * One error family for every failure the API can report. Each subclass is one kind of failure with
 * its HTTP status and RFC 9457 problem type; `functions/http/problem.ts` turns any of them into
 * `application/problem+json` in one place. 4xx details are shown to the client; a 5xx never shows
 * its cause (it is logged instead).
 */

/** A problem located at a field (JSON pointer-like path) or at a row and column of an upload. */
export interface ProblemDetailItem {
  /** Dotted path of the field at fault, e.g. `body.attributes.0.scale`. */
  field?: string;
  /** 1-based data row of an upload; null for a problem of the whole file. */
  row?: number | null;
  /** Physical line of a CSV file. */
  line?: number;
  column?: string;
  reason: string;
}

/**
 * A request-body path as the model layer writes it (`initiatives[2].effects[0].attribute`) in the
 * dotted form every problem uses (`body.initiatives.2.effects.0.attribute`).
 */
export function bodyPath(path: string): string {
  return `body.${path.replace(/\[(\d+)\]/g, '.$1')}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemDetailItem[];
  [extension: string]: unknown;
}

export abstract class ProblemError extends Error {
  abstract readonly status: number;
  /** Short slug of the problem type; the `type` URI is `/problems/<slug>`. */
  abstract readonly slug: string;
  abstract readonly title: string;
  readonly errors: ProblemDetailItem[] | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    detail: string,
    options: { cause?: unknown; errors?: ProblemDetailItem[]; extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** Whether the detail may be shown to the client (never for server faults). */
  get expose(): boolean {
    return this.status < 500;
  }

  toJSON(instance?: string): ProblemBody {
    return {
      type: `/problems/${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.expose ? this.message : 'The server could not complete the request. It has been logged.',
      ...(instance ? { instance } : {}),
      ...(this.expose && this.errors ? { errors: this.errors } : {}),
      ...(this.expose ? this.extensions : {}),
    };
  }
}

/** The request (body, query, header or upload rows) breaks the contract. */
export class ValidationError extends ProblemError {
  readonly status = 400;
  readonly slug = 'validation';
  readonly title = 'The request is not valid';
}
/** The body is not parseable at all (e.g. malformed JSON). */
export class MalformedRequestError extends ProblemError {
  readonly status = 400;
  readonly slug = 'malformed-request';
  readonly title = 'The request body could not be read';
}
export class UnauthorizedError extends ProblemError {
  readonly status = 401;
  readonly slug = 'unauthorized';
  readonly title = 'Authentication required';
  constructor(detail: string, options: ConstructorParameters<typeof ProblemError>[1] = {}) {
    super(detail, { ...options, headers: { 'WWW-Authenticate': 'Bearer realm="liftcast"', ...options.headers } });
  }
}
export class ForbiddenError extends ProblemError {
  readonly status = 403;
  readonly slug = 'forbidden';
  readonly title = 'Not allowed';
}
export class NotFoundError extends ProblemError {
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}
export class MethodNotAllowedError extends ProblemError {
  readonly status = 405;
  readonly slug = 'method-not-allowed';
  readonly title = 'Method not allowed';
}
/** The resource's state forbids the change (e.g. appending to a sealed dataset, a concurrent write). */
export class ConflictError extends ProblemError {
  readonly status = 409;
  readonly slug = 'conflict';
  readonly title = 'Conflict with the current state';
}
export class PreconditionFailedError extends ProblemError {
  readonly status = 412;
  readonly slug = 'precondition-failed';
  readonly title = 'The resource has changed';
}
export class PayloadTooLargeError extends ProblemError {
  readonly status = 413;
  readonly slug = 'payload-too-large';
  readonly title = 'The upload is too large';
}
export class UnsupportedMediaTypeError extends ProblemError {
  readonly status = 415;
  readonly slug = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}
/** Well-formed but semantically unusable (e.g. an idempotency key reused with another body). */
export class UnprocessableError extends ProblemError {
  readonly status = 422;
  readonly slug = 'unprocessable';
  readonly title = 'The request cannot be processed';
}
export class PreconditionRequiredError extends ProblemError {
  readonly status = 428;
  readonly slug = 'precondition-required';
  readonly title = 'A precondition header is required';
}
/** A fault on our side; its cause is logged, never shown. */
export class InternalError extends ProblemError {
  readonly status = 500;
  readonly slug = 'internal';
  readonly title = 'Internal error';
}
/** A dependency (DynamoDB) is throttling or unavailable; the client may retry. */
export class ServiceUnavailableError extends ProblemError {
  readonly status = 503;
  readonly slug = 'unavailable';
  readonly title = 'Service temporarily unavailable';
}

/** What a worker stores on an item when its work cannot be done: a title, a detail and the field at fault. */
export interface StoredProblem {
  title: string;
  detail: string;
  field?: string;
}

/**
 * How a worker settles a failure of its work: a transient one (DynamoDB or EventBridge unavailable)
 * is rethrown, so the event is retried; one the request or its data caused (a 4xx problem) is the
 * final outcome, returned as the problem to store; anything else is returned as `null`, for the
 * caller to log and store as unexpected.
 */
export function workerProblem(error: unknown): StoredProblem | null {
  if (error instanceof ServiceUnavailableError) throw error;
  if (!(error instanceof ProblemError) || error.status >= 500) return null;
  const field = error.errors?.find((e) => e.field !== undefined)?.field;
  return { title: error.title, detail: error.message, ...(field !== undefined ? { field } : {}) };
}
