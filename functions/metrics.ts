/**
 * CloudWatch metrics without an SDK call or a dependency: a log line in the Embedded Metric Format
 * (EMF), which CloudWatch Logs turns into metrics on ingestion. In Lambda stdout is the log stream,
 * so writing the line is all it takes; locally the line is simply printed.
 */

export type MetricUnit = 'Count' | 'Milliseconds';

/** Where EMF lines go: stdout by default; tests pass a collector. */
export type MetricSink = (line: string) => void;

export const stdoutSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Writes one EMF record with the given metrics under namespace `Liftcast` and the given dimensions
 * (e.g. `{ Function: 'modelWorker' }`), e.g. `{ EventsHandled: [1, 'Count'] }`.
 */
export function emitMetrics(
  dimensions: Record<string, string>,
  metrics: Record<string, readonly [number, MetricUnit]>,
  sink: MetricSink = stdoutSink,
  now: number = Date.now(),
): void {
  const record: Record<string, unknown> = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: 'Liftcast',
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(metrics).map(([Name, [, Unit]]) => ({ Name, Unit })),
        },
      ],
    },
    ...dimensions,
  };
  for (const [name, [value]] of Object.entries(metrics)) record[name] = value;
  sink(JSON.stringify(record));
}
