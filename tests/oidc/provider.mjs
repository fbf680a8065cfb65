// A real OpenID provider for the sign-in tests (tests/oidc/): panva's `oidc-provider`, installed by
// scripts/ci/setup-oidc-provider.sh, on a loopback port of its own. It prints one line,
// `ready <issuer URL>`, when it listens, and runs until its standard input closes (so it never
// outlives the test that started it).
//
//   node provider.mjs --redirect-uri URL [--clock-skew SECONDS]
//
// Clients (all confidential, authorization code flow with PKCE, client_secret_basic):
//   gatekeeper   the relying party under test (secret: gatekeeper-test-secret)
//   other-app    another service at the same provider
//   misissued    a client whose ID tokens the provider issues for `other-app`, as a provider that
//                mixes up its clients would (the relying party must refuse the audience)
// Accounts (devInteractions: any password; the login names the account):
//   alice  alice@uni-example.edu, groups dpo and staff
//   bob    bob@uni-example.edu, group students
//   eve    eve@elsewhere.example, group dpo
//   carol  carol@uni-example.edu, e-mail not verified
// --clock-skew SECONDS moves the provider's clock back, so the ID tokens it issues (valid for 60
// seconds) are already expired when they arrive.
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// The package lives in .ci/node (GATEKEEPER_OIDC_PROVIDER_DIR, the node_modules folder), not
// beside this script, and ES modules do not search NODE_PATH: resolve it from there.
const modules = process.env.GATEKEEPER_OIDC_PROVIDER_DIR;
const entry = createRequire(join(modules, 'resolve.js')).resolve('oidc-provider');
const { default: Provider } = await import(pathToFileURL(entry).href);

const { values: args } = parseArgs({
  options: {
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'clock-skew': { type: 'string', default: '0' },
  },
});

const skew = Number(args['clock-skew']) * 1000;
if (skew) {
  const realNow = Date.now;
  Date.now = () => realNow() - skew;
}

const ACCOUNTS = {
  alice: { email: 'alice@uni-example.edu', email_verified: true, groups: ['dpo', 'staff'] },
  bob: { email: 'bob@uni-example.edu', email_verified: true, groups: ['students'] },
  eve: { email: 'eve@elsewhere.example', email_verified: true, groups: ['dpo'] },
  carol: { email: 'carol@uni-example.edu', email_verified: false, groups: ['dpo'] },
};

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-test-secret`,
  redirect_uris: args['redirect-uri'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [client('gatekeeper'), client('other-app'), client('misissued')],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
  scopes: ['openid', 'email', 'groups'],
  // The claims go into the ID token itself, as institutional providers put them there.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  ttl: { IdToken: 60, AccessToken: 60, AuthorizationCode: 60, Interaction: 3600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) {
      return undefined;
    }
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
};

let provider;
const server = createServer((req, res) => provider.callback()(req, res));
server.listen(0, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, configuration);
  const otherApp = await provider.Client.find('other-app');
  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = function issueMixedUp(options) {
    if (this.client.clientId === 'misissued') {
      this.client = otherApp;
    }
    return issue.call(this, options);
  };
  process.stdout.write(`ready ${issuer}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
