import { App } from 'aws-cdk-lib';
import { Capture, Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultApiEntry, LiftcastStack, projectRoot } from '../../infra/stack.js';
import { cdkJsonContext } from './apps.js';

// The one synth that does everything `cdk synth` does: cdk.json context, aws-cdk-lib's
// CloudFormation validation, and real bundling of functions/lambda/api.ts with the local esbuild.
describe('full synth', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'liftcast-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(
    'bundles the real API entry with local esbuild into a self-contained ESM file under 1.2 MB that answers GET /health and ships the Swagger UI assets',
    { timeout: 120_000 },
    () => {
      expect(
        existsSync(defaultApiEntry),
        `${relative(projectRoot, defaultApiEntry)} must exist: it is the Lambda entry the stack bundles`,
      ).toBe(true);
      const app = new App({ outdir, context: cdkJsonContext });
      const stack = new LiftcastStack(app, 'LiftcastStack');

      const template = Template.fromStack(stack);

      expect(stack.apiEntry).toBe(defaultApiEntry);
      const s3Key = new Capture();
      const variables = new Capture();
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Code: { S3Key: s3Key },
        Environment: { Variables: variables },
      });
      const assetDir = join(outdir, `asset.${s3Key.asString().replace(/\.zip$/, '')}`);
      expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'node_modules']);
      const bundle = join(assetDir, 'index.mjs');
      // Budget 1.2 MB: zod alone is 454 KB minified (264 KB of it locale messages that esbuild cannot
      // tree-shake through zod's namespace export). Issue 6 targets 1 MB: a locale stub in a custom
      // esbuild step, or a split of the fitting path into its own function.
      expect(statSync(bundle).size).toBeLessThan(1_200_000);
      expect(readFileSync(bundle, 'utf8')).toMatch(/^import \{ createRequire as __liftcastCreateRequire \}/);

      // Load it the way Lambda would: outside the repository (no node_modules to fall back on), with
      // the function's environment, and answer GET /health as API Gateway would ask. Fails on a
      // dependency left external, a CommonJS `require` the banner does not cover, configuration the
      // stack forgot to set, or Swagger UI assets missing from the asset.
      const lambdaEnv = Object.fromEntries(
        Object.entries(variables.asObject()).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : 'liftcast-synth-test', // tokens such as the table's Ref
        ]),
      );
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module';
           const url = ${JSON.stringify(pathToFileURL(bundle).href)};
           for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) createRequire(url).resolve('swagger-ui-dist/' + file);
           const { handler } = await import(url);
           const http = { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' };
           const event = { version: '2.0', routeKey: 'GET /health', rawPath: '/health', rawQueryString: '',
             headers: { host: 'api.example.com' }, isBase64Encoded: false,
             requestContext: { http, routeKey: 'GET /health', stage: '$default', requestId: 'synth-test',
               accountId: '123456789012', apiId: 'api', domainName: 'api.example.com', domainPrefix: 'api',
               time: '01/Jan/2026:00:00:00 +0000', timeEpoch: 0 } };
           const response = await handler(event, {});
           if (response.statusCode !== 200) { console.error(JSON.stringify(response)); process.exit(1); }`,
        ],
        { cwd: assetDir, env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...lambdaEnv }, encoding: 'utf8' },
      );
      expect(load.status, load.stderr).toBe(0);
    },
  );
});
