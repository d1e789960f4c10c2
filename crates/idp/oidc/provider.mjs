// A real OpenID Connect provider for tests: panva's certified oidc-provider library with
// one confidential client, PKCE required, its development login form (any login name
// is accepted), and accounts read from a JSON file at each sign-in, so a test can change
// someone's groups between two sign-ins. Consent is granted without asking.
//
// Environment: OIDC_PROVIDER (the package's lib/index.js), PORT, CLIENT_ID,
// CLIENT_SECRET, REDIRECT_URI, ACCOUNTS (file: {"login": {"email", "given_name",
// "family_name", "groups": [...]}}).

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER).href);
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const account = (login) => {
  const all = JSON.parse(readFileSync(process.env.ACCOUNTS, 'utf8'));
  return all[login] ?? {};
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // Without this, the ID token of a code flow carries only `sub`.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'groups'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const a = account(id);
        return {
          sub: id,
          email: a.email ?? `${id}@example.com`,
          email_verified: true,
          given_name: a.given_name,
          family_name: a.family_name,
          groups: a.groups ?? [],
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'given_name', 'family_name', 'groups']);
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
