import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** What a function may do with the Liftcast table. */
export type TableAccess = 'read' | 'readWrite';

/** The data-plane actions of each access, as CDK's grantReadData / grantWriteData name them. */
export const TABLE_ACTIONS = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
  write: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;

/**
 * The Liftcast single-table store: every `Dataset`, `Scenario`, `Forecast` and idempotency record
 * lives under a string partition key `pk` and sort key `sk`.
 *
 * Built to survive mistakes rather than to be cheap to tear down: point-in-time recovery,
 * deletion protection and `RemovalPolicy.RETAIN`, so neither `cdk destroy` nor a replaced logical
 * id can drop customer data. Idempotency records expire through the TTL attribute `expiresAt`
 * (epoch seconds). Encryption uses the AWS-managed `aws/dynamodb` KMS key, so key use shows up in
 * CloudTrail without a customer-managed key to administer.
 */
export class LiftcastTable extends Construct {
  /** Name of the TTL attribute (epoch seconds) that DynamoDB uses to expire idempotency records. */
  static readonly ttlAttribute = 'expiresAt';
  /** The sparse index of items holding an undelivered event (functions/store/outbox.ts: OUTBOX_INDEX). */
  static readonly outboxIndex = 'outbox';

  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: LiftcastTable.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The transactional outbox (functions/store/outbox.ts): sparse, only items holding an
    // undelivered event are in it, so the worker's sweep reads just those.
    this.table.addGlobalSecondaryIndex({
      indexName: LiftcastTable.outboxIndex,
      partitionKey: { name: 'outbox', type: AttributeType.STRING },
      sortKey: { name: 'outboxAt', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['outboxEvent'],
    });
  }

  /**
   * Gives a function the table: sets its `TABLE_NAME` variable and grants exactly the matching
   * data-plane permissions on this table (not its indexes), in one call, so the two cannot drift apart.
   *
   * @param fn the function that will read `TABLE_NAME` from its environment
   * @param access `'read'` for Get/Query/Scan only, `'readWrite'` to also put, update and delete
   * @example
   * table.bind(api.handler, 'readWrite');
   */
  bind(fn: LambdaFunction, access: TableAccess): void {
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
    // Stated rather than `grantReadWriteData`, which with an index also grants `<table>/index/*`:
    // only the worker reads an index (bindOutboxSweep), and only that one.
    fn.addToRolePolicy(
      new PolicyStatement({ actions: access === 'read' ? [...TABLE_ACTIONS.read] : [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write], resources: [this.table.tableArn] }),
    );
  }

  /** Lets a function (the worker) query the outbox index for the events it still has to deliver. */
  bindOutboxSweep(fn: LambdaFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${this.table.tableArn}/index/${LiftcastTable.outboxIndex}`] }));
  }
}
