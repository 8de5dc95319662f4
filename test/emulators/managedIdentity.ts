// Managed identity endpoint emulator, App Service protocol (also what Azure Container Apps serves): the
// process finds it through IDENTITY_ENDPOINT and IDENTITY_HEADER, as @azure/identity's ManagedIdentityCredential
// (MSAL's AppService source) does, and asks
//   GET <IDENTITY_ENDPOINT>?api-version=2019-08-01&resource=<resource>&client_id=<identity client id>
//   X-IDENTITY-HEADER: <IDENTITY_HEADER>
// It answers { access_token, expires_on, resource, token_type, client_id } with an RS256 JWT signed by this
// emulator's key, standing in for Entra's tokens of managed identities. Plain HTTP on loopback, as on App Service.
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import type { Claims } from './entra';
import { close, listen, recordRequest, sendJson, type RecordedRequest } from './recorder';

const API_VERSION = '2019-08-01';
const TOKEN_PATH = '/msi/token';
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** A user-assigned managed identity: its client id (what the app names) and its principal (object) id. */
export interface ManagedIdentity { clientId: string; principalId: string }

export interface ManagedIdentityOptions {
  tenantId: string;
  identities: ManagedIdentity[];
}

export class ManagedIdentityEmulator {
  readonly requests: RecordedRequest[] = [];
  /** The secret App Service puts in IDENTITY_HEADER; requests without it are refused. */
  readonly identityHeader = randomUUID();
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;
  private readonly kid: string;
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((err) => sendJson(res, 500, { statusCode: 500, message: String(err), correlationId: randomUUID() }));
  });
  private port = 0;

  constructor(private readonly opts: ManagedIdentityOptions) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = createHash('sha1').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  }

  async start(port = 0): Promise<void> { this.port = await listen(this.server, port); }
  stop(): Promise<void> { return close(this.server); }

  /** The issuer of the identities' tokens for Entra's token exchange: what a federated identity credential names. */
  get issuer(): string { return `https://login.microsoftonline.com/${this.opts.tenantId}/v2.0`; }

  /** What App Service sets in the process's environment. */
  get env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: `http://127.0.0.1:${this.port}${TOKEN_PATH}`, IDENTITY_HEADER: this.identityHeader };
  }

  /** The token requests that carried the right header, as (resource, client_id) pairs. */
  tokenRequests(): Array<{ resource: string | null; clientId: string | null }> {
    return this.requests.map((r) => ({ resource: r.url.searchParams.get('resource'), clientId: r.url.searchParams.get('client_id') }));
  }

  /** A resource's check of an identity's token: signature, expiry and audience. Null when invalid. */
  verify(token: string, audience: string): Claims | null {
    try {
      return jwt.verify(token, this.publicKey, { algorithms: ['RS256'], audience }) as Claims;
    } catch {
      return null;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = await recordRequest(req, `http://127.0.0.1:${this.port}`);
    this.requests.push(rec);
    const refuse = (status: number, message: string) => sendJson(res, status, { statusCode: status, message, correlationId: randomUUID() });
    if (req.method !== 'GET' || rec.url.pathname !== TOKEN_PATH) return refuse(404, `No route for ${req.method} ${rec.url.pathname}`);
    if (req.headers['x-identity-header'] !== this.identityHeader) return refuse(401, 'The X-IDENTITY-HEADER header is missing or does not match.');
    const query = rec.url.searchParams;
    if (query.get('api-version') !== API_VERSION) return refuse(400, `The api-version '${query.get('api-version')}' is not supported: use ${API_VERSION}.`);
    const resource = query.get('resource');
    if (!resource) return refuse(400, "The 'resource' parameter is required.");
    const clientId = query.get('client_id');
    // Only user-assigned identities here: a request without client_id would want a system-assigned one.
    const identity = this.opts.identities.find((i) => i.clientId === clientId);
    if (!identity) return refuse(400, 'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.');
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    sendJson(res, 200, { access_token: this.sign(identity, resource.replace(/\/\.default$/, ''), expiresOn), expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: identity.clientId });
  }

  /**
   * A token of one of the identities, as the endpoint would mint it, for tests of what it never sends:
   * `expiresInSec` below 0 makes an expired one, `overrides` replace claims (e.g. another `aud`).
   */
  issueToken(clientId: string, audience: string, expiresInSec = 3600, overrides: Record<string, unknown> = {}): string {
    const identity = this.opts.identities.find((i) => i.clientId === clientId);
    if (!identity) throw new Error(`no managed identity ${clientId}`);
    return this.sign(identity, audience, Math.floor(Date.now() / 1000) + expiresInSec, overrides);
  }

  private sign(identity: ManagedIdentity, audience: string, expiresOn: number, overrides: Record<string, unknown> = {}): string {
    const tid = this.opts.tenantId;
    const now = Math.floor(Date.now() / 1000);
    // The token exchange's token is v2 (issuer login.microsoftonline.com/{tenant}/v2.0, subject the principal);
    // a resource's token is v1 (sts.windows.net, appid the identity's client id), as Entra issues them.
    const claims = audience === TOKEN_EXCHANGE_AUDIENCE
      ? { aud: audience, iss: this.issuer, sub: identity.principalId, oid: identity.principalId, azp: identity.clientId, tid, ver: '2.0' }
      : { aud: audience, iss: `https://sts.windows.net/${tid}/`, sub: identity.principalId, oid: identity.principalId, appid: identity.clientId, appidacr: '2', idtyp: 'app', tid, ver: '1.0' };
    const issuedAt = Math.min(now, expiresOn - 60);
    return jwt.sign({ ...claims, iat: issuedAt, nbf: issuedAt, exp: expiresOn, ...overrides, uti: randomUUID().replace(/-/g, '') }, this.privateKey, {
      algorithm: 'RS256',
      header: { alg: 'RS256', typ: 'JWT', kid: this.kid, x5t: this.kid },
    });
  }
}
