/**
 * Responses in a form two runs of the same requests can be compared in: ids become aliases in order
 * of first appearance (`<ds:1>`), timestamps `<time>`, cursors `<cursor>`, the tenant `<tenant>`;
 * the request id header's value is masked. Everything else — status, every other header, the whole body —
 * is kept as sent.
 */
import type { TestResponse } from './liftcast.js';

const ID = /\b(ds|mdl|scn|lch)_[0-9a-z]{26}\b/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})\b/g;
/** Headers whose value differs on every request by design: only their presence is compared. */
const VOLATILE_HEADERS = new Set(['x-request-id', 'date']);

/** Stable names for the ids one flow of requests meets, so two flows can be compared. */
export class Aliases {
  private readonly names = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly tenant: string) {}

  /** The alias of `id`, e.g. `<scn:2>` for the second scenario id this flow met. */
  of(id: string): string {
    let name = this.names.get(id);
    if (!name) {
      const prefix = id.slice(0, id.indexOf('_'));
      const n = (this.counts.get(prefix) ?? 0) + 1;
      this.counts.set(prefix, n);
      name = `<${prefix}:${n}>`;
      this.names.set(id, name);
    }
    return name;
  }

  text(s: string): string {
    return s.replace(ID, (id) => this.of(id)).replace(ISO_TIME, '<time>').replaceAll(this.tenant, '<tenant>');
  }

  value(v: unknown, key?: string): unknown {
    if (typeof v === 'string') {
      if ((key === 'nextCursor' || key === 'cursor') && v !== '') return '<cursor>';
      return this.text(v);
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x, k)]));
    return v;
  }
}

export interface Normalised {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON for JSON media types, text otherwise; `null` when there is no body. */
  body: unknown;
}

/** Reads `res` (its body is consumed) into a {@link Normalised} form. */
export async function normalise(res: TestResponse, aliases: Aliases): Promise<{ normalised: Normalised; body: unknown }> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (VOLATILE_HEADERS.has(name)) {
      headers[name] = `<${name}>`;
      return;
    }
    // A cursor inside a Link header is as opaque as one in a body.
    headers[name] = aliases.text(name === 'link' ? value.replace(/cursor=[A-Za-z0-9_-]+/g, 'cursor=<cursor>') : value);
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  let body: unknown = text === '' ? null : text;
  if (text !== '' && /[/+]json\b/.test(type)) body = JSON.parse(text);
  return { normalised: { status: res.status, headers: sortKeys(headers), body: aliases.value(body) }, body };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
