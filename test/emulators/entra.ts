// Microsoft Entra ID (AAD v2 endpoints) emulator: just what MSAL node behind @azure/identity asks for
// (OpenID configuration, token endpoint, JWKS), over HTTPS because identity refuses http authorities.
// Tokens are real RS256 JWTs so the Graph emulator can verify them like Graph does.
import { createHash, generateKeyPairSync, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import { close, listen, recordRequest, sendJson, type RecordedRequest } from './recorder';
import { recordSecret } from './secretLedger';

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const DEFAULT_ROLES = ['DeviceManagementManagedDevices.ReadWrite.All', 'DeviceManagementServiceConfig.Read.All', 'User.Read.All'];
const DEFAULT_DELEGATED = ['DeviceManagementManagedDevices.ReadWrite.All', 'DeviceManagementServiceConfig.Read.All', 'User.Read', 'User.ReadBasic.All'];
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** RFC 7523 client authentication: a signed JWT instead of a secret (certificate or federated credential). */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The audience Entra's federated identity credentials name by default. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** An app registration's federated identity credential: whose tokens it accepts as the app's client assertion. */
export interface FederatedCredential { issuer: string; subject: string; audience?: string }

interface RegisteredCertificate { x5t: string; x5tS256: string; publicKey: KeyObject }

/** Why a client authentication was refused: status, OAuth error, AADSTS code and text, as Entra answers. */
interface Refusal { status: number; error: string; code: number; text: string }

export interface EntraOptions {
  tls: { key: string; cert: string };
  tenantId: string;
  /** Other tenants answered the same way, e.g. 'botframework.com' for a bot's outbound token. */
  extraTenants?: string[];
  clients: Record<string, string>; // clientId -> secret
  /** Application permissions put in app tokens' `roles`. */
  roles?: string[];
  /** Delegated permissions granted when an on-behalf-of request asks for `/.default`. */
  delegatedScopes?: string[];
}

export interface UserTokenInput {
  oid: string; tid?: string; name?: string; upn?: string;
  /** The bot's app id (or its api:// URI) for an SSO token; the OBO caller must be that app. */
  aud: string; scp?: string; expiresInSec?: number;
}

export type Claims = jwt.JwtPayload & Record<string, unknown>;

export class EntraEmulator {
  readonly requests: RecordedRequest[] = [];
  roles: string[];
  private readonly server: https.Server;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  private readonly revoked = new Set<string>();
  private failures: { left: number; status: number } = { left: 0, status: 0 };
  private port = 0;
  private readonly certificates = new Map<string, RegisteredCertificate[]>();
  private readonly federated = new Map<string, FederatedCredential[]>();
  private readonly issuerKeys = new Map<string, KeyObject>();

  constructor(private readonly opts: EntraOptions) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    // AAD's kid equals x5t (a base64url SHA-1 thumbprint); we hash the public key instead of a cert.
    this.kid = createHash('sha1').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
    this.roles = opts.roles ?? DEFAULT_ROLES;
    for (const [clientId, secret] of Object.entries(opts.clients)) recordSecret(`client secret of ${clientId}`, secret);
    this.server = https.createServer(opts.tls, (req, res) => {
      this.handle(req, res).catch((err) => sendJson(res, 500, { error: 'server_error', error_description: String(err) }));
    });
  }

  async start(port = 0): Promise<void> { this.port = await listen(this.server, port); }
  stop(): Promise<void> { return close(this.server); }
  get authorityHost(): string { return `https://127.0.0.1:${this.port}`; }
  get tenantId(): string { return this.opts.tenantId; }

  /** Adds a certificate (PEM) to an app registration's credentials, as the portal's "Upload certificate". */
  registerCertificate(clientId: string, certificatePem: string): void {
    const cert = new X509Certificate(certificatePem);
    const entry = {
      x5t: createHash('sha1').update(cert.raw).digest('base64url'),
      x5tS256: createHash('sha256').update(cert.raw).digest('base64url'),
      publicKey: cert.publicKey,
    };
    this.certificates.set(clientId, [...(this.certificates.get(clientId) ?? []), entry]);
  }

  /** Adds a federated identity credential to an app registration. */
  registerFederatedCredential(clientId: string, credential: FederatedCredential): void {
    this.federated.set(clientId, [...(this.federated.get(clientId) ?? []), { audience: TOKEN_EXCHANGE_AUDIENCE, ...credential }]);
  }

  /** The signing key of an external issuer (its JWKS, as Entra fetches it from the issuer's metadata). */
  trustIssuer(issuer: string, publicKey: KeyObject): void {
    this.issuerKeys.set(issuer, publicKey);
  }

  /** The next n token requests fail with an AAD error (503 = outage, 429 = throttled, 400/401...). */
  failNext(n: number, status: number): void { this.failures = { left: n, status }; }
  /** Later on-behalf-of exchanges of this user's assertions fail with invalid_grant (AADSTS50173). */
  revokeUser(oid: string): void { this.revoked.add(oid); }

  /** A user's SSO token as Teams would hand it to the bot, signed by this emulator. */
  issueUserToken(u: UserTokenInput): string {
    const tid = u.tid ?? this.opts.tenantId;
    return this.sign({
      aud: u.aud, iss: `https://login.microsoftonline.com/${tid}/v2.0`, tid, oid: u.oid, sub: u.oid,
      name: u.name, preferred_username: u.upn, upn: u.upn, scp: u.scp ?? 'access_as_user', ver: '2.0',
    }, u.expiresInSec ?? 3600);
  }

  /** Graph-side token validation: signature, expiry and audience. Null when invalid. */
  verifyAccessToken(token: string, audience: string = GRAPH_RESOURCE): Claims | null {
    try {
      return jwt.verify(token, this.publicKey, { algorithms: ['RS256'], audience }) as Claims;
    } catch {
      return null;
    }
  }

  private sign(claims: Record<string, unknown>, expiresInSec: number): string {
    const now = Math.floor(Date.now() / 1000);
    const body = { ...claims, iat: now, nbf: now, exp: now + expiresInSec, uti: randomUUID().replace(/-/g, '') };
    const token = jwt.sign(body, this.privateKey, { algorithm: 'RS256', header: { alg: 'RS256', typ: 'JWT', kid: this.kid, x5t: this.kid } });
    recordSecret('token issued by the Entra emulator', token);
    return token;
  }

  private async handle(req: import('node:http').IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = await recordRequest(req, this.authorityHost);
    this.requests.push(rec);
    const [tenant, ...rest] = rec.url.pathname.split('/').filter(Boolean);
    const route = `${req.method} /${rest.join('/')}`;
    if (tenant === 'common' && route === 'GET /discovery/instance') return this.instanceDiscovery(rec, res);
    const tenants = [this.opts.tenantId, ...(this.opts.extraTenants ?? [])].map((t) => t.toLowerCase());
    if (!tenant || !tenants.includes(tenant.toLowerCase())) {
      return this.aadError(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (route === 'GET /v2.0/.well-known/openid-configuration') return sendJson(res, 200, this.openIdConfiguration(tenant));
    if (route === 'GET /discovery/v2.0/keys' || route === 'GET /discovery/keys') return sendJson(res, 200, this.jwks());
    if (route === 'POST /oauth2/v2.0/token') return this.token(new URLSearchParams(rec.body), `${this.authorityHost}/${tenant}/oauth2/v2.0/token`, res);
    return this.aadError(res, 404, 'invalid_request', 900561, `The endpoint ${route} is not served by the emulator.`);
  }

  private openIdConfiguration(tenant: string): Record<string, unknown> {
    const base = `${this.authorityHost}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.authorityHost}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'preferred_username', 'oid', 'tid', 'ver'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  private jwks(): { keys: Record<string, unknown>[] } {
    const { n, e } = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n, e, issuer: `https://login.microsoftonline.com/${this.opts.tenantId}/v2.0` }] };
  }

  // MSAL only calls this on login.microsoftonline.com, but answer in case an authority points here.
  private instanceDiscovery(rec: RecordedRequest, res: ServerResponse): void {
    const host = new URL(this.authorityHost).host;
    sendJson(res, 200, {
      tenant_discovery_endpoint: `${this.authorityHost}/${this.opts.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': rec.url.searchParams.get('api-version') ?? '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  private token(form: URLSearchParams, tokenEndpoint: string, res: ServerResponse): void {
    if (this.failures.left > 0) {
      this.failures.left--;
      return this.injectedFailure(res, this.failures.status);
    }
    const clientId = form.get('client_id') ?? '';
    if (!(clientId in this.opts.clients) && !this.certificates.has(clientId) && !this.federated.has(clientId)) {
      return this.aadError(res, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${this.opts.tenantId}'.`);
    }
    const refusal = this.authenticateClient(clientId, form, tokenEndpoint);
    if (refusal) return this.aadError(res, refusal.status, refusal.error, refusal.code, refusal.text);
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') return this.clientCredentials(clientId, scopes, res);
    if (grant === OBO_GRANT && form.get('requested_token_use') === 'on_behalf_of') return this.onBehalfOf(clientId, scopes, form.get('assertion') ?? '', res);
    return this.aadError(res, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
  }

  /** The client's secret, or its client assertion (RFC 7523), checked as Entra does; undefined when it holds. */
  private authenticateClient(clientId: string, form: URLSearchParams, tokenEndpoint: string): Refusal | undefined {
    const assertion = form.get('client_assertion');
    const secret = form.get('client_secret');
    const refuse = (status: number, error: string, code: number, text: string): Refusal => ({ status, error, code, text });
    if (secret !== null && assertion !== null) return refuse(400, 'invalid_request', 90015, "Requested client authentication method is ambiguous: both 'client_secret' and 'client_assertion' were presented.");
    if (assertion === null) {
      if (secret === null) return refuse(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      if (secret !== this.opts.clients[clientId]) {
        return refuse(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
      }
      return undefined;
    }
    if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION) {
      return refuse(400, 'invalid_request', 70002, `The value of client_assertion_type must be '${JWT_BEARER_ASSERTION}'.`);
    }
    const decoded = jwt.decode(assertion, { complete: true });
    if (!decoded || typeof decoded.payload !== 'object') return refuse(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
    const header = decoded.header as jwt.JwtHeader & { 'x5t#S256'?: string };
    const claims = decoded.payload as Claims;
    // A certificate's assertion is issued by the app itself (iss = client id) and names the certificate by
    // thumbprint; a federated credential's token comes from another issuer (the managed identity's).
    if (claims.iss !== clientId) return this.federatedAssertion(clientId, assertion, claims);
    if (!header.x5t && !header['x5t#S256']) return { status: 401, error: 'invalid_client', code: 700027, text: "Client assertion failed signature validation: no 'x5t' or 'x5t#S256' header names the certificate." };
    return this.certificateAssertion(clientId, assertion, header, claims, tokenEndpoint);
  }

  private certificateAssertion(clientId: string, assertion: string, header: jwt.JwtHeader & { 'x5t#S256'?: string }, claims: Claims, tokenEndpoint: string): Refusal | undefined {
    const refuse = (code: number, text: string): Refusal => ({ status: 401, error: 'invalid_client', code, text });
    const thumbprint = header['x5t#S256'] ?? header.x5t!;
    const certificate = (this.certificates.get(clientId) ?? []).find((c) => (header['x5t#S256'] ? c.x5tS256 : c.x5t) === thumbprint);
    if (!certificate) {
      return refuse(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${Buffer.from(thumbprint, 'base64url').toString('hex').toUpperCase()}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`);
    }
    if (header.alg !== 'RS256' && header.alg !== 'PS256') return refuse(700027, `Client assertion contains an invalid signature. [Reason - The algorithm '${header.alg}' is not supported.]`);
    const time = this.timeRangeProblem(claims);
    if (time) return refuse(700024, time);
    try {
      jwt.verify(assertion, certificate.publicKey, { algorithms: ['RS256', 'PS256'], ignoreExpiration: true, ignoreNotBefore: true });
    } catch {
      return refuse(700027, `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${Buffer.from(thumbprint, 'base64url').toString('hex').toUpperCase()}']`);
    }
    if (claims.iss !== clientId || claims.sub !== clientId) return refuse(700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.");
    if (claims.aud !== tokenEndpoint) return refuse(700212, `The client assertion audience '${String(claims.aud)}' does not match the token endpoint '${tokenEndpoint}'.`);
    if (typeof claims.jti !== 'string' || !claims.jti) return refuse(50027, "JWT token is invalid or malformed: the client assertion has no 'jti' claim.");
    return undefined;
  }

  private federatedAssertion(clientId: string, assertion: string, claims: Claims): Refusal | undefined {
    const records = this.federated.get(clientId) ?? [];
    const describe = `Assertion Issuer: '${String(claims.iss)}'. Assertion Subject: '${String(claims.sub)}'. Assertion Audience: '${String(claims.aud)}'.`;
    const bySubject = records.filter((r) => r.issuer === claims.iss && r.subject === claims.sub);
    if (!bySubject.length) return { status: 400, error: 'invalid_request', code: 70021, text: `No matching federated identity record found for presented assertion. ${describe}` };
    if (!bySubject.some((r) => r.audience === claims.aud)) {
      return { status: 400, error: 'invalid_request', code: 700212, text: `No matching federated identity record found for presented assertion audience '${String(claims.aud)}'.` };
    }
    const time = this.timeRangeProblem(claims);
    if (time) return { status: 400, error: 'invalid_client', code: 700024, text: time };
    const key = this.issuerKeys.get(String(claims.iss));
    try {
      if (!key) throw new Error('issuer keys unknown');
      jwt.verify(assertion, key, { algorithms: ['RS256'], ignoreExpiration: true, ignoreNotBefore: true });
    } catch {
      return { status: 401, error: 'invalid_client', code: 50013, text: `Assertion failed signature validation. [Reason - The key was not found., Issuer: '${String(claims.iss)}']` };
    }
    return undefined;
  }

  /** Entra's check of exp and nbf (with its few minutes of clock skew left out: the emulator and the bot share a clock). */
  private timeRangeProblem(claims: Claims): string | undefined {
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp === 'number' && claims.exp > now && (typeof claims.nbf !== 'number' || claims.nbf <= now + 1)) return undefined;
    const iso = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'none');
    return `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${iso(claims.nbf)}, expiry time of assertion ${iso(claims.exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.`;
  }

  private clientCredentials(clientId: string, scopes: string[], res: ServerResponse): void {
    if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
      return this.aadError(res, 400, 'invalid_scope', 1002012, `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const tid = this.opts.tenantId;
    const aud = scopes[0].slice(0, -'/.default'.length);
    const token = this.sign({
      aud, iss: `https://sts.windows.net/${tid}/`, idp: `https://sts.windows.net/${tid}/`, tid, appid: clientId, azp: clientId,
      appidacr: '1', idtyp: 'app', oid: servicePrincipalId(clientId), sub: servicePrincipalId(clientId), roles: this.roles, ver: '1.0',
    }, 3600);
    sendJson(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token }, noStore());
  }

  private onBehalfOf(clientId: string, scopes: string[], assertion: string, res: ServerResponse): void {
    const decoded = jwt.decode(assertion) as Claims | null;
    let user: Claims;
    try {
      user = jwt.verify(assertion, this.publicKey, { algorithms: ['RS256'] }) as Claims;
    } catch (err) {
      if (decoded && err instanceof jwt.TokenExpiredError) {
        return this.aadError(res, 400, 'invalid_grant', 500133, `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${new Date().toISOString()}, expiry time of assertion ${err.expiredAt.toISOString()}.`);
      }
      return this.aadError(res, 400, 'invalid_grant', 50013, 'Assertion failed signature validation.');
    }
    if (typeof user.aud !== 'string' || !user.aud.includes(clientId)) {
      return this.aadError(res, 400, 'invalid_grant', 50013, 'Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was ' + `'${user.aud}' and the expected audience is '${clientId}' or one of the Application Id URIs of this application.`);
    }
    if (this.revoked.has(String(user.oid))) {
      return this.aadError(res, 400, 'invalid_grant', 50173, `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.`);
    }
    // A bare scope such as 'User.Read' means Microsoft Graph, as in AAD.
    const resource = scopes[0]?.includes('/') ? scopes[0].slice(0, scopes[0].lastIndexOf('/')) : GRAPH_RESOURCE;
    const scp = scopes.some((s) => s.endsWith('/.default'))
      ? (this.opts.delegatedScopes ?? DEFAULT_DELEGATED)
      : scopes.map((s) => s.slice(s.lastIndexOf('/') + 1));
    const tid = this.opts.tenantId;
    const token = this.sign({
      aud: resource, iss: `https://sts.windows.net/${tid}/`, idp: `https://sts.windows.net/${tid}/`, tid, appid: clientId, azp: clientId,
      appidacr: '1', idtyp: 'user', oid: user.oid, sub: user.oid, name: user.name, upn: user.upn, unique_name: user.upn, scp: scp.join(' '), ver: '1.0',
    }, 3600);
    // The requested '/.default' is echoed with the grants: MSAL's OBO cache looks tokens up by requested scope.
    const grantedScope = [...new Set([...scp.map((s) => `${resource}/${s}`), ...scopes.filter((s) => s.endsWith('/.default'))])].join(' ');
    // id_token + client_info let MSAL build an account, without which it never serves OBO tokens from its cache.
    const idToken = this.sign({
      aud: clientId, iss: `${this.authorityHost}/${tid}/v2.0`, tid, oid: user.oid, sub: user.oid, name: user.name, preferred_username: user.upn, ver: '2.0',
    }, 3600);
    const refreshToken = `emulated-rt.${randomUUID()}`;
    recordSecret('refresh token issued by the Entra emulator', refreshToken);
    sendJson(res, 200, {
      token_type: 'Bearer', scope: grantedScope, expires_in: 3599, ext_expires_in: 3599, access_token: token,
      refresh_token: refreshToken, id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: tid })).toString('base64url'),
    }, noStore());
  }

  private injectedFailure(res: ServerResponse, status: number): void {
    if (status === 503) return this.aadError(res, 503, 'temporarily_unavailable', 50196, 'The server is temporarily unavailable. (emulated outage)', { 'Retry-After': '1' });
    if (status === 429) return this.aadError(res, 429, 'temporarily_unavailable', 50196, 'The server terminated an operation because it encountered a client request loop. (emulated throttling)', { 'Retry-After': '1' });
    if (status === 401) return this.aadError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided. (emulated failure)');
    if (status >= 500) return this.aadError(res, status, 'server_error', 90033, 'A transient error has occurred. Please try again. (emulated failure)');
    return this.aadError(res, status, 'invalid_request', 90014, 'The request body must contain the following parameter. (emulated failure)');
  }

  /** AAD's error JSON: error, error_description "AADSTSnnnn: ...", error_codes, timestamp, trace_id, correlation_id. */
  private aadError(res: ServerResponse, status: number, error: string, code: number, text: string, headers: Record<string, string> = {}): void {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    sendJson(res, status, {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code], timestamp, trace_id: traceId, correlation_id: correlationId,
      error_uri: `${this.authorityHost}/error?code=${code}`,
    }, { ...noStore(), ...headers });
  }
}

function noStore(): Record<string, string> {
  return { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' };
}

/** A stable fake service-principal object id for a client id. */
function servicePrincipalId(clientId: string): string {
  const h = createHash('sha256').update(`sp:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
