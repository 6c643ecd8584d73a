import { AssetHashType, DefaultStackSynthesizer, DockerImage, Duration, RemovalPolicy, Stack, Validations, type ILocalBundling } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Policy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { browserBuildOptions, buildSite, SECURITY_HEADERS, SITE_PAGES, writeSite } from '../functions/dashboard/site.js';

/** Paths CloudFront sends to the HTTP API, uncached; everything else is a static file from S3. */
export const API_PATH_PATTERNS = ['/v1/*', '/openapi.json', '/health'] as const;

/**
 * The viewer-request function of the static behaviour: a page's path (`/`, `/dashboard`, `/docs`)
 * becomes its file's key (functions/dashboard/site.ts's SITE_PAGES), since S3 has no directory
 * index and a key cannot be both `docs` and the prefix of `docs/assets/…` on disk. Any other path
 * is left as it is. Written as a `switch` on the URI, so no request string is ever used as an
 * object key. cloudfront-js-2.0 runtime.
 *
 * @example pageRewriteCode(new Map([['/docs', 'docs/index.html']])) // "… case \"/docs\": request.uri = \"/docs/index.html\"; …"
 */
export function pageRewriteCode(pages: ReadonlyMap<string, string>): string {
  const cases = [...pages].map(([path, file]) => `    case ${JSON.stringify(path)}: request.uri = ${JSON.stringify(`/${file}`)}; break;`);
  return ['function handler(event) {', '  var request = event.request;', '  switch (request.uri) {', ...cases, '  }', '  return request;', '}', ''].join('\n');
}

/**
 * Builds the static site into CDK's asset directory at synth, on this machine, with the same
 * function `npm start` serves from (no Docker, offline). Never declines, so CDK never falls back to
 * the (placeholder) image. Its public fields feed CDK's asset cache key.
 */
class LocalSiteBundling implements ILocalBundling {
  readonly site = 'liftcast-static-site';
  readonly buildOptions = browserBuildOptions;
  readonly #projectRoot: string;

  constructor(projectRoot: string) {
    this.#projectRoot = projectRoot;
  }

  tryBundle(outputDir: string): boolean {
    writeSite(buildSite({ projectRoot: this.#projectRoot }), outputDir);
    return true;
  }
}

export interface LiftcastSiteProps {
  /** Directory holding `web/` and `node_modules`: the repository. */
  readonly projectRoot: string;
  /** The HTTP API CloudFront forwards `/v1/*`, `/openapi.json` and `/health` to. */
  readonly httpApi: HttpApi;
}

/**
 * The dashboard and the API reference as static files, and the API, on one CloudFront origin: the
 * browser sees one host, so the page's Content-Security-Policy can say `connect-src 'self'` and no
 * CORS is needed.
 *
 * - **Bucket**: private (all public access blocked, objects owned by the bucket owner, no ACLs),
 *   S3-managed encryption, TLS only; CloudFront reads it through an origin access control.
 * - **Files**: built at synth by functions/dashboard/site.ts (the build `npm start` serves) and
 *   uploaded by a BucketDeployment, which prunes old files and invalidates the distribution, so a
 *   deploy shows at once. Every object has `Cache-Control: no-cache`: browsers revalidate (a 304
 *   from S3's ETag when nothing changed), and file names need no content hashes.
 * - **Distribution**: the default behaviour serves the files (GET/HEAD, cached, compressed) with
 *   the site's security headers (a response-headers policy built from SECURITY_HEADERS, plus
 *   framing denied and HSTS) and the page rewrite above; `/v1/*`, `/openapi.json` and `/health` go
 *   to the HTTP API over HTTPS: every method, nothing cached, every viewer header but Host
 *   (API Gateway routes on its own host name) forwarded, Authorization included.
 */
export class LiftcastSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly staticHeaders: ResponseHeadersPolicy;
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: LiftcastSiteProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only build output lives here: the deployment empties it on stack deletion (retainOnDelete: false).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the public build of the dashboard and the API reference (no tenant data), written by the BucketDeployment at deploy time and read only by CloudFront through its origin access control. Server access logs would record nothing but CloudFront fetching those files; API calls are logged by the HTTP API access log.',
    });

    this.staticHeaders = new ResponseHeadersPolicy(this, 'StaticHeaders', {
      comment: 'Liftcast pages: only this origin, no framing, no MIME sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SECURITY_HEADERS['Content-Security-Policy'], override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    const pages = new CloudFrontFunction(this, 'Pages', {
      comment: 'Liftcast: /, /dashboard and /docs to their files in S3',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(pageRewriteCode(SITE_PAGES)),
    });

    const region = Stack.of(this).region;
    const api: BehaviorOptions = {
      origin: new HttpOrigin(`${props.httpApi.apiId}.execute-api.${region}.${Stack.of(this).urlSuffix}`, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // With caching off, an AllViewer origin request policy may forward Authorization (a cache key
      // would otherwise have to include it): each request reaches the JWT authorizer with its token.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new Distribution(this, 'Cdn', {
      comment: `${Stack.of(this).stackName}: dashboard, API reference and API`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.staticHeaders,
        functionAssociations: [{ function: pages, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, api])),
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'No geo restriction: the dashboard and API serve customers wherever they are; every /v1 call needs a valid JWT.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL in this stack: the static files are public by design, and the API behind it has its own stage throttling (burst 200, 100 rps) and a JWT authorizer on every /v1 route. Attach an organisation-wide web ACL at deployment if one exists.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'No CloudFront standard logs: they need an ACL-enabled log bucket in the account. API requests are logged by the HTTP API access log (request id, route, status, tenant); static file requests carry no data.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses its default *.cloudfront.net certificate, for which CloudFront fixes the viewer security policy (TLSv1); a minimum of TLSv1.2_2021 needs a custom domain and ACM certificate, which are deployment-specific. Viewers are redirected to (pages) or required to use (API) HTTPS.',
      },
    );

    // A role of its own for aws-cdk-lib's deployment handler, as for Liftcast's functions (lambda.ts):
    // it may write to its own log group, and BucketDeployment adds the bucket and invalidation grants.
    const deployLogs = new LogGroup(this, 'DeployLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const deployRole = new Role(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the BucketDeployment handler that uploads the Liftcast static site',
    });
    deployLogs.grantWrite(deployRole);
    this.deployment = new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(props.projectRoot, {
          // Hash of the built files, as for the functions: a change in web/ or a vendor package changes the asset.
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Required by CDK's type, never pulled: LocalSiteBundling always builds.
            image: DockerImage.fromRegistry('liftcast-local-bundling-only'),
            local: new LocalSiteBundling(props.projectRoot),
          },
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      cacheControl: [CacheControl.noCache()],
      retainOnDelete: false,
      logGroup: deployLogs,
      role: deployRole,
    });
    acknowledgeDeploymentHandler(this.deployment, deployRole, this.bucket);
  }

  /** The site's address, `https://<id>.cloudfront.net/`. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}/`;
  }
}

/** What the BucketDeployment handler may do on every resource: CloudFront has no resource-level permissions for invalidations here. */
export const INVALIDATION_ACTIONS: readonly string[] = ['cloudfront:GetInvalidation', 'cloudfront:CreateInvalidation'];

/**
 * aws-cdk-lib's BucketDeployment runs one handler per stack (a singleton Lambda function with the
 * AWS CLI layer, created at the stack's root) under `role`. The findings are about the permissions
 * BucketDeployment grants that role and the runtime it picks; each is acknowledged where it arises,
 * with the reason, and a synth-time check keeps `Resource::*` about the invalidation actions only.
 */
function acknowledgeDeploymentHandler(deployment: BucketDeployment, role: Role, siteBucket: Bucket): void {
  const stack = Stack.of(deployment);
  // cdk-nag names a resource by its template form: the asset bucket of CDK's bootstrap, and the site bucket's logical id.
  const qualifier = String(stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER);
  const siteBucketId = stack.getLogicalId(siteBucket.node.defaultChild as CfnBucket);
  const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  Validations.of(role).acknowledge(
    iam5('Action::s3:GetObject*', 'The BucketDeployment handler reads the site asset from the CDK asset bucket (a grant aws-cdk-lib makes on that bucket only).'),
    iam5('Action::s3:GetBucket*', 'The BucketDeployment handler reads the asset and site buckets to sync them (grants aws-cdk-lib makes on those two buckets only).'),
    iam5('Action::s3:List*', 'The BucketDeployment handler lists the asset and site buckets to sync them (grants aws-cdk-lib makes on those two buckets only).'),
    iam5('Action::s3:DeleteObject*', 'The BucketDeployment handler prunes files a new build no longer has, in the site bucket only (aws-cdk-lib grant).'),
    iam5('Action::s3:Abort*', 'The BucketDeployment handler uploads to the site bucket in parts and may abort an upload, in the site bucket only (aws-cdk-lib grant).'),
    iam5(
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
      "Objects of CDK's asset bucket: the BucketDeployment handler reads the site's zip from there (aws-cdk-lib's grant).",
    ),
    iam5(`Resource::<${siteBucketId}.Arn>/*`, 'Objects of the site bucket, which holds nothing but the build the BucketDeployment handler deploys.'),
    iam5(
      'Resource::*',
      `${INVALIDATION_ACTIONS.join(' and ')} on * (aws-cdk-lib's grant): the BucketDeployment handler invalidates the distribution after each deploy. A synth-time check fails if any other action gets *.`,
    ),
  );
  const handler: IConstruct | undefined = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('BucketDeployment created no handler function at the stack root: update infra/site.ts for aws-cdk-lib');
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason: "The BucketDeployment handler's Python runtime is chosen and updated by aws-cdk-lib together with the AWS CLI layer it ships, not by this stack.",
  });
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof Policy)) throw new Error('the BucketDeployment role has no DefaultPolicy: update infra/site.ts for aws-cdk-lib');
  policy.node.addValidation({
    validate: () =>
      actionsOnEveryResource(policy)
        .filter((a) => !INVALIDATION_ACTIONS.includes(a))
        .map((a) => `${a} is allowed on every resource ("*") for the BucketDeployment handler; only ${INVALIDATION_ACTIONS.join(' and ')} may be (see infra/site.ts).`),
  });
}


/** The actions a policy allows on `*`. */
function actionsOnEveryResource(policy: Policy): string[] {
  const document = Stack.of(policy).resolve(policy.document) as { Statement?: Array<{ Effect?: string; Action?: string | string[]; Resource?: unknown }> };
  return (document.Statement ?? []).filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*')).flatMap((s) => [s.Action ?? []].flat());
}
