/**
 * Flat records (strings, numbers, booleans) to DynamoDB attributes and back, so an item's mapper is
 * its key plus the record, and reading it back is its zod schema over the attributes it names.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type FlatRecord = Readonly<Record<string, string | number | boolean>>;

/** The attributes of a flat record: `S` for strings, `N` for numbers, `BOOL` for booleans. */
export function attributesOf(record: FlatRecord): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(record))
    out[name] = typeof value === 'string' ? { S: value } : typeof value === 'number' ? { N: String(value) } : { BOOL: value };
  return out;
}

/** The values of `names` in an item (absent ones left out), for a schema to parse. */
export function valuesOf(item: Record<string, AttributeValue>, names: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const name of names) {
    const v = item[name];
    if (v?.S !== undefined) out[name] = v.S;
    else if (v?.N !== undefined) out[name] = Number(v.N);
    else if (v?.BOOL !== undefined) out[name] = v.BOOL;
  }
  return out;
}
