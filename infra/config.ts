/**
 * Deploy-time settings read from CDK context (`cdk.json` or `cdk synth -c key=value`), checked
 * once here so a typo fails the synth instead of the first login.
 *
 * | context key               | value                                   | when absent                          |
 * |---------------------------|-----------------------------------------|--------------------------------------|
 * | `liftcast:jwtIssuer`      | `https://…` issuer URL                  | CloudFormation parameter `JwtIssuer`  |
 * | `liftcast:jwtAudience`    | audience, `"a,b"` or a JSON array       | CloudFormation parameter `JwtAudience`|
 * | `liftcast:dashboardOrigin`| `https://host[:port]`                   | no CORS                               |
 */
export interface LiftcastConfig {
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string[];
  readonly dashboardOrigin?: string;
}

/** Where a context value comes from: `node.tryGetContext`. */
export type ContextReader = (key: string) => unknown;

/**
 * Reads and validates the Liftcast context keys.
 *
 * @throws Error naming the key when a value is present but malformed
 * @example
 * const config = readConfig((key) => app.node.tryGetContext(key));
 */
export function readConfig(context: ContextReader): LiftcastConfig {
  const jwtIssuer = optionalString(context, 'liftcast:jwtIssuer');
  if (jwtIssuer !== undefined) {
    const url = parseUrl('liftcast:jwtIssuer', jwtIssuer);
    if (url.protocol !== 'https:') {
      throw new Error(`liftcast:jwtIssuer must be an https:// URL (API Gateway requires it), got ${jwtIssuer}`);
    }
  }

  const dashboardOrigin = optionalString(context, 'liftcast:dashboardOrigin');
  if (dashboardOrigin !== undefined && parseUrl('liftcast:dashboardOrigin', dashboardOrigin).origin !== dashboardOrigin) {
    throw new Error(
      `liftcast:dashboardOrigin must be a bare origin such as https://dashboard.example.com (no path or trailing slash), got ${dashboardOrigin}`,
    );
  }

  const rawAudience = context('liftcast:jwtAudience');
  let jwtAudience: string[] | undefined;
  if (rawAudience !== undefined && rawAudience !== null) {
    const list = typeof rawAudience === 'string' ? rawAudience.split(',') : rawAudience;
    if (!Array.isArray(list) || !list.every((a): a is string => typeof a === 'string')) {
      throw new Error('liftcast:jwtAudience must be a string ("a,b") or an array of strings');
    }
    jwtAudience = list.map((a) => a.trim()).filter((a) => a.length > 0);
    if (jwtAudience.length === 0) {
      throw new Error('liftcast:jwtAudience is set but names no audience');
    }
  }

  return { jwtIssuer, jwtAudience, dashboardOrigin };
}

function optionalString(context: ContextReader, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${key} must be a non-empty string`);
  }
  return value.trim();
}

function parseUrl(key: string, value: string): URL {
  try {
    return new URL(value);
  } catch (cause) {
    throw new Error(`${key} is not a URL: ${value}`, { cause });
  }
}
