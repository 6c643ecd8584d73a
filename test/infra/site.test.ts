/**
 * The static site in AWS (infra/site.ts), on fast synths (no bundling): a private bucket read by
 * CloudFront through an origin access control; one distribution serving the files with the pages'
 * security headers and sending /v1/*, /openapi.json and /health to the HTTP API uncached with the
 * viewer's Authorization; the page rewrite; the deployment; and cdk-nag with nothing unacknowledged.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildSite, CONTENT_SECURITY_POLICY, SECURITY_HEADERS, SITE_PAGES } from '../../functions/dashboard/site.js';
import { projectRoot } from '../../infra/stack.js';
import { API_PATH_PATTERNS, INVALIDATION_ACTIONS, LiftcastSite, pageRewriteCode } from '../../infra/site.js';
import { fastApp } from './apps.js';

function logicalId(element: unknown): string {
  const cfn = element as CfnElement;
  return Stack.of(cfn).getLogicalId(cfn);
}

/** One LiftcastSite in an empty stack, next to a bare HTTP API; not synthesized yet. */
function siteInEmptyStack() {
  const stack = new Stack(fastApp(), 'SiteStack');
  const httpApi = new HttpApi(stack, 'Api');
  const site = new LiftcastSite(stack, 'Site', { projectRoot, httpApi });
  return { stack, site, httpApi };
}

interface CacheBehavior {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods: string[];
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId?: unknown;
  ViewerProtocolPolicy: string;
  FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
}

interface Origin {
  Id: string;
  DomainName: unknown;
  OriginAccessControlId?: unknown;
  CustomOriginConfig?: { OriginProtocolPolicy: string; OriginSSLProtocols: string[] };
}

describe('LiftcastSite', () => {
  const { stack, site, httpApi } = siteInEmptyStack();
  const template = Template.fromStack(stack);
  const bucketId = logicalId(site.bucket.node.defaultChild);
  const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]?.Properties.DistributionConfig as {
    DefaultCacheBehavior: CacheBehavior;
    CacheBehaviors: CacheBehavior[];
    Origins: Origin[];
  };
  const originOf = (behavior: CacheBehavior): Origin | undefined => config.Origins.find((o) => o.Id === behavior.TargetOriginId);

  it('keeps the files in a private bucket: every public access blocked, no ACLs, encrypted, TLS only', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      WebsiteConfiguration: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('lets only this distribution read the files, through an origin access control signing every request', () => {
    const allows = (Object.values(template.findResources('AWS::S3::BucketPolicy'))[0]?.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }[]).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(`{"Ref":"${logicalId(site.distribution.node.defaultChild)}"}`);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const s3 = originOf(config.DefaultCacheBehavior);
    expect(s3?.DomainName).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
    expect(s3?.OriginAccessControlId).toBeDefined();
  });

  it('routes /v1/*, /openapi.json and /health to the HTTP API: every method, nothing cached, every viewer header but Host', () => {
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual([...API_PATH_PATTERNS]);
    expect(API_PATH_PATTERNS).toContain('/v1/*');
    for (const behavior of config.CacheBehaviors) {
      expect(behavior, behavior.PathPattern).toMatchObject({
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
        ViewerProtocolPolicy: 'https-only',
      });
      expect(behavior.ResponseHeadersPolicyId, behavior.PathPattern).toBeUndefined();
      const origin = originOf(behavior);
      expect(origin?.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      expect(JSON.stringify(origin?.DomainName)).toContain(`{"Ref":"${logicalId(httpApi.node.defaultChild)}"}`);
      expect(JSON.stringify(origin?.DomainName)).toContain('.execute-api.');
    }
  });

  it('serves the static files by default: GET and HEAD, cached, HTTPS, the page rewrite, and the security headers', () => {
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: logicalId(site.staticHeaders.node.defaultChild) },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } }],
    });
    expect(originOf(config.DefaultCacheBehavior)?.CustomOriginConfig).toBeUndefined();
  });

  it('puts the pages’ Content-Security-Policy, nosniff, no-referrer, framing denied and HSTS on static responses, overriding the origin', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: SECURITY_HEADERS['Referrer-Policy'], Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
        },
      },
    });
    // The same policy the local server sends: only this origin, no inline script.
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });

  it('deploys the built site, prunes what a new build drops, marks every file no-cache and invalidates the distribution', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: bucketId },
      Prune: true,
      RetainOnDelete: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: logicalId(site.distribution.node.defaultChild) },
      DistributionPaths: ['/*'],
      DestinationBucketKeyPrefix: Match.absent(),
    });
  });

  it('gives the deployment handler a role of its own, without AWS managed policies, and invalidations as its only actions on *', () => {
    const role = logicalId(site.deployment.handlerRole.node.defaultChild);
    expect(template.findResources('AWS::IAM::Role')[role]?.Properties.ManagedPolicyArns).toBeUndefined();
    const onEverything = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Resource: unknown; Action: string | string[] }[])
        .filter((s) => [s.Resource].flat().includes('*'))
        .flatMap((s) => [s.Action].flat()),
    );
    expect(onEverything.sort()).toEqual([...INVALIDATION_ACTIONS].sort());
    const logs = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: Match.stringLikeRegexp('^python'), LoggingConfig: { LogGroup: logs } });
    expect(template.findResources('AWS::Logs::LogGroup')[(logs.asObject() as { Ref: string }).Ref]?.Properties).toMatchObject({ RetentionInDays: 30 });
  });

  it('fails the synth when the deployment handler is allowed anything else on *', () => {
    const other = siteInEmptyStack();
    other.site.deployment.handlerRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: ['*'] }));

    expect(() => Template.fromStack(other.stack)).toThrow(/s3:PutObject is allowed on every resource/);
  });

  it('passes cdk-nag with every acknowledgement on the site’s own constructs or the deployment handler, each with its reason', () => {
    // The site and the deployment handler aws-cdk-lib puts at the stack's root; the bare HTTP API next
    // to them is only their origin here (infra/api.ts has the real one, checked in workers.test.ts).
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    expect(handler).toBeDefined();
    const violations = [site, handler!].flatMap((scope) => new AwsSolutionsChecks(stack).validateScope(scope).violations);

    expect(violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => [c.node.path, m.data as Record<string, string>] as const));
    for (const [path, rules] of acknowledged) {
      expect(path.startsWith('SiteStack/Site/') || path.startsWith('SiteStack/Custom::CDKBucketDeployment'), path).toBe(true);
      for (const [id, reason] of Object.entries(rules)) expect(reason.length, id).toBeGreaterThan(60);
    }
    const ids = acknowledged.flatMap(([, rules]) => Object.keys(rules).map((id) => id.replace(/^Annotation::/, '')));
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4', 'AwsSolutions-L1']));
    expect(ids.filter((id) => id.startsWith('AwsSolutions-IAM4'))).toEqual([]);
  });
});

describe('the page rewrite', () => {
  /** Runs the CloudFront function's code as the cloudfront-js-2.0 runtime would: `handler(event)`. */
  function rewrite(code: string, uri: string): string {
    const handler = runInNewContext(`${code}; handler`) as (event: { request: { uri: string } }) => { uri: string };
    return handler({ request: { uri } }).uri;
  }
  const code = pageRewriteCode(SITE_PAGES);

  it('is the function the distribution runs', () => {
    const { stack } = siteInEmptyStack();

    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: code, FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
  });

  it('maps each page to its file and leaves every other path alone, whatever it is called', () => {
    expect(rewrite(code, '/')).toBe('/index.html');
    expect(rewrite(code, '/dashboard')).toBe('/index.html');
    expect(rewrite(code, '/docs')).toBe('/docs/index.html');
    for (const uri of ['/dashboard/assets/dashboard.js', '/docs/assets/docs.js', '/dashboard/', '/__proto__', '/constructor', '/toString', '/index.html'])
      expect(rewrite(code, uri), uri).toBe(uri);
  });

  it('points every page at a file the site build has, so S3 never answers a page with a missing key', () => {
    const site = buildSite();

    for (const page of SITE_PAGES.keys()) expect(site.has(rewrite(code, page).slice(1)), page).toBe(true);
    for (const path of site.keys()) expect(path.startsWith('/')).toBe(false);
  });
});
