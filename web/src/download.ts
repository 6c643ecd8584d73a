/**
 * A file from the API handed to the browser as a download: fetched with the user's token (a plain
 * link could not send it), then saved through a hidden `<a download>` on an object URL. The Excel
 * workbooks (panels/editor.ts, the ranking's export) and the ledger's CSV (panels/ledger.ts) go
 * this way.
 */
import type { Api, ApiRequest } from './api.js';
import { el } from './dom.js';

/** How long the object URL lives after the click: long enough for the browser to start saving it. */
const REVOKE_AFTER_MS = 60_000;

/**
 * Fetches `path` as a file and saves it under the name the server gave it (its
 * `Content-Disposition`), else `fallbackName`. Resolves to the name saved; rejects with the API's
 * error when the server refused.
 *
 * @example await downloadFile(d.api, '/v1/ledger', { headers: { accept: 'text/csv' } }, 'ledger.csv')
 */
export async function downloadFile(api: Api, path: string, init: ApiRequest, fallbackName: string): Promise<string> {
  const { blob, filename } = await api.file(path, init);
  const name = filename ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  return name;
}
