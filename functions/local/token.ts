/**
 * `npm run token -- --tenant T [--scope "read datasets:write"] [--sub me] [--days 30]`: prints a
 * development bearer token signed with LIFTCAST_JWT_SECRET (or the development default).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { signDevToken } from '../http/identity.js';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    scope: { type: 'string' },
    sub: { type: 'string' },
    days: { type: 'string', default: '30' },
  },
});
if (!values.tenant) {
  process.stderr.write('usage: npm run token -- --tenant <tenant> [--scope "read datasets:write"] [--sub <subject>] [--days 30]\n');
  process.exit(2);
}
const config = loadConfig();
if (config.auth.mode !== 'local') {
  process.stderr.write('LIFTCAST_AUTH_MODE is gateway: tokens come from your OIDC provider, not from this command.\n');
  process.exit(2);
}
const days = Number(values.days);
if (!Number.isFinite(days) || days <= 0) {
  process.stderr.write('--days must be a positive number\n');
  process.exit(2);
}
process.stdout.write(
  `${await signDevToken(config.auth.secret, {
    tenant: values.tenant,
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
    ...(values.sub !== undefined ? { sub: values.sub } : {}),
  }, { ttlSeconds: Math.round(days * 86400) })}\n`,
);
