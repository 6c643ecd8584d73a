/**
 * Signing in and out. The token comes from the `#token=` link `npm start` prints (taken out of the
 * address bar at once) or from the sign-in form, and lives in this tab's sessionStorage only: it is
 * sent to this origin's API and nowhere else (the page's CSP allows no other origin).
 */
import type { Dashboard } from './dashboard.js';
import { destroyCharts } from './charts/setup.js';
import { byId, setStatus } from './dom.js';
import { clearCause } from './panels/cause.js';
import { clearLedger } from './panels/ledger.js';
import { clearModelDetails } from './panels/modelDetails.js';
import { initialWork } from './work.js';
import { tokenInFragment } from './token.js';

export const TOKEN_KEY = 'liftcast.dashboard.token';
/** The scenario last opened in this tab, opened again after a reload. */
export const SCENARIO_KEY = 'liftcast.dashboard.scenario';

/**
 * The token in the link the page was opened with, if any. The fragment leaves the address bar
 * (and so screenshots and history) as soon as it is read.
 */
export function tokenFromLink(): string | null {
  if (!location.hash) return null;
  const token = tokenInFragment(location.hash);
  history.replaceState(null, '', location.pathname + location.search);
  return token;
}

/** The sign-in form, with `message` (why the last token was refused) above it. */
export function showSignIn(d: Dashboard, message: string | null): void {
  destroyCharts(d.chart);
  clearModelDetails();
  clearCause();
  clearLedger(d);
  // The workbench forgets the last tenant's file, model and draft.
  Object.assign(d.work, initialWork());
  byId('editor-body').hidden = true;
  byId('editor-empty').hidden = false;
  byId('content').hidden = true;
  byId('scenario-picker').hidden = true;
  byId('session').hidden = true;
  byId('signin').hidden = false;
  const m = byId('signin-message');
  m.textContent = message || '';
  m.hidden = !message;
  setStatus('signin');
  byId('token-input', HTMLTextAreaElement).focus();
}

/** Forgets the token, drops every answer still on its way, and asks for a token again. */
export function signOut(d: Dashboard, message: string | null): void {
  sessionStorage.removeItem(TOKEN_KEY);
  d.state.token = null;
  d.state.loads.invalidate();
  showSignIn(d, message);
}

/** Keeps `token` for this tab and uses it from now on. */
export function signIn(d: Dashboard, token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  d.state.token = token;
}
