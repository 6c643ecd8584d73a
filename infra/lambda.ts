import { AssetHashType, DockerImage, Stack, Validations, type BundlingOptions, type Duration, type ILocalBundling } from 'aws-cdk-lib';
import { Role, ServicePrincipal, type Policy } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing, type FunctionOptions } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { relative } from 'node:path';
import { bundleLambda, LAMBDA_NODE_OPTIONS, lambdaBuildOptions } from './bundle.js';

export interface LiftcastFunctionProps {
  /** Absolute path of the entry file exporting `handler`. */
  readonly entry: string;
  /** Directory holding `package.json` and `node_modules`; esbuild runs there. */
  readonly projectRoot: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Variables set on the function; bindings (`table.bind`, `events.bindPublisher`) add their own. */
  readonly environment?: Record<string, string>;
  /** Anything else a Lambda function takes: asynchronous-invocation settings, for example. */
  readonly extra?: Omit<FunctionOptions, 'runtime' | 'architecture' | 'environment' | 'role' | 'logGroup' | 'tracing'>;
}

/** The actions `tracing: Tracing.ACTIVE` grants on `*`: X-Ray offers no resource-level permissions for them. */
export const XRAY_WRITE_ACTIONS: readonly string[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/**
 * Keeps the `AwsSolutions-IAM5[Resource::*]` acknowledgement on `policy` about X-Ray only: cdk-nag
 * names the finding by resource, not by action, so this fails the synth if any other action is ever
 * allowed on `*` in the same policy.
 */
function allowOnlyXrayOnEveryResource(policy: Policy): void {
  policy.node.addValidation({
    validate: () => {
      const document = Stack.of(policy).resolve(policy.document) as { Statement?: Array<{ Effect?: string; Action?: string | string[]; Resource?: unknown }> };
      return (document.Statement ?? [])
        .filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'))
        .flatMap((s) => [s.Action ?? []].flat())
        .filter((action) => !XRAY_WRITE_ACTIONS.includes(action))
        .map((action) => `${action} is allowed on every resource ("*"); only ${XRAY_WRITE_ACTIONS.join(' and ')} may be (see infra/lambda.ts).`);
    },
  });
}

/**
 * Bundles with infra/bundle.ts at synth, on this machine: CDK's local-bundling hook. It never
 * declines, so CDK never falls back to the (placeholder) Docker image. Its public fields feed CDK's
 * asset cache key, which must differ between functions.
 */
class LocalLambdaBundling implements ILocalBundling {
  /** Entry relative to the project root (absolute paths would leak the machine into the cache key). */
  readonly entry: string;
  readonly buildOptions = lambdaBuildOptions;
  readonly #entry: string;
  readonly #projectRoot: string;

  constructor(entry: string, projectRoot: string) {
    this.#entry = entry;
    this.#projectRoot = projectRoot;
    this.entry = relative(projectRoot, entry).split('\\').join('/');
  }

  tryBundle(outputDir: string): boolean {
    bundleLambda(this.#entry, outputDir, { projectRoot: this.#projectRoot });
    return true;
  }
}

/** The code asset of a function: `entry` bundled by {@link bundleLambda}, hashed by its output. */
function bundledCode(entry: string, projectRoot: string): Code {
  const bundling: BundlingOptions = {
    // Required by CDK's type, never pulled: LocalLambdaBundling always bundles.
    image: DockerImage.fromRegistry('liftcast-local-bundling-only'),
    local: new LocalLambdaBundling(entry, projectRoot),
  };
  // Hash of the output, as NodejsFunction does: a change to any bundled file (model/, node_modules)
  // changes the asset, a change elsewhere in the project does not. With bundling skipped
  // (`aws:cdk:bundling-stacks: []`, the fast tests) CDK stages nothing and hashes the construct path.
  return Code.fromAsset(projectRoot, { assetHashType: AssetHashType.OUTPUT, bundling });
}

/**
 * One Liftcast Lambda function: the entry bundled by the locally installed esbuild (never Docker;
 * infra/bundle.ts) into minified ES modules with source maps, on Node.js 22 and arm64 (cheaper per
 * GB-second than x86 for the same work), with its own log group kept 30 days.
 *
 * X-Ray active tracing is on because API Gateway HTTP APIs emit no X-Ray traces themselves: the
 * Lambda segments are what a trace holds (SDK calls would need the X-Ray SDK in the bundle, left out
 * for the cold start), and the trace header travels through
 * EventBridge (`TraceHeader`, functions/bus/eventBridge.ts) so the worker's trace joins the API's.
 *
 * @example
 * const fn = liftcastFunction(this, 'Handler', { entry, projectRoot, description: 'HTTP API',
 *   memorySize: 1024, timeout: Duration.seconds(29) });
 */
export function liftcastFunction(scope: Construct, id: string, props: LiftcastFunctionProps): LambdaFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  // A role of its own instead of AWSLambdaBasicExecutionRole (logs:* on every log group): it may
  // write to this function's log group and nothing else until a binding grants more.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs the ${props.description}`,
  });
  logGroup.grantWrite(role);
  const fn = new LambdaFunction(scope, id, {
    ...props.extra,
    role,
    code: bundledCode(props.entry, props.projectRoot),
    handler: 'index.handler',
    description: props.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    logGroup,
    environment: { NODE_OPTIONS: LAMBDA_NODE_OPTIONS, ...props.environment },
    tracing: Tracing.ACTIVE,
  });
  // Tracing.ACTIVE adds the X-Ray actions on `*` to the role's default policy (created above by grantWrite).
  const defaultPolicy = role.node.findChild('DefaultPolicy') as Policy;
  Validations.of(defaultPolicy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Resource * is for xray:PutTraceSegments and xray:PutTelemetryRecords only, added by Lambda active tracing: X-Ray supports no resource-level permissions for these actions, so * is the only resource they can have. A synth-time check on this policy fails if any other action gets *.',
  });
  allowOnlyXrayOnEveryResource(defaultPolicy);
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the runtime the bundles target (esbuild target node22) and are tested for; moving to a newer runtime is a deliberate upgrade, not drift. Issue 6 asks for Node.js 22 or newer.',
  });
  return fn;
}
