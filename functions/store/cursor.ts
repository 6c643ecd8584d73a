/**
 * Pagination cursors: the sort key of the last item of a page, base64url-encoded. The partition key
 * is never in the cursor (it always comes from the caller's tenant), so a cursor cannot lead into
 * another tenant's items.
 */
import { ValidationError } from '../app/errors.js';

export function encodeCursor(sk: string): string {
  return Buffer.from(sk, 'utf8').toString('base64url');
}

/** The sort key in `cursor`, which must lie among keys starting with `prefix`. */
export function decodeCursor(cursor: string, prefix: string): string {
  const sk = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!sk.startsWith(prefix)) throw new ValidationError('The cursor is not valid.', { errors: [{ field: 'query.cursor', reason: 'not a cursor returned by this API' }] });
  return sk;
}
