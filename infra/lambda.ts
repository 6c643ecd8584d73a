import { Validations, type Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';

/** Files copied next to a bundle, as `node_modules/<package>/<file>` (the bundle has no node_modules). */
export type ShippedFiles = Readonly<Record<string, readonly string[]>>;

export interface LiftcastFunctionProps {
  /** Absolute path of the entry file exporting `handler`. */
  readonly entry: string;
  /** Directory holding `package.json`, `package-lock.json` and `node_modules`; esbuild runs there. */
  readonly projectRoot: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Variables set on the function; bindings (`table.bind`, `events.bindPublisher`) add their own. */
  readonly environment?: Record<string, string>;
  /**
   * Package files the code reads from disk at run time (Swagger UI, Chart.js).
   * @default - none
   */
  readonly shipFiles?: ShippedFiles;
  /** Anything else NodejsFunction takes: asynchronous-invocation settings, for example. */
  readonly extra?: Omit<NodejsFunctionProps, 'entry' | 'bundling' | 'runtime' | 'architecture'>;
}

/**
 * esbuild settings every Liftcast function is bundled with, exported so the bundle-size benchmark
 * (test/bench/bundles.ts) builds exactly what deploys.
 */
export const bundlingOptions = {
  minify: true,
  sourceMap: true,
  // Mappings are enough for readable stack traces; the sources themselves need not ship.
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.ESM,
  // Prefer packages' ESM builds so esbuild can tree-shake them.
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK v3 too: a pinned, tree-shaken copy instead of the runtime's.
  externalModules: [] as string[],
  // CommonJS dependencies bundled into an ES module still call `require` for Node built-ins.
  banner:
    "import { createRequire as __liftcastCreateRequire } from 'node:module'; const require = __liftcastCreateRequire(import.meta.url);",
} as const;

/**
 * One Liftcast Lambda function: the entry bundled by the locally installed esbuild (never Docker)
 * into a minified ES module with source maps, on Node.js 22 and arm64 (cheaper per GB-second than
 * x86 for the same work), with its own log group kept 30 days.
 *
 * @example
 * const fn = liftcastFunction(this, 'Handler', { entry, projectRoot, description: 'HTTP API',
 *   memorySize: 1024, timeout: Duration.seconds(29) });
 */
export function liftcastFunction(scope: Construct, id: string, props: LiftcastFunctionProps): NodejsFunction {
  const shipped = Object.entries(props.shipFiles ?? {});
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  // A role of its own instead of AWSLambdaBasicExecutionRole (logs:* on every log group): it may
  // write to this function's log group and nothing else until a binding grants more.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs the ${props.description}`,
  });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, id, {
    ...props.extra,
    role,
    entry: props.entry,
    projectRoot: props.projectRoot,
    depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
    description: props.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    logGroup,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    bundling: {
      ...bundlingOptions,
      externalModules: [...bundlingOptions.externalModules],
      mainFields: [...bundlingOptions.mainFields],
      forceDockerBundling: false,
      ...(shipped.length === 0
        ? {}
        : {
            commandHooks: {
              beforeBundling: () => [],
              beforeInstall: () => [],
              afterBundling: (inputDir: string, outputDir: string) =>
                shipped.flatMap(([pkg, files]) => {
                  const dir = `${outputDir}/node_modules/${pkg}`;
                  const dirs = [...new Set(files.map((f) => f.split('/').slice(0, -1).join('/')))].map((d) => (d ? `${dir}/${d}` : dir));
                  return [
                    `mkdir -p ${dirs.map((d) => `"${d}"`).join(' ')}`,
                    ...files.map((f) => `cp "${inputDir}/node_modules/${pkg}/${f}" "${dir}/${f}"`),
                  ];
                }),
            },
          }),
    },
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the runtime the bundles target (esbuild target node22) and are tested for; moving to a newer runtime is a deliberate upgrade, not drift. Issue 6 asks for Node.js 22 or newer.',
  });
  return fn;
}
