/**
 * One error family for every failure the application can report: one class per kind of failure,
 * carrying what the failure is about (the fields or rows at fault, the current version, how long to
 * wait) and never how it travels. Services and adapters throw these; `functions/http/problem.ts`
 * alone knows their HTTP status, problem type and headers, and a worker stores them as problems.
 */

/** A problem located at a field (dotted path) or at a row and column of an upload. */
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

export interface AppErrorOptions {
  cause?: unknown;
  errors?: ProblemDetailItem[];
  /** Members added to the problem a client sees (`modelId`, `errorCount`, …). */
  extensions?: Record<string, unknown>;
}

/**
 * A request-body path as the model layer writes it (`initiatives[2].effects[0].attribute`) in the
 * dotted form every problem uses (`body.initiatives.2.effects.0.attribute`).
 */
export function bodyPath(path: string): string {
  return `body.${path.replace(/\[(\d+)\]/g, '.$1')}`;
}

export abstract class AppError extends Error {
  /** A short, fixed sentence naming the kind of failure (the problem's `title`). */
  abstract readonly title: string;
  readonly errors: ProblemDetailItem[] | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
  }
}

/** The request (body, query, header or upload rows) breaks the contract. */
export class ValidationError extends AppError {
  readonly title = 'The request is not valid';
}
/** The body cannot be read at all (malformed JSON, not UTF-8). */
export class MalformedRequestError extends AppError {
  readonly title = 'The request body could not be read';
}
export class UnauthorizedError extends AppError {
  readonly title = 'Authentication required';
}
export class ForbiddenError extends AppError {
  readonly title = 'Not allowed';
}
export class NotFoundError extends AppError {
  readonly title = 'Not found';
}
/** The path exists, but not with this method. */
export class MethodNotAllowedError extends AppError {
  readonly title = 'Method not allowed';
  constructor(
    detail: string,
    /** The methods the path does answer. */
    readonly allowed: readonly string[],
    options: AppErrorOptions = {},
  ) {
    super(detail, options);
  }
}
/** The resource's state forbids the change (appending to a sealed wave, a concurrent write, a deleted dataset). */
export class ConflictError extends AppError {
  readonly title: string = 'Conflict with the current state';
}
/** The dataset some work depends on was deleted while it ran (a fit reading its respondents). */
export class DatasetGoneError extends ConflictError {
  override readonly title = 'The dataset is gone';
}
/** Work the request depends on (a forecast, a fit) is still being done; asking again later will do. */
export class PendingWorkError extends AppError {
  readonly title: string = 'Conflict with the current state';
  constructor(
    detail: string,
    /** Seconds worth waiting before asking again. */
    readonly retryAfterSeconds: number,
    options: AppErrorOptions = {},
  ) {
    super(detail, options);
  }
}
/** A change was based on a version that is no longer the latest. */
export class VersionConflictError extends AppError {
  readonly title = 'The resource has changed';
  constructor(
    detail: string,
    /** The latest version, so the client can read it again. */
    readonly currentVersion: number,
    options: AppErrorOptions = {},
  ) {
    super(detail, { ...options, extensions: { currentVersion, ...options.extensions } });
  }
}
/** A change needs the version it is based on, and none was named. */
export class PreconditionRequiredError extends AppError {
  readonly title = 'A precondition header is required';
}
/** The request is larger than one request may be (rows, bytes). */
export class RequestTooLargeError extends AppError {
  readonly title = 'The upload is too large';
}
export class UnsupportedMediaTypeError extends AppError {
  readonly title = 'Unsupported media type';
}
/** Well-formed but unusable: data that cannot support a model, a forecast that failed. */
export class UnprocessableError extends AppError {
  readonly title = 'The request cannot be processed';
}
/** A result too large to store (a model of hundreds of segments, a forecast of many initiatives). */
export class TooLargeError extends AppError {
  readonly title = 'The request cannot be processed';
}
/** An idempotency key reused with a different request. */
export class IdempotencyMismatchError extends AppError {
  readonly title = 'The request cannot be processed';
}
/** A dependency (DynamoDB, EventBridge) is throttling or unavailable; retrying may succeed. */
export class UnavailableError extends AppError {
  readonly title = 'Service temporarily unavailable';
  /** Seconds worth waiting before a retry, when known. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    detail: string,
    options: AppErrorOptions & {
      /** Seconds worth waiting before a retry, when known. */
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(detail, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
/** A fault on our side; its cause is logged, never shown. */
export class InternalError extends AppError {
  readonly title = 'Internal error';
}

/** What is stored on an item whose queued work could not be done: a title, a detail and the field at fault. */
export interface StoredProblem {
  title: string;
  detail: string;
  field?: string;
  errors?: ProblemDetailItem[];
}

/** Whether the failure is ours (a bug, a broken invariant) rather than the request's or its data's. */
export function isInternal(error: unknown): boolean {
  return !(error instanceof AppError) || error instanceof InternalError;
}
