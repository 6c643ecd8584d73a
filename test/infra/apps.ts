import { App } from 'aws-cdk-lib';
import { afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The context `cdk synth` runs with (feature flags included), so tests see what deploys. */
export const cdkJsonContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/** A small entry file inside the project root; fast tests never bundle it. */
export const fixtureEntry = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

/** Synth output of this test process, removed after the importing test file (CDK would otherwise leave cdk.out* in /tmp). */
const scratch = mkdtempSync(join(tmpdir(), 'liftcast-infra-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * An App for the fast tests: bundling skipped and aws-cdk-lib's CloudFormation validation off,
 * which takes a synth from ~10 s to well under a second. test/infra/synth.test.ts does the real one.
 */
export function fastApp(): App {
  return new App({
    outdir: mkdtempSync(join(scratch, 'app-')),
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] },
  });
}
