/**
 * The single place where failures become HTTP responses: every error, ours or a framework's, leaves
 * as RFC 9457 `application/problem+json`. 5xx bodies are generic; their cause goes to the log.
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  InternalError,
  MalformedRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  ProblemError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import type { Logger } from '../log.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(c: Context, error: ProblemError): Response {
  const body = error.toJSON(c.req.path);
  // A new Response drops the headers middleware set on the context: carry the request id over.
  const id = (c.var as { requestId?: string }).requestId;
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...(id ? { 'x-request-id': id } : {}), ...error.headers },
  });
}

/** Maps anything thrown to a {@link ProblemError}. */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof HTTPException) {
    // Hono's own failures: body parsing, media type gate, body limit.
    const message = err.message || 'Request failed';
    switch (err.status) {
      case 400:
        return /json/i.test(message)
          ? new MalformedRequestError('The body is not valid JSON.', { cause: err })
          : new ValidationError(message, { cause: err });
      case 413:
        return new PayloadTooLargeError(message, { cause: err });
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
    if (problem.status >= 500)
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
        new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path}; use ${[...allowed].join(', ')}.`, {
          headers: { Allow: [...allowed].join(', ') },
        }),
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
