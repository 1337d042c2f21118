// A real OpenID Connect provider on loopback for the OIDC e2e project: the `oidc-provider`
// package (authorization code with PKCE required, a `groups` claim in the ID token) with its
// development login form (any password) and a fixed set of people.
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './processes';

export const OIDC_CLIENT_ID = 'meshdeck-e2e';
export const OIDC_CLIENT_SECRET = 'e2e-client-secret-0123456789abcdef';

/** The people the IdP knows; `shortLived` gets ID tokens that expire after SHORT_TOKEN_SECONDS. */
export const IDP_PEOPLE = {
  alice: { email: 'alice@example.com', name: 'Alice Admin', groups: ['meshdeck:admins'] },
  oscar: { email: 'oscar@example.com', name: 'Oscar Operator', groups: ['meshdeck:operators'] },
  vera: { email: 'vera@example.com', name: 'Vera Viewer', groups: ['meshdeck:viewers'] },
  olga: { email: 'olga@example.com', name: 'Olga Outsider', groups: ['marketing'] },
  // An operator in Meshdeck's mapping, but the cluster binds her group to view one namespace only.
  rita: { email: 'rita@example.com', name: 'Rita Restricted', groups: ['team-a-devs'] },
  erin: { email: 'erin@example.com', name: 'Erin Ephemeral', groups: ['meshdeck:operators'] },
} as const;
export type IdpPerson = keyof typeof IDP_PEOPLE;
export const SHORT_TOKEN_SECONDS = 15;

export interface RunningIdp {
  issuer: string;
  stop(): Promise<void>;
}

/** Starts the IdP on a free loopback port, for a dashboard at `dashboardUrl`. */
export async function startIdp(dashboardUrl: string): Promise<RunningIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [`${dashboardUrl}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // PKCE for every client, confidential ones included: a sign-in without a code challenge fails.
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    // The scopes' claims in the ID token itself (as Keycloak's and Dex's groups are), not only from userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['e2e-idp-cookie-key-0123456789'] },
    ttl: {
      IdToken: (_ctx, token) => ((token as unknown as { available?: { sub?: string } }).available?.sub === 'erin' ? SHORT_TOKEN_SECONDS : 3600),
      AccessToken: 3600,
      Session: 3600,
      Grant: 3600,
      Interaction: 600,
    },
    async findAccount(_ctx, sub) {
      const person = IDP_PEOPLE[sub as IdpPerson];
      if (!person) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: person.email, email_verified: true, name: person.name, preferred_username: sub, groups: [...person.groups] };
        },
      };
    },
  });
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(port, '127.0.0.1', () => resolve(listening));
  });
  return {
    issuer,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
