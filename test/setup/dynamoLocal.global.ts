/**
 * Starts one DynamoDB Local (in memory) for the whole test run and hands its endpoint to the test
 * files through `inject('dynamoEndpoint')`. Each file then works in a table of its own.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../functions/local/dynamoLocal.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const local = await startDynamoLocal();
  project.provide('dynamoEndpoint', local.endpoint);
  return () => local.stop();
}
