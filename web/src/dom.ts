/**
 * The two DOM helpers every panel uses. Text goes in with `textContent` only: scenario, initiative
 * and segment names are tenant input and must never become HTML.
 */

/**
 * The page's element with this id, checked to be of the expected kind. The page shell
 * (web/index.html) and this code must agree on every id; a missing one fails here, by name, rather
 * than as "cannot read properties of null" somewhere later.
 *
 * @example const slider = byId('budget', HTMLInputElement);
 */
export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, kind: abstract new () => T): T;
export function byId(id: string, kind: abstract new () => HTMLElement = HTMLElement): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no element #${id}`);
  const tag = found.tagName.toLowerCase();
  if (!(found instanceof kind)) throw new Error(`#${id} is a <${tag}>, not a ${kind.name}`);
  return found;
}

/** Attributes of {@link el}: `class`, `text` (the text content) and `colour` (background) are special. */
export type ElementProps = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** A child of {@link el}: nodes, or strings that become text nodes (never HTML); `null` is skipped. */
export type Child = Node | string | null | undefined;

/**
 * An element with attributes and children. Attributes that are `null`, `undefined` or `false`
 * are left out, so a conditional attribute is written inline.
 *
 * @example el('tr', { 'data-id': id, class: inPlan ? 'in-plan' : null }, [el('td', { text: name })])
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: ElementProps | null, children?: readonly Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else if (k === 'colour') e.style.backgroundColor = String(v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children ?? []) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** Sets `body[data-status]`: `signin`, `loading`, `waiting`, `ready`, `partial`, `empty` or `error`. */
export function setStatus(status: 'starting' | 'signin' | 'loading' | 'waiting' | 'ready' | 'partial' | 'empty' | 'error'): void {
  document.body.setAttribute('data-status', status);
}

/** The page-wide message under the top bar: an error (red) or `info` (blue); empty text hides it. */
export function banner(text: string, kind?: 'info'): void {
  const m = byId('message');
  m.textContent = text || '';
  m.className = `banner${kind === 'info' ? ' info' : ''}`;
  m.hidden = !text;
}

/**
 * A panel's own error line, under its heading: "Could not load: <reason>", or none for `null`.
 * One panel failing leaves the others working (body status `partial`).
 */
export function panelError(cardId: string, err: unknown): void {
  const card = byId(cardId);
  // Its own line, not a form's error line inside the card (the upload's, the Excel export's).
  let p = card.querySelector<HTMLElement>('.panel-error[data-load-error]');
  if (!p) {
    p = el('p', { class: 'panel-error', role: 'alert', 'data-load-error': true });
    card.querySelector('h2')?.after(p);
  }
  p.textContent = err ? `Could not load: ${err instanceof Error ? err.message : String(err)}` : '';
  p.hidden = !err;
}
