/**
 * A progress line (web/index.html's `.progress-line`: a `<progress>` and its status text), shared by
 * the upload, the fit, the editor's forecast and the optimiser. Hidden with `null`; its
 * `data-state` (`pending`, `ready`, `failed`) is what tests and styles read.
 */
import { byId } from '../dom.js';
import type { ProgressView } from '../progress.js';

/** Shows `view` on the progress line `id` (with its `<progress id="<prefix>-bar">`), or hides it. */
export function showProgress(id: string, view: ProgressView | null): void {
  const line = byId(id);
  if (!view) {
    line.hidden = true;
    line.removeAttribute('data-state');
    return;
  }
  line.hidden = false;
  line.setAttribute('data-state', view.state);
  const bar = line.querySelector('progress');
  if (bar) bar.value = view.share;
  const text = line.querySelector('span');
  if (text) text.textContent = view.text;
}
