// Bot Framework channel token issuer emulator (HTTPS on loopback): what the bot fetches from
// login.botframework.com to check the JWT on each incoming activity. It serves the OpenID metadata
// document (as https://login.botframework.com/v1/.well-known/openidconfiguration) and the JWKS it names
// (keys with `endorsements`, `x5t`, `x5c`, as the Bot Framework publishes), and signs channel tokens the
// way the channel does: RS256, header kid + x5t, claims iss https://api.botframework.com, aud = the bot's
// app id, serviceurl = the activity's serviceUrl, nbf/iat/exp. It also mints the bad tokens an attacker
// would try (see `ChannelAttack`).
//
// What botframework-connector 4.23.3 checks (lib/auth/jwtTokenExtractor.js, openIdMetadata.js,
// parameterizedBotFrameworkAuthentication.js): the token's iss must be ToBotFromChannelTokenIssuer
// before the key is even looked up; the key is found by header `kid` among the JWKS keys and built from
// `n`/`e` only (x5t/x5c are ignored); when a key lists `endorsements`, the activity's channelId must be
// one of them; the signature (RS256/384/512 only), exp and nbf (5 minutes' clock tolerance); then aud
// must be the bot's app id and the `serviceurl` claim must equal the activity's serviceUrl.
import { createHash, createHmac, createPublicKey, generateKeyPairSync, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import { close, listen, recordRequest, sendJson, type RecordedRequest } from './recorder';
import { recordSecret } from './secretLedger';

/** The issuer of real channel tokens (AuthenticationConstants.ToBotFromChannelTokenIssuer). */
export const CHANNEL_TOKEN_ISSUER = 'https://api.botframework.com';
const METADATA_PATH = '/v1/.well-known/openidconfiguration';
const KEYS_PATH = '/v1/.well-known/keys';
/** Beyond botframework-connector's 5-minute clock tolerance. */
const BEYOND_TOLERANCE_SEC = 10 * 60;

export interface ChannelIssuerOptions {
  tls: { key: string; cert: string };
  /** `iss` of the tokens and of the metadata document; default https://api.botframework.com. */
  issuer?: string;
  /** Endorsements of the signing key; default ['msteams'] (the real keys list many channels). */
  endorsements?: string[];
}

export interface ChannelTokenInput {
  /** The bot's app id: the token's audience. */
  appId: string;
  /** The activity's serviceUrl: the token's `serviceurl` claim. */
  serviceUrl: string;
  /** Claims to add or override (e.g. iss, aud, exp); `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  expiresInSec?: number;
}

/** The bad tokens a test can mint; `missing` means no Authorization header at all. */
export type ChannelAttack =
  | 'missing'
  | 'garbage'
  | 'not bearer'
  | 'unknown kid'
  | 'right kid, wrong key'
  | 'alg none'
  | 'alg HS256 keyed with the public key'
  | 'tampered payload'
  | 'expired'
  | 'not yet valid'
  | 'wrong audience'
  | 'wrong issuer'
  | 'wrong serviceurl claim'
  | 'key not endorsed for the channel';

export const CHANNEL_ATTACKS: ChannelAttack[] = [
  'missing', 'garbage', 'not bearer', 'unknown kid', 'right kid, wrong key', 'alg none', 'alg HS256 keyed with the public key',
  'tampered payload', 'expired', 'not yet valid', 'wrong audience', 'wrong issuer', 'wrong serviceurl claim', 'key not endorsed for the channel',
];

interface SigningKey {
  /** kid = x5t: the base64url SHA-1 thumbprint of the key's certificate, as the Bot Framework publishes. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 DER of the key's self-signed certificate: the published `x5c`. */
  certDer: string;
  endorsements: string[];
}

export class ChannelIssuer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: https.Server;
  private readonly issuerName: string;
  /** The published key that signs good tokens (set by start()). */
  private key!: SigningKey;
  /** Also published, but endorsed only for another channel (webchat). */
  private webchatKey!: SigningKey;
  /** Never published: an attacker's key. */
  private readonly attackerKey: KeyObject;
  private port = 0;

  constructor(private readonly opts: ChannelIssuerOptions) {
    this.issuerName = opts.issuer ?? CHANNEL_TOKEN_ISSUER;
    this.attackerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.server = https.createServer(opts.tls, (req, res) => {
      this.handle(req, res).catch((err) => sendJson(res, 500, { error: String(err) }));
    });
  }

  async start(port = 0): Promise<void> {
    [this.key, this.webchatKey] = await Promise.all([makeKey(this.opts.endorsements ?? ['msteams']), makeKey(['webchat'])]);
    this.port = await listen(this.server, port);
  }
  stop(): Promise<void> { return close(this.server); }
  get baseUrl(): string { return `https://127.0.0.1:${this.port}`; }
  /** For ToBotFromChannelOpenIdMetadataUrl. */
  get openIdMetadataUrl(): string { return `${this.baseUrl}${METADATA_PATH}`; }
  /** For ToBotFromChannelTokenIssuer. */
  get issuer(): string { return this.issuerName; }
  get kid(): string { return this.key.kid; }

  /** A good channel token for an activity sent to the bot `appId` with this `serviceUrl`. */
  issueChannelToken(input: ChannelTokenInput): string {
    return this.signWith(this.key.privateKey, 'RS256', this.key.kid, this.claims(input));
  }

  /** The Authorization header value for a good token. */
  authorization(input: ChannelTokenInput): string {
    return `Bearer ${this.issueChannelToken(input)}`;
  }

  /** The headers an attacker would send: no Authorization at all for 'missing'. */
  attackHeaders(attack: ChannelAttack, input: ChannelTokenInput): Record<string, string> {
    if (attack === 'missing') return {};
    if (attack === 'garbage') return { authorization: 'Bearer this-is-not-a-jwt' };
    if (attack === 'not bearer') return { authorization: `Basic ${Buffer.from(`${input.appId}:secret`).toString('base64')}` };
    return { authorization: `Bearer ${this.mintBadToken(attack, input)}` };
  }

  /** A token that must be refused, for every attack that carries a token. */
  mintBadToken(attack: Exclude<ChannelAttack, 'missing' | 'garbage' | 'not bearer'>, input: ChannelTokenInput): string {
    const now = Math.floor(Date.now() / 1000);
    const good = this.claims(input);
    switch (attack) {
      case 'unknown kid':
        return this.signWith(this.attackerKey, 'RS256', thumbprint(this.attackerKey), good);
      case 'right kid, wrong key':
        return this.signWith(this.attackerKey, 'RS256', this.key.kid, good);
      case 'alg none':
        return `${b64json({ alg: 'none', typ: 'JWT', kid: this.key.kid })}.${b64json(good)}.`;
      case 'alg HS256 keyed with the public key': {
        // The classic confusion attack: HMAC with the published RSA public key as the secret.
        const secret = this.key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
        const header = b64json({ alg: 'HS256', typ: 'JWT', kid: this.key.kid });
        const body = b64json(good);
        const mac = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
        return `${header}.${body}.${mac}`;
      }
      case 'tampered payload': {
        // A good token for another bot with the audience rewritten after signing.
        const [header, , signature] = this.issueChannelToken({ ...input, appId: randomUUID() }).split('.');
        return `${header}.${b64json(good)}.${signature}`;
      }
      case 'expired':
        return this.signWith(this.key.privateKey, 'RS256', this.key.kid, { ...good, iat: now - 3600 - BEYOND_TOLERANCE_SEC, nbf: now - 3600 - BEYOND_TOLERANCE_SEC, exp: now - BEYOND_TOLERANCE_SEC });
      case 'not yet valid':
        return this.signWith(this.key.privateKey, 'RS256', this.key.kid, { ...good, iat: now, nbf: now + BEYOND_TOLERANCE_SEC, exp: now + 3600 + BEYOND_TOLERANCE_SEC });
      case 'wrong audience':
        // Meant for the Bot Connector, not for a bot. (Another bot's app id: issueChannelToken with its appId.)
        return this.signWith(this.key.privateKey, 'RS256', this.key.kid, { ...good, aud: CHANNEL_TOKEN_ISSUER });
      case 'wrong issuer':
        return this.signWith(this.key.privateKey, 'RS256', this.key.kid, { ...good, iss: 'https://api.botframework.example' });
      case 'wrong serviceurl claim':
        return this.signWith(this.key.privateKey, 'RS256', this.key.kid, { ...good, serviceurl: 'https://smba.trafficmanager.example/attacker/' });
      case 'key not endorsed for the channel':
        return this.signWith(this.webchatKey.privateKey, 'RS256', this.webchatKey.kid, good);
    }
  }

  private claims(input: ChannelTokenInput): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      serviceurl: input.serviceUrl,
      nbf: now,
      exp: now + (input.expiresInSec ?? 3600),
      iat: now,
      iss: this.issuerName,
      aud: input.appId,
      ...input.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims;
  }

  private signWith(key: KeyObject, algorithm: jwt.Algorithm, kid: string, claims: Record<string, unknown>): string {
    // noTimestamp: the claims carry their own iat (some attacks need a past or future one).
    const token = jwt.sign(claims, key, { algorithm, noTimestamp: true, header: { alg: algorithm, typ: 'JWT', kid, x5t: kid } });
    recordSecret('channel token minted by the channel issuer emulator', token);
    return token;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = await recordRequest(req, this.baseUrl);
    this.requests.push(rec);
    const route = `${req.method} ${rec.url.pathname}`;
    if (route === `GET ${METADATA_PATH}`) return sendJson(res, 200, this.metadata());
    if (route === `GET ${KEYS_PATH}`) return sendJson(res, 200, { keys: [this.key, this.webchatKey].map(publishedKey) });
    return sendJson(res, 404, { error: `No route for ${route}` });
  }

  /** The same members as login.botframework.com's document. */
  private metadata(): Record<string, unknown> {
    return {
      issuer: this.issuerName,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${this.baseUrl}${KEYS_PATH}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    };
  }
}

/** An RSA key with its own self-signed certificate (x5c), kid = x5t = the certificate's SHA-1 thumbprint. */
async function makeKey(endorsements: string[]): Promise<SigningKey> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const selfsigned = require('selfsigned') as typeof import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'login.botframework.com (emulated)' }], {
    algorithm: 'sha256',
    keyPair: { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string },
  } as never);
  const cert = new X509Certificate(pems.cert);
  return { kid: createHash('sha1').update(cert.raw).digest('base64url'), privateKey, publicKey, certDer: cert.raw.toString('base64'), endorsements };
}

function publishedKey(key: SigningKey): Record<string, unknown> {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n, e, x5c: [key.certDer], endorsements: key.endorsements };
}

function thumbprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
