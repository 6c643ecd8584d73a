/**
 * The single place where failures become HTTP responses: every error, ours or a framework's, leaves
 * as RFC 9457 `application/problem+json`. 5xx bodies are generic; their cause goes to the log.
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, ConflictError, ForbiddenError, IdempotencyMismatchError, InternalError, MalformedRequestError, MethodNotAllowedError, NotFoundError, PendingWorkError, PreconditionRequiredError, RequestTooLargeError, TooLargeError, UnauthorizedError, UnavailableError, UnprocessableError, UnsupportedMediaTypeError, ValidationError, VersionConflictError, type ProblemDetailItem } from '../app/errors.js';
import type { Logger } from '../log.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** How one kind of failure travels over HTTP: its status, its problem type and any headers it sets. */
interface HttpMapping {
  status: number;
  /** The problem `type` is `/problems/<slug>`. */
  slug: string;
  headers?: (error: never) => Record<string, string>;
}

/**
 * Every application error's HTTP form, in one table (checked in order: subclasses before their
 * parents). A kind missing here is a 500.
 */
const MAPPINGS: readonly (readonly [abstract new (...args: never[]) => AppError, HttpMapping])[] = [
  [ValidationError, { status: 400, slug: 'validation' }],
  [MalformedRequestError, { status: 400, slug: 'malformed-request' }],
  [UnauthorizedError, { status: 401, slug: 'unauthorized', headers: () => ({ 'WWW-Authenticate': 'Bearer realm="liftcast"' }) }],
  [ForbiddenError, { status: 403, slug: 'forbidden' }],
  [NotFoundError, { status: 404, slug: 'not-found' }],
  [MethodNotAllowedError, { status: 405, slug: 'method-not-allowed', headers: (e: MethodNotAllowedError) => ({ Allow: e.allowed.join(', ') }) }],
  [PendingWorkError, { status: 409, slug: 'conflict', headers: (e: PendingWorkError) => ({ 'Retry-After': String(e.retryAfterSeconds) }) }],
  [ConflictError, { status: 409, slug: 'conflict' }],
  [VersionConflictError, { status: 412, slug: 'precondition-failed', headers: (e: VersionConflictError) => ({ ETag: `"${e.currentVersion}"` }) }],
  [RequestTooLargeError, { status: 413, slug: 'payload-too-large' }],
  [UnsupportedMediaTypeError, { status: 415, slug: 'unsupported-media-type' }],
  [UnprocessableError, { status: 422, slug: 'unprocessable' }],
  [TooLargeError, { status: 422, slug: 'unprocessable' }],
  [IdempotencyMismatchError, { status: 422, slug: 'unprocessable' }],
  [PreconditionRequiredError, { status: 428, slug: 'precondition-required' }],
  [UnavailableError, { status: 503, slug: 'unavailable', headers: (e: UnavailableError): Record<string, string> => (e.retryAfterSeconds !== undefined ? { 'Retry-After': String(e.retryAfterSeconds) } : {}) }],
  [InternalError, { status: 500, slug: 'internal' }],
];

const INTERNAL: HttpMapping = { status: 500, slug: 'internal' };

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemDetailItem[];
  [extension: string]: unknown;
}

/** The HTTP form of an application error. */
export function httpOf(error: AppError): HttpMapping {
  return MAPPINGS.find(([kind]) => error instanceof kind)?.[1] ?? INTERNAL;
}

/**
 * The RFC 9457 body of an error: 4xx details are shown to the client; a 5xx never shows its cause
 * (it is logged instead).
 */
export function problemBody(error: AppError, instance?: string): ProblemBody {
  const { status, slug } = httpOf(error);
  const expose = status < 500;
  return {
    type: `/problems/${slug}`,
    title: error.title,
    status,
    detail: expose ? error.message : 'The server could not complete the request. It has been logged.',
    ...(instance ? { instance } : {}),
    ...(expose && error.errors ? { errors: error.errors } : {}),
    ...(expose ? error.extensions : {}),
  };
}

export function problemResponse(c: Context, error: AppError): Response {
  const mapping = httpOf(error);
  const body = problemBody(error, c.req.path);
  // A new Response drops the headers middleware set on the context: carry the request id over.
  const id = (c.var as { requestId?: string }).requestId;
  return new Response(JSON.stringify(body), {
    status: mapping.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...(id ? { 'x-request-id': id } : {}), ...(mapping.headers?.(error as never) ?? {}) },
  });
}

/** Maps anything thrown to an {@link AppError}. */
export function toProblem(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    // Hono's own failures: body parsing, media type gate, body limit.
    const message = err.message || 'Request failed';
    switch (err.status) {
      case 400:
        return /json/i.test(message)
          ? new MalformedRequestError('The body is not valid JSON.', { cause: err })
          : new ValidationError(message, { cause: err });
      case 413:
        return new RequestTooLargeError(message, { cause: err });
      case 415:
        return new UnsupportedMediaTypeError('Send application/json or text/csv.', { cause: err });
      default:
        if (err.status < 500) return new ValidationError(message, { cause: err });
    }
  }
  return new InternalError('Unhandled error', { cause: err });
}

/**
 * Installs the error handler and the 404/405 handler. A path that exists with other methods answers
 * 405 with an `Allow` header rather than 404.
 */
export function installProblemHandling(app: Hono<any>, logger: Logger): void {
  app.onError((err, c) => {
    const problem = toProblem(err);
    if (httpOf(problem).status >= 500)
      logger.log('error', 'request failed', { method: c.req.method, path: c.req.path, requestId: (c.var as { requestId?: string }).requestId, error: err });
    return problemResponse(c, problem);
  });
  app.notFound((c) => {
    const allowed = new Set<string>();
    for (const r of app.routes) {
      if (r.method === 'ALL' || !routeMatches(r.path, c.req.path)) continue;
      allowed.add(r.method);
    }
    if (allowed.size > 0) {
      if (allowed.has('GET')) allowed.add('HEAD');
      return problemResponse(
        c,
        new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path}; use ${[...allowed].join(', ')}.`, [...allowed]),
      );
    }
    return problemResponse(c, new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`));
  });
}

function routeMatches(pattern: string, path: string): boolean {
  if (pattern.includes('*')) return false;
  const re = new RegExp(
    `^${pattern
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}/?$`,
  );
  return re.test(path);
}
