/**
 * The bearer token as the dashboard handles it: read from the sign-in field or the `#token=` link
 * `npm start` prints, and its claims read (not verified: the API verifies every call) to show
 * whose data is on screen. Pure, tested in test/unit/dashboardSession.test.ts.
 */

/** The claims the page shows. */
export interface TokenClaims {
  tenant?: unknown;
}

/**
 * The claims of a JWT, decoded from its payload without checking anything, or `null` when the
 * text is not a JWT. The tenant it names is only displayed; the server decides what the token may read.
 */
export function claimsOf(token: string): TokenClaims | null {
  try {
    const part = token.split('.')[1];
    if (part === undefined) return null;
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64 + '==='.slice((b64.length + 3) % 4));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

/** The tenant a token names, as text, or `null`. */
export function tenantOf(token: string): string | null {
  const tenant = claimsOf(token)?.tenant;
  return typeof tenant === 'string' && tenant !== '' ? tenant : null;
}

/** A pasted token without surrounding space or a leading `Bearer ` (people paste the header). */
export function pastedToken(input: string): string {
  return input.trim().replace(/^Bearer\s+/i, '');
}

/** The `token` parameter of a location fragment (`#token=…`), or `null` when it has none. */
export function tokenInFragment(hash: string): string | null {
  if (!hash) return null;
  const token = new URLSearchParams(hash.slice(1)).get('token');
  return token ? token.trim() : null;
}
