// Self-test of the emulators behind credentials.test.ts: Entra's checks of client assertions (certificate and
// federated credential) and the managed identity endpoint's refusals, over real HTTP(S), with hand-made
// assertions for what the SDKs never send (expired, wrong audience, another key).
// Run: node --test --import tsx test/credentialEmulators.test.ts
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { EntraEmulator, JWT_BEARER_ASSERTION, TOKEN_EXCHANGE_AUDIENCE } from './emulators/entra';
import { ManagedIdentityEmulator } from './emulators/managedIdentity';
import { makeLoopbackTlsAsync, type LoopbackTls } from './emulators/tls';

const TENANT = 'c0ffee00-1234-4abc-9def-0123456789ab';
const CLIENT_ID = '11111111-aaaa-4bbb-8ccc-000000000001';
const IDENTITY = { clientId: '22222222-aaaa-4bbb-8ccc-000000000002', principalId: '33333333-aaaa-4bbb-8ccc-000000000003' };
const OTHER_IDENTITY = { clientId: '44444444-aaaa-4bbb-8ccc-000000000004', principalId: '55555555-aaaa-4bbb-8ccc-000000000005' };

let dir: string;
let tls: LoopbackTls;
let entra: EntraEmulator;
let identity: ManagedIdentityEmulator;
/** The registered certificate's key and thumbprints. */
let certKey: KeyObject;
let x5t: string;
let x5tS256: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assistdesk-credemu-'));
  tls = await makeLoopbackTlsAsync(dir);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const selfsigned = require('selfsigned') as typeof import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'credential emulator test' }], { keySize: 2048 } as never);
  const { createPrivateKey } = await import('node:crypto');
  certKey = createPrivateKey(pems.private);
  const raw = new X509Certificate(pems.cert).raw;
  x5t = createHash('sha1').update(raw).digest('base64url');
  x5tS256 = createHash('sha256').update(raw).digest('base64url');
  entra = new EntraEmulator({ tls, tenantId: TENANT, clients: {} });
  identity = new ManagedIdentityEmulator({ tenantId: TENANT, identities: [IDENTITY, OTHER_IDENTITY] });
  await Promise.all([entra.start(), identity.start()]);
  entra.registerCertificate(CLIENT_ID, pems.cert);
  entra.trustIssuer(identity.issuer, identity.publicKey);
  entra.registerFederatedCredential(CLIENT_ID, { issuer: identity.issuer, subject: IDENTITY.principalId });
});

after(async () => {
  await Promise.all([entra?.stop(), identity?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tokenEndpoint = () => `${entra.authorityHost}/${TENANT}/oauth2/v2.0/token`;

/** POSTs the token endpoint as MSAL does; resolves with the status and the parsed answer. */
function requestToken(fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, scope: 'https://graph.microsoft.com/.default', ...fields }).toString();
  return new Promise((resolve, reject) => {
    const request = https.request(tokenEndpoint(), { method: 'POST', ca: tls.cert, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) } }, (response) => {
      let data = '';
      response.on('data', (chunk) => (data += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(data) }));
    });
    request.on('error', reject);
    request.end(form);
  });
}

const withAssertion = (assertion: string) => requestToken({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });

/** A certificate assertion as RFC 7523 and Entra describe it; `claims` and `options` change one thing. */
function certificateAssertion(claims: Record<string, unknown> = {}, options: { key?: KeyObject; alg?: 'RS256' | 'PS256'; header?: Record<string, string> } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const alg = options.alg ?? 'PS256';
  const header = options.header ?? (alg === 'PS256' ? { 'x5t#S256': x5tS256 } : { x5t });
  const body = { aud: tokenEndpoint(), iss: CLIENT_ID, sub: CLIENT_ID, jti: randomUUID(), nbf: now, exp: now + 600, ...claims };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete (body as Record<string, unknown>)[k];
  return jwt.sign(body, options.key ?? certKey, { algorithm: alg, header: { alg, typ: 'JWT', ...header } as jwt.JwtHeader });
}

function assertRefused(answer: { status: number; body: Record<string, unknown> }, status: number, error: string, code: number): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error, error);
  assert.deepEqual(answer.body.error_codes, [code]);
  assert.match(String(answer.body.error_description), new RegExp(`^AADSTS${code}: `));
}

describe('Entra emulator: certificate assertions', () => {
  it('issues an app token for a valid assertion, PS256 with x5t#S256 and RS256 with x5t', async () => {
    for (const alg of ['PS256', 'RS256'] as const) {
      const answer = await withAssertion(certificateAssertion({}, { alg }));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(entra.verifyAccessToken(String(answer.body.access_token))?.appid, CLIENT_ID);
    }
  });

  it('refuses an expired or not yet valid assertion (AADSTS700024)', async () => {
    const now = Math.floor(Date.now() / 1000);
    assertRefused(await withAssertion(certificateAssertion({ nbf: now - 1200, exp: now - 600 })), 401, 'invalid_client', 700024);
    assertRefused(await withAssertion(certificateAssertion({ nbf: now + 600, exp: now + 1200 })), 401, 'invalid_client', 700024);
  });

  it('refuses another audience, another issuer, and no jti', async () => {
    assertRefused(await withAssertion(certificateAssertion({ aud: 'https://login.microsoftonline.com/other/oauth2/v2.0/token' })), 401, 'invalid_client', 700212);
    assertRefused(await withAssertion(certificateAssertion({ sub: 'someone-else' })), 401, 'invalid_client', 700021);
    assertRefused(await withAssertion(certificateAssertion({ jti: undefined })), 401, 'invalid_client', 50027);
  });

  it('refuses a certificate it does not know, and a known thumbprint signed by another key (AADSTS700027)', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const unknown = await withAssertion(certificateAssertion({}, { key: stranger, header: { 'x5t#S256': createHash('sha256').update('another certificate').digest('base64url') } }));
    assertRefused(unknown, 401, 'invalid_client', 700027);
    assert.match(String(unknown.body.error_description), /is not registered on application/);
    const forged = await withAssertion(certificateAssertion({}, { key: stranger }));
    assertRefused(forged, 401, 'invalid_client', 700027);
    assert.match(String(forged.body.error_description), /invalid signature/);
  });

  it('refuses neither a secret nor an assertion, both at once, and another assertion type', async () => {
    assertRefused(await requestToken({}), 401, 'invalid_client', 7000218);
    assertRefused(await requestToken({ client_secret: 'x', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: certificateAssertion() }), 400, 'invalid_request', 90015);
    assertRefused(await requestToken({ client_assertion_type: 'urn:example:saml', client_assertion: certificateAssertion() }), 400, 'invalid_request', 70002);
  });
});

describe('Entra emulator: federated credential (the managed identity\'s token)', () => {
  it('issues an app token for the registered identity\'s token exchange token', async () => {
    const answer = await withAssertion(identity.issueToken(IDENTITY.clientId, TOKEN_EXCHANGE_AUDIENCE));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(entra.verifyAccessToken(String(answer.body.access_token))?.appid, CLIENT_ID);
  });

  it('refuses an identity with no federated credential on the app (AADSTS70021), naming issuer, subject and audience', async () => {
    const answer = await withAssertion(identity.issueToken(OTHER_IDENTITY.clientId, TOKEN_EXCHANGE_AUDIENCE));
    assertRefused(answer, 400, 'invalid_request', 70021);
    assert.match(String(answer.body.error_description), new RegExp(`Assertion Subject: '${OTHER_IDENTITY.principalId}'`));
  });

  it('refuses the identity\'s token for another audience (AADSTS700212), an expired one (AADSTS700024), one signed by another key', async () => {
    assertRefused(await withAssertion(identity.issueToken(IDENTITY.clientId, TOKEN_EXCHANGE_AUDIENCE, 3600, { aud: 'api://another-audience' })), 400, 'invalid_request', 700212);
    assertRefused(await withAssertion(identity.issueToken(IDENTITY.clientId, TOKEN_EXCHANGE_AUDIENCE, -300)), 400, 'invalid_client', 700024);
    const now = Math.floor(Date.now() / 1000);
    const forged = jwt.sign({ aud: TOKEN_EXCHANGE_AUDIENCE, iss: identity.issuer, sub: IDENTITY.principalId, nbf: now, exp: now + 600 }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { algorithm: 'RS256' });
    assertRefused(await withAssertion(forged), 401, 'invalid_client', 50013);
  });
});

describe('managed identity endpoint emulator (App Service protocol)', () => {
  /** `header` null: the request carries none. */
  const ask = async (query: Record<string, string>, header: string | null = identity.identityHeader) => {
    const url = `${identity.env.IDENTITY_ENDPOINT}?${new URLSearchParams(query)}`;
    const response = await fetch(url, { headers: header === null ? {} : { 'X-IDENTITY-HEADER': header } });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const good = { 'api-version': '2019-08-01', resource: 'https://storage.azure.com', client_id: IDENTITY.clientId };

  it('mints a token of the identity for the resource asked', async () => {
    const { status, body } = await ask(good);
    assert.equal(status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.client_id, IDENTITY.clientId);
    assert.ok(Number(body.expires_on) > Date.now() / 1000);
    const claims = identity.verify(body.access_token, 'https://storage.azure.com');
    assert.equal(claims?.appid, IDENTITY.clientId);
    assert.equal(claims?.oid, IDENTITY.principalId);
  });

  it('refuses a missing or wrong X-IDENTITY-HEADER, another api-version, an unknown identity', async () => {
    assert.equal((await ask(good, null)).status, 401);
    assert.equal((await ask(good, 'guessed')).status, 401);
    assert.equal((await ask({ ...good, 'api-version': '2017-09-01' })).status, 400);
    const unknown = await ask({ ...good, client_id: randomUUID() });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /No User Assigned or Delegated Managed Identity found/);
  });
});
