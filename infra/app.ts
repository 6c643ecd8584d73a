import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.js';
import { LiftcastStack } from './stack.js';

// CDK entry point (`cdk.json` runs it with tsx). Settings come from CDK context, see ./config.ts.
const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new LiftcastStack(app, 'LiftcastStack', {
  // Environment-agnostic unless the CLI knows the target account and region.
  ...(account !== undefined && region !== undefined ? { env: { account, region } } : {}),
  description: 'Liftcast: forecasts how customer-experience investments move B2B NPS',
  ...config,
});

// cdk-nag's AWS Solutions rules run on every synth and fail it on an unacknowledged finding. cdk-nag
// 3 plugs into CDK's policy validation (no longer an Aspect); each acknowledgement sits next to the
// construct it concerns, with its reason (infra/api.ts, lambda.ts, events.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
