import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { LiftcastAlarms } from './alarms.js';
import { LiftcastApi } from './api.js';
import { LiftcastEvents } from './events.js';
import { LiftcastSite } from './site.js';
import { LiftcastTable } from './table.js';
import { LiftcastModelWorker } from './worker.js';

/** The repository root: it holds `package.json`, `package-lock.json`, `tsconfig.json` and `functions/`. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of the HTTP API's Lambda entry in this repository (the contract with `functions/`). */
export const defaultApiEntry = fileURLToPath(new URL('../functions/lambda/api.ts', import.meta.url));

/** Absolute path of the model worker's Lambda entry. */
export const defaultWorkerEntry = fileURLToPath(new URL('../functions/lambda/worker.ts', import.meta.url));

export interface LiftcastStackProps extends StackProps {
  /**
   * Lambda entry file exporting `handler`.
   * @default `functions/lambda/api.ts` in this repository
   */
  readonly apiEntry?: string;
  /**
   * Lambda entry of the model worker.
   * @default `functions/lambda/worker.ts` in this repository
   */
  readonly workerEntry?: string;
  /**
   * JWT issuer URL trusted by the API Gateway authorizer.
   * @default - the CloudFormation parameter `JwtIssuer`, supplied at deploy time
   */
  readonly jwtIssuer?: string;
  /**
   * Accepted JWT audiences.
   * @default - the CloudFormation parameter `JwtAudience` (comma-separated), supplied at deploy time
   */
  readonly jwtAudience?: string[];
  /**
   * Browser origin of a dashboard hosted elsewhere, allowed by CORS. The dashboard this stack
   * serves (CloudFront, see {@link LiftcastStack.site}) shares the API's origin and needs none.
   * @default - no CORS
   */
  readonly dashboardOrigin?: string;
}

/**
 * Everything Liftcast runs on: the single DynamoDB table, the HTTP API in front of one Lambda, the
 * event bus and the model worker it feeds, the alarms that watch them, and CloudFront serving the
 * dashboard and the API reference from S3 with the API on the same origin.
 *
 * Identity-provider settings are not baked in: pass them (the app reads them from CDK context) or
 * leave them out and CloudFormation asks for the `JwtIssuer` and `JwtAudience` parameters.
 */
export class LiftcastStack extends Stack {
  /** Absolute path of the entry bundled into the API function. */
  readonly apiEntry: string;
  readonly table: LiftcastTable;
  readonly api: LiftcastApi;
  readonly events: LiftcastEvents;
  readonly worker: LiftcastModelWorker;
  readonly alarms: LiftcastAlarms;
  readonly site: LiftcastSite;

  constructor(scope: Construct, id: string, props: LiftcastStackProps = {}) {
    super(scope, id, props);
    this.apiEntry = props.apiEntry ?? defaultApiEntry;

    const jwtIssuer =
      props.jwtIssuer ??
      new CfnParameter(this, 'JwtIssuer', {
        type: 'String',
        description: 'Issuer URL of the identity provider whose JWTs the API accepts (iss claim).',
        allowedPattern: '^https://\\S+$',
        constraintDescription: 'must be an https:// URL',
      }).valueAsString;
    const jwtAudience =
      props.jwtAudience ??
      new CfnParameter(this, 'JwtAudience', {
        type: 'CommaDelimitedList',
        description: 'Accepted audiences (aud or client_id claim), comma-separated.',
      }).valueAsList;

    this.table = new LiftcastTable(this, 'Data');
    this.api = new LiftcastApi(this, 'Api', {
      entry: this.apiEntry,
      projectRoot,
      jwtIssuer,
      jwtAudience,
      dashboardOrigin: props.dashboardOrigin,
    });
    this.table.bind(this.api.handler, 'readWrite');

    this.events = new LiftcastEvents(this, 'Events');
    this.events.bindPublisher(this.api.handler);
    this.worker = new LiftcastModelWorker(this, 'ModelWorker', {
      entry: props.workerEntry ?? defaultWorkerEntry,
      projectRoot,
      bus: this.events.bus,
    });
    // The worker reads the wave and the model, then writes the model's outcome; it announces ModelFitted.
    this.table.bind(this.worker.handler, 'readWrite');
    this.table.bindOutboxSweep(this.worker.handler);
    this.events.bindPublisher(this.worker.handler);

    this.alarms = new LiftcastAlarms(this, 'Alarms', {
      functions: { Api: this.api.handler, ModelWorker: this.worker.handler },
      deadLetterQueues: { WorkerDeliveryDlq: this.worker.deliveryDlq, WorkerFailureDlq: this.worker.failureDlq },
      httpApi: this.api.httpApi,
    });

    this.site = new LiftcastSite(this, 'Site', { projectRoot, httpApi: this.api.httpApi });

    new CfnOutput(this, 'DashboardUrl', { value: this.site.url, description: 'The dashboard (and /docs, /v1, /openapi.json on the same origin)' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the Liftcast API' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName, description: 'EventBridge bus of Liftcast events' });
    new CfnOutput(this, 'WorkerFailureQueueUrl', { value: this.worker.failureDlq.queueUrl, description: 'Events the model worker gave up on' });
  }
}
