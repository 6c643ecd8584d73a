import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { LiftcastApi } from './api.js';
import { LiftcastTable } from './table.js';

/** The repository root: it holds `package.json`, `package-lock.json`, `tsconfig.json` and `functions/`. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of the HTTP API's Lambda entry in this repository (the contract with `functions/`). */
export const defaultApiEntry = fileURLToPath(new URL('../functions/lambda/api.ts', import.meta.url));

export interface LiftcastStackProps extends StackProps {
  /**
   * Lambda entry file exporting `handler`.
   * @default `functions/lambda/api.ts` in this repository
   */
  readonly apiEntry?: string;
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
   * Browser origin of the dashboard allowed by CORS.
   * @default - no CORS
   */
  readonly dashboardOrigin?: string;
}

/**
 * Everything Liftcast runs on: the single DynamoDB table and the HTTP API in front of one Lambda.
 *
 * Identity-provider settings are not baked in: pass them (the app reads them from CDK context) or
 * leave them out and CloudFormation asks for the `JwtIssuer` and `JwtAudience` parameters.
 */
export class LiftcastStack extends Stack {
  /** Absolute path of the entry bundled into the API function. */
  readonly apiEntry: string;
  readonly table: LiftcastTable;
  readonly api: LiftcastApi;

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

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the Liftcast API' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'DynamoDB table' });
  }
}
