/**
 * Request headers several resources share: `Idempotency-Key` on creating requests, and `If-Match`
 * on updates guarded by a version (ETag `"<version>"`).
 */
import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { PreconditionRequiredError, ValidationError } from '../app/errors.js';

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{8,128}$/, '8–128 characters: letters, digits, _ . : -')
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Idempotency-Key: makes the request safe to retry' }),
});

export const IfMatchHeader = z.object({
  'if-match': z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: 'if-match', in: 'header' },
      description: 'The ETag of the version the change is based on, e.g. "3" (required; 428 without it, 412 when stale)',
      example: '"3"',
    }),
});

/** What makes two requests "the same" for idempotency: method, path, query, media type and body. */
export async function requestFingerprint(c: Context): Promise<string> {
  const url = new URL(c.req.url);
  const query = [...url.searchParams.entries()].sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(`${c.req.method} ${url.pathname}?${new URLSearchParams(query).toString()}\n${c.req.header('content-type') ?? ''}\n`)
    .update(await c.req.text())
    .digest('base64url');
}

/** The ETag of a version: a strong validator, the version number in quotes. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header names: `"3"`, also `3` or `W/"3"` (clients and proxies that
 * weaken or unquote tags). 428 when absent, 400 when it names no single version.
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '')
    throw new PreconditionRequiredError('Send If-Match with the ETag of the version you read (e.g. If-Match: "3"), so that no concurrent change is overwritten.', {
      errors: [{ field: 'header.If-Match', reason: 'required' }],
    });
  const m = /^\s*(?:W\/)?("?)([1-9]\d{0,9})\1\s*$/.exec(header);
  if (!m)
    throw new ValidationError('If-Match must be the ETag of one version, e.g. "3".', {
      errors: [{ field: 'header.If-Match', reason: `'${header.slice(0, 40)}' is not the ETag of a version` }],
    });
  return Number(m[2]);
}
