/**
 * The dashboard's client of the Liftcast API: every call carries the user's bearer token, and every
 * failure becomes one {@link ApiError} whose message is the server's own `detail` (problem+json),
 * so each panel can say why it is empty. No DOM here: the session is told about a refused token
 * through `onUnauthorized`, and tests drive the client with a fake `fetch`.
 */
import type { Problem } from './contract.js';

/** A failed call: the HTTP status (0 when the server never answered), its title and the reason. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly title: string;
  /** Seconds the server asked to wait (`Retry-After`), 0 when it did not say. */
  readonly retryAfter: number;
  /** The problem the server answered (row errors, `currentVersion` of a 412 …); `{}` when there was none. */
  readonly problem: Problem;

  constructor(status: number, title: string, detail?: string, retryAfter = 0, problem: Problem = {}) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.retryAfter = retryAfter;
    this.problem = problem;
  }
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as this text with `csv`'s media type (a wave's rows), instead of `body`. */
  csv?: string;
  /** More request headers (`If-Match`, `Idempotency-Key`, `Accept`). */
  headers?: Readonly<Record<string, string>>;
}

export interface ApiClientOptions {
  /** The bearer token of the signed-in user, read at each call (sign-in and sign-out change it). */
  token: () => string | null;
  /** Called before the error is thrown when the server answers 401: the token is no good. */
  onUnauthorized: (error: ApiError) => void;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Calls one path of the API and resolves to its JSON body (`null` for an empty one). */
export interface Api {
  <T>(path: string, init?: ApiRequest): Promise<T>;
  /** The same call for a file (a workbook): the body as a Blob, and the file name the server gave it. */
  file(path: string, init?: ApiRequest): Promise<{ blob: Blob; filename: string | null }>;
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The API client. Resolves to the parsed body of a 2xx answer; rejects with an {@link ApiError}:
 * status 0 "Network error" when the request never got an answer, otherwise the answer's status,
 * its problem title (or the status text) and its detail (or title, or `HTTP <status>`).
 *
 * @example
 * const api = createApi({ token: () => state.token, onUnauthorized: (e) => signOut(e.message) });
 * const list = await api<Page<ScenarioSummary>>('/v1/scenarios?limit=100');
 */
export function createApi(options: ApiClientOptions): Api {
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const call = async (path: string, init: ApiRequest): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${options.token() ?? ''}`, ...init.headers };
    let body: string | undefined;
    if (init.csv !== undefined) {
      headers['content-type'] = 'text/csv';
      body = init.csv;
    } else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    let res: Response;
    try {
      res = await send(path, { method: init.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
    } catch (e) {
      throw new ApiError(0, 'Network error', `The server did not answer (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (res.ok) return res;
    const raw = await res.text();
    let parsed: unknown = null;
    try {
      parsed = raw ? JSON.parse(raw) : null;
    } catch {
      parsed = null; // not JSON (a proxy's HTML error page): the status says what happened
    }
    const problem = isProblem(parsed) ? parsed : {};
    const detail = text(problem.detail) ?? text(problem.title) ?? `HTTP ${res.status}`;
    const error = new ApiError(res.status, text(problem.title) ?? res.statusText, detail, Number(res.headers.get('retry-after')) || 0, problem);
    if (res.status === 401) options.onUnauthorized(error);
    throw error;
  };
  const api = async <T>(path: string, init: ApiRequest = {}): Promise<T> => {
    const raw = await (await call(path, init)).text();
    try {
      // The API's own answers, typed by its OpenAPI document (see contract.ts): trusted, not re-validated.
      return (raw ? JSON.parse(raw) : null) as T;
    } catch {
      return null as T;
    }
  };
  return Object.assign(api, {
    async file(path: string, init: ApiRequest = {}) {
      const res = await call(path, init);
      const disposition = res.headers.get('content-disposition') ?? '';
      return { blob: await res.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? null };
    },
  });
}

/** The path of a scenario's resource: `/v1/scenarios/<id, percent-encoded><suffix>`. */
export function scenarioPath(id: string, suffix = ''): string {
  return `/v1/scenarios/${encodeURIComponent(id)}${suffix}`;
}
