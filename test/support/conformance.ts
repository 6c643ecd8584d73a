/**
 * Every response the API suites receive is checked against the OpenAPI document the app serves:
 * the status must be declared for the operation (405 for a path that exists under other methods),
 * the media type must be one the status declares, and a JSON body must match its schema — with
 * every object schema that lists properties read as closed, so a member the document does not
 * declare fails too. The request helpers (`test/support/liftcast.ts`, `transport.ts`) call
 * {@link checkConformance} on each response; a mismatch fails the test that made the request.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { LiftcastApp } from '../../functions/http/app.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

interface Checker {
  check(method: string, url: string, status: number, contentType: string | null, body: string): string | null;
}

let checker: Promise<Checker> | undefined;

/** Whether any response has been checked in this process (a suite can assert the hook is live). */
export const conformanceStats = { checked: 0 };

/** Object schemas with properties but no `additionalProperties` become closed, recursively. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeObjects(s)])) : closeObjects(v);
  if ('properties' in out && !('additionalProperties' in out) && out.type === 'object') out.additionalProperties = false;
  return out;
}

/**
 * `allOf` of object schemas (how zod's `.extend()` of a named schema is written) merged into one
 * object schema, so that closing it sees every property of every part.
 */
function mergeAllOf(node: unknown, schemas: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => mergeAllOf(n, schemas));
  if (typeof node !== 'object' || node === null) return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mergeAllOf(v, schemas)])) as Record<string, unknown>;
  if (!Array.isArray(out.allOf)) return out;
  const parts = (out.allOf as Record<string, unknown>[]).map((p) =>
    typeof p.$ref === 'string' ? (mergeAllOf(schemas[p.$ref.replace('#/components/schemas/', '')], schemas) as Record<string, unknown>) : p,
  );
  if (!parts.every((p) => p?.type === 'object' && typeof p.properties === 'object')) return out;
  const { allOf: _, ...rest } = out;
  return {
    ...rest,
    type: 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties)),
    required: [...new Set(parts.flatMap((p) => (p.required as string[] | undefined) ?? []))],
  };
}

function build(doc: Document): Checker {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  const merged = mergeAllOf(doc.components, doc.components.schemas) as Document['components'];
  ajv.addSchema({ $id: 'liftcast', components: closeObjects(merged) });
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `liftcast${v}` : rewrite(v)]));
  };
  const compiled = new Map<unknown, ValidateFunction>();
  const validator = (schema: unknown): ValidateFunction => {
    let v = compiled.get(schema);
    if (!v) compiled.set(schema, (v = ajv.compile(rewrite(closeObjects(mergeAllOf(schema, doc.components.schemas))) as object)));
    return v;
  };
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    re: new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`)).replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return {
    check(method, url, status, contentType, body) {
      const path = new URL(url, 'http://x').pathname;
      if (!path.startsWith('/v1/')) return null;
      const match = templates.find((t) => t.re.test(path));
      if (!match) return status === 404 ? null : `${method} ${path} answered ${status} but the document has no such path`;
      const item = doc.paths[match.template]!;
      const operation = item[method.toLowerCase()] ?? (method === 'HEAD' ? item.get : undefined);
      if (!operation) {
        if (status !== 405) return `${method} ${match.template} is not in the document, yet it answered ${status} (only 405 is right)`;
        const declared = Object.values(item).some((op) => op.responses['405']);
        return declared ? null : `405 is not declared on ${match.template}`;
      }
      const response = operation.responses[String(status)];
      if (!response) return `${method} ${match.template} answered ${status}, which the document does not declare (it declares ${Object.keys(operation.responses).join(', ')})`;
      if (status === 204 || method === 'HEAD') return null;
      const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      const content = response.content ?? {};
      if (!(type in content)) return `${method} ${match.template} ${status} answered ${type || 'no media type'}; the document declares ${Object.keys(content).join(', ') || 'none'}`;
      if (!type.endsWith('json')) return null;
      const schema = content[type]!.schema;
      if (!schema) return null;
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return `${method} ${match.template} ${status} is not JSON`;
      }
      const validate = validator(schema);
      if (validate(value)) return null;
      const e = validate.errors?.[0];
      return `${method} ${match.template} ${status}: body does not match the document at ${e?.instancePath || '/'} (${e?.message}${e?.params ? ` ${JSON.stringify(e.params)}` : ''})`;
    },
  };
}

/** The checker for `app`'s document, built once per process. */
function checkerFor(app: LiftcastApp): Promise<Checker> {
  checker ??= Promise.resolve(app.request('/openapi.json')).then(async (r) => build((await r.json()) as Document));
  return checker;
}

/**
 * Checks one response against the document, and throws with the reason when it does not conform.
 * The response itself is returned unread (its body is read from a clone).
 */
export async function checkConformance<R extends Response>(app: LiftcastApp, method: string, url: string, response: R): Promise<R> {
  const c = await checkerFor(app);
  const body = method === 'HEAD' || response.status === 204 ? '' : await response.clone().text();
  const problem = c.check(method, url, response.status, response.headers.get('content-type'), body);
  conformanceStats.checked++;
  if (problem) throw new Error(`OpenAPI conformance: ${problem}\n${body.slice(0, 400)}`);
  return response;
}
