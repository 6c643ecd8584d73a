/**
 * Who is calling, and for which tenant. Locally the app verifies HS256 bearer tokens itself; in AWS
 * the API Gateway JWT authorizer has already verified the token and the app reads the same claims
 * from the request context. Either way the handlers see one {@link Identity}, and the tenant in it
 * prefixes every storage key.
 */
import { createMiddleware } from 'hono/factory';
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../app/errors.js';

export const SCOPES = ['read', 'datasets:write', 'models:write', 'scenarios:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** Tenant ids end up inside storage keys, so they may not contain the key separator. */
export const TenantIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'tenant must be 1–64 letters, digits, _ or -');

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  tenant: TenantIdSchema,
  scope: z.string().default(''),
});

export interface Identity {
  subject: string;
  tenant: string;
  scopes: ReadonlySet<string>;
}

export type AuthSettings = { mode: 'local'; secret: string } | { mode: 'gateway' };

export const LOCAL_ISSUER = 'liftcast-local';
export const LOCAL_AUDIENCE = 'liftcast';

export type IdentityEnv = { Variables: { identity: Identity } };

function identityFrom(claims: unknown): Identity {
  const parsed = ClaimsSchema.safeParse(claims);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: `token.${i.path.join('.')}`, reason: i.message }));
    throw new UnauthorizedError('The token does not carry valid Liftcast claims (sub, tenant, scope).', { errors: fields });
  }
  return {
    subject: parsed.data.sub,
    tenant: parsed.data.tenant,
    scopes: new Set(parsed.data.scope.split(/\s+/).filter(Boolean)),
  };
}

/** Claims that API Gateway's JWT authorizer puts in an HTTP API (v2) event. */
function gatewayClaims(env: unknown): unknown {
  const Event = z.object({
    event: z.object({ requestContext: z.object({ authorizer: z.object({ jwt: z.object({ claims: z.record(z.string(), z.unknown()) }) }) }) }),
  });
  const parsed = Event.safeParse(env);
  return parsed.success ? parsed.data.event.requestContext.authorizer.jwt.claims : undefined;
}

/** Middleware that authenticates every request it guards and stores the identity in the context. */
export function authenticate(settings: AuthSettings) {
  return createMiddleware<IdentityEnv>(async (c, next) => {
    if (settings.mode === 'gateway') {
      const claims = gatewayClaims(c.env);
      if (claims === undefined) throw new UnauthorizedError('No verified token claims in the request context.');
      c.set('identity', identityFrom(claims));
      return next();
    }
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('Send a bearer token: Authorization: Bearer <token> (npm run token prints one).');
    let claims: unknown;
    try {
      claims = await verify(match[1]!, settings.secret, { alg: 'HS256', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE });
    } catch (cause) {
      throw new UnauthorizedError('The bearer token is invalid or expired.', { cause });
    }
    // hono checks `exp` only when present: a token without one would never expire.
    const exp = (claims as { exp?: unknown }).exp;
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      throw new UnauthorizedError('The bearer token has no expiry (exp); tokens that never expire are not accepted.', {
        errors: [{ field: 'token.exp', reason: 'required: seconds since the epoch' }],
      });
    c.set('identity', identityFrom(claims));
    return next();
  });
}

/** Middleware that lets a request through only when its token carries `scope`. */
export function requireScope(scope: Scope) {
  return createMiddleware<IdentityEnv>(async (c, next) => {
    if (!c.get('identity').scopes.has(scope))
      throw new ForbiddenError(`This request needs the '${scope}' scope; the token has: ${[...c.get('identity').scopes].join(' ') || 'none'}.`);
    return next();
  });
}

/**
 * Signs a development token. Used by `npm run token`, the local server's start-up banner and tests;
 * in AWS tokens come from the organisation's OIDC provider instead.
 */
export async function signDevToken(
  secret: string,
  claims: { tenant: string; sub?: string; scope?: string },
  options: { now?: number; ttlSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return sign(
    {
      sub: claims.sub ?? `dev@${claims.tenant}`,
      tenant: TenantIdSchema.parse(claims.tenant),
      scope: claims.scope ?? SCOPES.join(' '),
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      iat: now,
      exp: now + (options.ttlSeconds ?? 30 * 24 * 3600),
    },
    secret,
    'HS256',
  );
}
