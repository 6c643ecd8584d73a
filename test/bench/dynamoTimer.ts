/**
 * Measures how long a DynamoDB client spends with requests in flight, so a benchmark can say how
 * much of an upload is DynamoDB and how much is Liftcast's own work. Overlapping requests (the store
 * runs up to eight at once) count once: this is wall time with at least one call outstanding.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoUsage {
  /** Wall time with at least one call in flight (SDK serialisation, HTTP, DynamoDB Local, retries). */
  busyMs: number;
  /** Calls started, by command name. */
  calls: Record<string, number>;
}

export interface DynamoTimer {
  /** Totals since the client was instrumented; subtract two with {@link usageBetween}. */
  snapshot(): DynamoUsage;
}

/** Adds a timing middleware to `client` (once per client). */
export function instrumentDynamo(client: DynamoDBClient): DynamoTimer {
  let inFlight = 0;
  let since = 0;
  let busy = 0;
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      if (inFlight++ === 0) since = performance.now();
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) busy += performance.now() - since;
      }
    },
    { step: 'initialize', name: 'liftcastBenchTimer' },
  );
  return {
    snapshot: () => ({
      busyMs: busy + (inFlight > 0 ? performance.now() - since : 0),
      calls: Object.fromEntries(calls),
    }),
  };
}

/** Usage between two snapshots. */
export function usageBetween(before: DynamoUsage, after: DynamoUsage): DynamoUsage {
  const calls: Record<string, number> = {};
  for (const [name, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[name] ?? 0);
    if (d > 0) calls[name] = d;
  }
  return { busyMs: after.busyMs - before.busyMs, calls };
}

/** `12 PutItem, 2 GetItem, …`, most frequent first. */
export function describeCalls(calls: Record<string, number>): string {
  return Object.entries(calls)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ');
}
