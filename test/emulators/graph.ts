// Microsoft Graph emulator (HTTPS, loopback): the Intune and user endpoints AssistDesk calls, with Graph's
// JSON, error shape, paging, bearer-token checks and strict report validation (graph-contract.md), plus
// fault injection. The bot reaches it through GRAPH_BASE_URL = baseUrl.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import { GRAPH_RESOURCE, type EntraEmulator, type Claims } from './entra';
import { FAULTED, FaultSet, sleep, type Fault, type FaultRule, type RateFault } from './faults';
import { badRequest, defaultCode, errorBody, notFound, type GraphErrorInfo } from './graphErrors';
import { DEVICE_DEFAULT_PROPS, DEVICE_SHAPE, USER_DEFAULT_PROPS, USER_SHAPE, deviceEntity, userEntity } from './graphResources';
import { paginate, parseQuery, project } from './odataQuery';
import { close, listen, recordRequest, sendEmpty, sendJson, type RecordedRequest } from './recorder';
import { validateReportBody } from './reportContract';
import type { GraphSeed, GraphUser, ManagedDevice } from './seed';

export interface GraphEmulatorOptions {
  tls: { key: string; cert: string };
  entra: EntraEmulator;
  seed: GraphSeed;
  pageSize?: number;
  reportPayloadVersion?: 18 | 20;
  /** Intune's throttle on writes, per app and tenant; unset: no limit (limitWrites() sets it later). */
  writeLimit?: WriteLimit;
}

/**
 * Intune allows an app `writes` POST/PUT/PATCH/DELETE calls per `windowMs` per tenant (200 per 20 s); past it
 * Graph answers 429 TooManyRequests with Retry-After. Counted on arrival over a sliding window; a refused
 * call does not count.
 */
export interface WriteLimit { writes: number; windowMs: number }

/** Permissions (application roles or delegated scopes) that satisfy each operation. */
const PERMS = {
  readDevices: ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All'],
  writeDevices: ['DeviceManagementManagedDevices.ReadWrite.All'],
  report: ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All'],
  readUsers: ['User.Read.All', 'User.ReadBasic.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};

/**
 * What Intune computes for a device after requestRemoteAssistance: from `afterMs` after the last request on,
 * `remoteAssistanceSessionUrl` and `remoteAssistanceSessionErrorDetails` (empty strings mean none, as Graph
 * sends them). Unset: the emulator's https link, at once.
 */
export interface AssistanceOutcome { afterMs?: number; sessionUrl?: string; errorDetails?: string }

interface Ctx { rec: RecordedRequest; version: 'v1.0' | 'beta'; segs: string[]; claims: Claims }
type Result = GraphErrorInfo | { status: 200; body: unknown } | { status: 204 };

export class GraphEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly reports: unknown[] = [];
  readonly assistanceRequests: string[] = [];
  private readonly faults = new FaultSet();
  /** Device id ➜ when remote assistance was last requested on it, and what Intune then computes. */
  private readonly requestedAt = new Map<string, number>();
  private readonly outcomes = new Map<string, AssistanceOutcome>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Each request's record, so the answer can note the `request-id` it carried. */
  private readonly recordOf = new WeakMap<IncomingMessage, RecordedRequest>();
  /** App and tenant ➜ arrival times (epoch ms) of the writes admitted in the current window, oldest first. */
  private readonly recentWrites = new Map<string, number[]>();
  private writeLimit: WriteLimit | undefined;
  private readonly server: https.Server;
  private readonly pageSize: number;
  private readonly reportVersion: 18 | 20;
  private port = 0;

  constructor(private readonly opts: GraphEmulatorOptions) {
    this.pageSize = opts.pageSize ?? 100;
    this.reportVersion = opts.reportPayloadVersion ?? 20;
    this.writeLimit = opts.writeLimit;
    this.server = https.createServer(opts.tls, (req, res) => {
      const handling = this.handle(req, res).catch((err) => this.answer(res, req, { status: 500, code: 'InternalServerError', message: String(err) }));
      this.inFlight.add(handling);
      void handling.finally(() => this.inFlight.delete(handling));
    });
  }

  async start(port = 0): Promise<void> { this.port = await listen(this.server, port); }
  stop(): Promise<void> { return close(this.server); }
  get baseUrl(): string { return `https://127.0.0.1:${this.port}`; }

  fault(rule: FaultRule): void { this.faults.add(rule); }
  /** What Intune will say about the session after a request on this device (cleared by reset()). */
  assistanceOutcome(deviceId: string, outcome: AssistanceOutcome): void { this.outcomes.set(deviceId.toLowerCase(), outcome); }
  failRate(path: RegExp | string, rate: number, faults: RateFault[], seed = 1): void { this.faults.addRate(path, rate, faults, seed); }
  /** Enforces Intune's write throttle from now on (undefined: none); reset() keeps it but forgets the writes counted. */
  limitWrites(limit: WriteLimit | undefined): void { this.writeLimit = limit; this.recentWrites.clear(); }

  /** Resolves once no request is in the emulator's hands: a hung call may still record a report. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  reset(): void {
    this.requests.length = 0;
    this.reports.length = 0;
    this.assistanceRequests.length = 0;
    this.requestedAt.clear();
    this.outcomes.clear();
    this.faults.clear();
    this.recentWrites.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = await recordRequest(req, this.baseUrl);
    this.recordOf.set(req, rec);
    this.requests.push(rec);
    let segs: string[];
    try {
      segs = rec.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return this.answer(res, req, badRequest('The request URI is not valid.'));
    }
    const retryAfterSec = this.throttle(req, rec, segs);
    if (retryAfterSec !== undefined) {
      rec.faulted = 429;
      return this.answerFault(res, req, { path: '', status: 429, retryAfterSec }, segs);
    }
    const fault = this.faults.take(rec.method, segs.join('/') ? `/${segs.join('/')}` : '/');
    if (fault) {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.reset) { rec.faulted = fault.status; req.socket.destroy(); return; }
      if (fault.status >= 400) { rec.faulted = fault.status; return this.answerFault(res, req, fault, segs); }
      // The faults below let Graph act: only the answer is late or lost.
      if (fault.hangMs) { rec.faulted = FAULTED.hang; await sleep(fault.hangMs); }
      if (fault.afterServing === 'reset') rec.faulted = FAULTED.answerLost;
    }
    rec.servedAt = Date.now();
    const result = this.serve(req, rec, segs);
    if (fault?.afterServing === 'reset') { req.socket.destroy(); return; }
    // A client that gave up on a hung call is gone; Graph acted all the same.
    if (req.socket.destroyed) return;
    this.answer(res, req, result);
  }

  /**
   * Intune's write throttle: undefined when the call may go (a write is then counted), otherwise the seconds
   * until the oldest write of the window leaves it (Retry-After, rounded up). Only Intune's writes count
   * (under deviceManagement or a user's managedDevices), per app and tenant of the token as presented.
   */
  private throttle(req: IncomingMessage, rec: RecordedRequest, segs: string[]): number | undefined {
    const limit = this.writeLimit;
    if (!limit || rec.method === 'GET') return undefined;
    const lower = segs.map((s) => s.toLowerCase());
    if (!lower.includes('devicemanagement') && !lower.includes('manageddevices')) return undefined;
    const claims = jwt.decode(BEARER.exec(req.headers.authorization ?? '')?.[1] ?? '') as Claims | null;
    if (!claims) return undefined; // refused later as unauthenticated, like Graph
    const key = `${String(claims.appid ?? claims.azp)}/${String(claims.tid)}`;
    const writes = this.recentWrites.get(key) ?? [];
    const now = rec.at;
    while (writes.length && writes[0] <= now - limit.windowMs) writes.shift();
    if (writes.length >= limit.writes) return Math.max(1, Math.ceil((writes[0] + limit.windowMs - now) / 1000));
    writes.push(now);
    this.recentWrites.set(key, writes);
    return undefined;
  }

  private serve(req: IncomingMessage, rec: RecordedRequest, segs: string[]): Result {
    const version = segs[0] === 'v1.0' || segs[0] === 'beta' ? segs[0] : undefined;
    if (!version) return badRequest(`Invalid version: ${segs[0] ?? ''}`);
    const claims = this.authenticate(req);
    if (!claims) return { status: 401, code: 'InvalidAuthenticationToken', message: tokenProblem(req.headers.authorization) };
    return this.route({ rec, version, segs: segs.slice(1), claims });
  }

  private authenticate(req: IncomingMessage): Claims | null {
    const m = BEARER.exec(req.headers.authorization ?? '');
    const claims = m ? this.opts.entra.verifyAccessToken(m[1]) : null;
    return claims && claims.tid === this.opts.seed.tenantId ? claims : null;
  }

  private route(ctx: Ctx): Result {
    const { rec, segs } = ctx;
    const lower = segs.map((s) => s.toLowerCase());
    const route = `${rec.method} ${lower.map((s, i) => (isParam(lower, i) ? '{}' : s)).join('/')}`;
    switch (route) {
      case 'GET devicemanagement/manageddevices': return this.listDevices(ctx, this.opts.seed.devices, 'deviceManagement/managedDevices');
      case 'GET devicemanagement/manageddevices/{}': return this.getDevice(ctx, segs[2]);
      case 'POST devicemanagement/manageddevices/{}/requestremoteassistance': return this.requestAssistance(ctx, segs[2]);
      case 'POST devicemanagement/reportremoteassistance': return this.report(ctx);
      case 'GET users': return this.listUsers(ctx);
      case 'GET users/{}': return this.getUser(ctx, this.findUser(segs[1]));
      case 'POST users/{}/checkmembergroups': return this.checkMemberGroups(ctx, this.findUser(segs[1]));
      case 'POST users/{}/manageddevices/{}/requestremoteassistance': return this.requestAssistanceFor(ctx, this.findUser(segs[1]), segs[3]);
      case 'GET users/{}/manageddevices': return this.userDevices(ctx, this.findUser(segs[1]), `users('${segs[1]}')/managedDevices`);
      case 'GET me': return this.me(ctx, (u) => this.getUser(ctx, u));
      case 'GET me/manageddevices': return this.me(ctx, (u) => this.userDevices(ctx, u, 'me/managedDevices'));
    }
    const unknown = segs.find((s, i) => !isParam(lower, i) && !KNOWN_SEGMENTS.has(s.toLowerCase())) ?? segs[segs.length - 1] ?? '';
    return badRequest(`Resource not found for the segment '${unknown}'.`);
  }

  /** POST /users/{id}/checkMemberGroups {groupIds}: the ids, of those asked, the user is a member of. */
  private checkMemberGroups(ctx: Ctx, u: GraphUser | undefined): Result {
    const denied = this.require(ctx, PERMS.readUsers);
    if (denied) return denied;
    if (!u) return { status: 404, code: 'Request_ResourceNotFound', message: `Resource '${ctx.segs[1]}' does not exist or one of its queried reference-property objects are not present.` };
    const groupIds = (ctx.rec.json as { groupIds?: unknown } | undefined)?.groupIds;
    if (!Array.isArray(groupIds) || groupIds.length === 0 || groupIds.length > 20 || !groupIds.every((g) => typeof g === 'string')) {
      return badRequest("Invalid value for 'groupIds': an array of 1 to 20 group ids is required.");
    }
    const groups = this.opts.seed.groups ?? {};
    return { status: 200, body: { '@odata.context': `${this.baseUrl}/${ctx.version}/$metadata#Collection(Edm.String)`, value: groupIds.filter((g) => groups[g]?.includes(u.id)) } };
  }

  private listDevices(ctx: Ctx, devices: ManagedDevice[], entitySet: string): Result {
    const denied = this.require(ctx, PERMS.readDevices);
    if (denied) return denied;
    const q = parseQuery(ctx.rec.url.searchParams, DEVICE_SHAPE, true);
    if ('status' in q) return q;
    const matches = devices.filter((d) => !q.match || q.match(d as unknown as Record<string, unknown>));
    const page = paginate(matches, q, this.pageSize, ctx.rec.url, this.baseUrl);
    return ok({
      '@odata.context': this.context(ctx, entitySet, q.select),
      ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
      value: page.value.map((d) => project(deviceEntity(d), q.select, DEVICE_DEFAULT_PROPS)),
    });
  }

  private getDevice(ctx: Ctx, id: string): Result {
    const denied = this.require(ctx, PERMS.readDevices);
    if (denied) return denied;
    const q = parseQuery(ctx.rec.url.searchParams, DEVICE_SHAPE, false);
    if ('status' in q) return q;
    const d = this.findDevice(id);
    if (!d) return notFound(`Resource not found: managedDevice '${id}'.`);
    return ok({ '@odata.context': `${this.context(ctx, 'deviceManagement/managedDevices', q.select)}/$entity`, ...project(deviceEntity(d, this.assistanceSession(d, q.select)), q.select, DEVICE_DEFAULT_PROPS) });
  }

  /** Intune computes the session properties only on a single GET that selects them explicitly, after a request. */
  private assistanceSession(d: ManagedDevice, select: string[] | undefined): { url: string; errorDetails: string } {
    const requested = this.requestedAt.get(d.id.toLowerCase());
    const outcome = this.outcomes.get(d.id.toLowerCase()) ?? { sessionUrl: `https://remoteassistance.example.invalid/session/${encodeURIComponent(d.id)}` };
    const ready = requested !== undefined && Date.now() - requested >= (outcome.afterMs ?? 0);
    const selected = (name: string, value: string | undefined) => (ready && select?.includes(name) ? value ?? '' : '');
    return { url: selected('remoteAssistanceSessionUrl', outcome.sessionUrl), errorDetails: selected('remoteAssistanceSessionErrorDetails', outcome.errorDetails) };
  }

  private requestAssistance(ctx: Ctx, id: string): Result {
    const denied = this.require(ctx, PERMS.writeDevices);
    if (denied) return denied;
    // OData accepts an empty body or an empty JSON object for an action without parameters.
    const body = ctx.rec.body.trim();
    if (body !== '' && !(isPlainObject(ctx.rec.json) && Object.keys(ctx.rec.json).length === 0)) {
      const first = isPlainObject(ctx.rec.json) ? Object.keys(ctx.rec.json)[0] : undefined;
      return badRequest(first !== undefined
        ? `The parameter '${first}' in the request payload is not a valid parameter for the operation 'requestRemoteAssistance'.`
        : 'The request body must be empty: requestRemoteAssistance takes no parameters.');
    }
    const d = this.findDevice(id);
    if (!d) return notFound(`Resource not found: managedDevice '${id}'.`);
    this.assistanceRequests.push(d.id);
    this.requestedAt.set(d.id.toLowerCase(), Date.now());
    return { status: 204 };
  }

  /** Through the user: a device that is not theirs is not found there. */
  private requestAssistanceFor(ctx: Ctx, u: GraphUser | undefined, deviceId: string): Result {
    if (!u) return notFound(`Resource '${ctx.segs[1]}' does not exist or one of its queried reference-property objects are not present.`, 'Request_ResourceNotFound');
    if (this.findDevice(deviceId)?.userId !== u.id) return notFound(`Resource not found: managedDevice '${deviceId}'.`);
    return this.requestAssistance(ctx, deviceId);
  }

  private report(ctx: Ctx): Result {
    if (ctx.version !== 'beta') return badRequest(`Resource not found for the segment '${ctx.segs[1]}'.`);
    const denied = this.require(ctx, PERMS.report);
    if (denied) return denied;
    if (!/^application\/json\b/i.test(String(ctx.rec.headers['content-type'] ?? ''))) {
      return { status: 415, code: 'UnsupportedMediaType', message: `The content type '${ctx.rec.headers['content-type'] ?? ''}' is not supported; use application/json.` };
    }
    if (ctx.rec.json === undefined) return badRequest('The request body is not valid JSON.');
    const invalid = validateReportBody(ctx.rec.json, this.reportVersion);
    if (invalid) return invalid;
    this.reports.push((ctx.rec.json as { reportingPayload: unknown }).reportingPayload);
    return { status: 204 };
  }

  private getUser(ctx: Ctx, u: GraphUser | undefined): Result {
    const denied = this.require(ctx, ctx.segs[0].toLowerCase() === 'me' ? ['User.Read', ...PERMS.readUsers] : PERMS.readUsers, 'Authorization_RequestDenied');
    if (denied) return denied;
    const q = parseQuery(ctx.rec.url.searchParams, USER_SHAPE, false);
    if ('status' in q) return q;
    if (!u) return notFound(`Resource '${ctx.segs[1]}' does not exist or one of its queried reference-property objects are not present.`, 'Request_ResourceNotFound');
    return ok({ '@odata.context': `${this.context(ctx, 'users', q.select)}/$entity`, ...project(userEntity(u), q.select, USER_DEFAULT_PROPS) });
  }

  private listUsers(ctx: Ctx): Result {
    const denied = this.require(ctx, PERMS.readUsers, 'Authorization_RequestDenied');
    if (denied) return denied;
    const q = parseQuery(ctx.rec.url.searchParams, USER_SHAPE, true);
    if ('status' in q) return q;
    const matches = this.opts.seed.users.map(userEntity).filter((u) => !q.match || q.match(u));
    const page = paginate(matches, q, this.pageSize, ctx.rec.url, this.baseUrl);
    return ok({
      '@odata.context': this.context(ctx, 'users', q.select),
      ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
      value: page.value.map((u) => project(u, q.select, USER_DEFAULT_PROPS)),
    });
  }

  private userDevices(ctx: Ctx, u: GraphUser | undefined, entitySet: string): Result {
    if (!u) return notFound(`Resource '${ctx.segs[1]}' does not exist or one of its queried reference-property objects are not present.`, 'Request_ResourceNotFound');
    return this.listDevices(ctx, this.opts.seed.devices.filter((d) => d.userId === u.id), entitySet);
  }

  /** /me needs a delegated token (Graph: "/me request is only valid with delegated authentication flow"). */
  private me(ctx: Ctx, then: (u: GraphUser | undefined) => Result): Result {
    if (typeof ctx.claims.scp !== 'string') return badRequest('/me request is only valid with delegated authentication flow.');
    return then(this.findUser(String(ctx.claims.oid)));
  }

  private require(ctx: Ctx, anyOf: string[], code = 'Forbidden'): GraphErrorInfo | null {
    const granted = new Set([...(Array.isArray(ctx.claims.roles) ? ctx.claims.roles : []), ...String(ctx.claims.scp ?? '').split(' ')]);
    if (anyOf.some((p) => granted.has(p))) return null;
    const message = code === 'Forbidden'
      ? `Application is not authorized to perform this operation. Application must have one of the following scopes: ${anyOf.join(', ')}`
      : 'Insufficient privileges to complete the operation.';
    return { status: 403, code, message };
  }

  private findDevice(id: string): ManagedDevice | undefined {
    return this.opts.seed.devices.find((d) => d.id.toLowerCase() === id.toLowerCase());
  }

  private findUser(idOrUpn: string): GraphUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.opts.seed.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
  }

  private context(ctx: Ctx, entitySet: string, select?: string[]): string {
    return `${this.baseUrl}/${ctx.version}/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`;
  }

  private answerFault(res: ServerResponse, req: IncomingMessage, fault: Fault, segs: string[]): void {
    const isDirectory = segs[1]?.toLowerCase() === 'users' || segs[1]?.toLowerCase() === 'me';
    const code = fault.code ?? (fault.status === 403 && isDirectory ? 'Authorization_RequestDenied' : defaultCode(fault.status));
    const retryAfter = fault.retryAfterSec ?? (fault.status === 429 ? 1 : undefined);
    const message = fault.status === 403 ? 'Insufficient privileges to complete the operation.' : `Emulated ${fault.status} fault.`;
    this.answer(res, req, { status: fault.status, code, message }, retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) });
  }

  /**
   * As Graph answers every request, success or error: a fresh `request-id`, and the caller's `client-request-id`
   * echoed (one of Graph's own when the caller sent none); the error body repeats both under `innerError`.
   */
  private answer(res: ServerResponse, req: IncomingMessage, result: Result, extra: Record<string, string> = {}): void {
    const requestId = randomUUID();
    const clientRequestId = String(req.headers['client-request-id'] ?? randomUUID());
    const rec = this.recordOf.get(req);
    if (rec) rec.answeredRequestId = requestId;
    const headers = {
      'request-id': requestId, 'client-request-id': clientRequestId,
      'x-ms-ags-diagnostic': JSON.stringify({ ServerInfo: { DataCenter: 'Loopback', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'EMULATOR' } }),
      ...extra,
    };
    if (!('code' in result)) {
      if (result.status === 204) return sendEmpty(res, 204, headers);
      return sendJson(res, 200, result.body, { ...headers, 'odata-version': '4.0' });
    }
    if (result.status === 401) Object.assign(headers, { 'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' });
    sendJson(res, result.status, errorBody(result, requestId, clientRequestId), headers);
  }
}

const KNOWN_SEGMENTS = new Set(['devicemanagement', 'manageddevices', 'users', 'me', 'requestremoteassistance']);
const BEARER = /^Bearer\s+(\S+)$/i;

/** Graph-like reason for a 401 (messages as Graph sends them). */
function tokenProblem(header: string | undefined): string {
  const token = BEARER.exec(header ?? '')?.[1];
  if (!token) return 'Access token is empty.';
  const claims = jwt.decode(token) as Claims | null;
  if (!claims) return 'IDX14100: JWT is not well formed, there are no dots (.).';
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return 'Lifetime validation failed, the token is expired.';
  if (claims.aud !== GRAPH_RESOURCE) return 'Access token validation failure. Invalid audience.';
  return 'Access token validation failure.';
}

/** Path segments that are keys (ids, UPNs) rather than fixed names. */
function isParam(lower: string[], i: number): boolean {
  return (lower[0] === 'devicemanagement' && lower[1] === 'manageddevices' && i === 2)
    || (lower[0] === 'users' && (i === 1 || (i === 3 && lower[2] === 'manageddevices')));
}

function ok(body: unknown): Result { return { status: 200, body }; }

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type { FaultRule };
