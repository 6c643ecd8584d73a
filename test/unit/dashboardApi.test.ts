/**
 * The dashboard's API client (web/src/api.ts) with a fake `fetch`: what it sends, and how each kind
 * of failure reaches the panels as one ApiError carrying the server's reason.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, createApi, scenarioPath, type ApiClientOptions } from '../../web/src/api.js';

interface Sent {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A client whose fetch answers `respond(request)` and records what was sent and every 401 reported. */
function clientWith(respond: (sent: Sent) => Response | Promise<Response>, token: string | null = 'tok.en') {
  const sent: Sent[] = [];
  const unauthorized: ApiError[] = [];
  const fetch: ApiClientOptions['fetch'] = async (input, init) => {
    const request: Sent = {
      path: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    sent.push(request);
    return respond(request);
  };
  const api = createApi({ token: () => token, onUnauthorized: (e) => unauthorized.push(e), fetch });
  return { api, sent, unauthorized };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('createApi', () => {
  it('sends the bearer token and asks for JSON; a body goes as JSON with its content type', async () => {
    // Prepare
    const { api, sent } = clientWith(() => json(200, { ok: true }));

    // Act
    const got = await api<{ ok: boolean }>('/v1/scenarios?limit=100');
    await api('/v1/scenarios/s1/optimize', { method: 'POST', body: { budget: 5, objective: 'npv' } });

    // Assess
    expect(got).toEqual({ ok: true });
    expect(sent[0]).toEqual({ path: '/v1/scenarios?limit=100', method: 'GET', headers: { accept: 'application/json', authorization: 'Bearer tok.en' }, body: undefined });
    expect(sent[1]).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"budget":5,"objective":"npv"}' });
  });

  it('resolves to null for an empty answer', async () => {
    const { api } = clientWith(() => new Response(null, { status: 204 }));

    await expect(api('/v1/datasets/x', { method: 'POST' })).resolves.toBeNull();
  });

  it('turns a problem+json answer into an ApiError with its status, title and detail', async () => {
    const { api, unauthorized } = clientWith(() =>
      json(409, { type: '/problems/conflict', title: 'Forecast pending', detail: 'The forecast of version 2 is being computed.' }, { 'retry-after': '3' }),
    );

    const error = await api('/v1/scenarios/s1/forecast').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: 'ApiError', status: 409, title: 'Forecast pending', message: 'The forecast of version 2 is being computed.', retryAfter: 3 });
    expect(unauthorized).toEqual([]);
  });

  it('falls back to the title, then to the status, when the answer says less', async () => {
    const { api } = clientWith((sent) =>
      sent.path === '/title-only' ? json(404, { title: 'Not found' }) : new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );

    await expect(api('/title-only')).rejects.toMatchObject({ status: 404, title: 'Not found', message: 'Not found', retryAfter: 0 });
    await expect(api('/html')).rejects.toMatchObject({ status: 502, title: 'Bad Gateway', message: 'HTTP 502' });
  });

  it('reports a refused token before rejecting, so the page can ask for another', async () => {
    const { api, unauthorized } = clientWith(() => json(401, { title: 'Authentication required', detail: 'The token has expired.' }));

    await expect(api('/v1/scenarios')).rejects.toMatchObject({ status: 401, message: 'The token has expired.' });
    expect(unauthorized.map((e) => e.message)).toEqual(['The token has expired.']);
  });

  it('says the server did not answer when the request fails on the way (status 0)', async () => {
    const { api } = clientWith(() => {
      throw new TypeError('Failed to fetch');
    });

    await expect(api('/v1/scenarios')).rejects.toMatchObject({ status: 0, title: 'Network error', message: 'The server did not answer (Failed to fetch).' });
  });

  it('reads the token at each call: after sign-out nothing is sent with the old one', async () => {
    let token: string | null = 'first';
    const sent: string[] = [];
    const api = createApi({
      token: () => token,
      onUnauthorized: () => undefined,
      fetch: async (_input, init) => {
        sent.push((init?.headers as Record<string, string>).authorization ?? '');
        return json(200, {});
      },
    });

    await api('/a');
    token = null;
    await api('/b');

    expect(sent).toEqual(['Bearer first', 'Bearer ']);
  });
});

describe('scenarioPath', () => {
  it('percent-encodes the id, whatever the tenant called it', () => {
    expect(scenarioPath('scn_1', '/ranking?by=roi')).toBe('/v1/scenarios/scn_1/ranking?by=roi');
    expect(scenarioPath('a/b?c#d')).toBe('/v1/scenarios/a%2Fb%3Fc%23d');
    expect(scenarioPath('__proto__', '/forecast')).toBe('/v1/scenarios/__proto__/forecast');
  });
});
