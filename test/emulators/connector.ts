// Bot Connector REST API v3 emulator (plain HTTP on loopback): receives what the bot sends through
// CloudAdapter (sends, replies, updates, deletes), answers member lookups Teams-style, and lets tests
// wait for a given activity. The bot is pointed at it by the activity's serviceUrl.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { FaultSet, sleep } from './faults';
import { close, listen, recordRequest, sendEmpty, sendJson, type RecordedRequest } from './recorder';
import { DEMO_TENANT_ID, TECHNICIAN_ID } from './seed';

/** Teams' TeamsChannelAccount as returned by GET .../members. */
export interface TeamsMember {
  id: string; name: string; aadObjectId: string; givenName?: string; surname?: string;
  email?: string; userPrincipalName?: string; tenantId?: string; userRole?: string;
}

export interface ActivityRecord {
  method: 'POST' | 'PUT' | 'DELETE';
  kind: 'send' | 'reply' | 'update' | 'delete' | 'create';
  conversationId: string;
  /** Id the connector gave a send/reply, or the id in the path of an update/delete. */
  activityId?: string;
  replyToId?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  at: number;
}

export interface ConnectorFault { status: number; times?: number; path?: RegExp | string; retryAfterSec?: number; reset?: boolean; delayMs?: number }

export interface ConnectorOptions {
  /** Checks the bot's bearer token; default accepts anything (no app id sends no token). */
  expectBearer?: (token: string) => boolean;
  members?: TeamsMember[];
}

export const DEFAULT_MEMBERS: TeamsMember[] = [{
  id: '29:1AlexTechTeamsUserId', name: 'Alex Tech', aadObjectId: TECHNICIAN_ID, givenName: 'Alex', surname: 'Tech',
  email: 'alex.tech@contoso.example', userPrincipalName: 'alex.tech@contoso.example', tenantId: DEMO_TENANT_ID, userRole: 'user',
}];

type Waiter = { predicate: (r: ActivityRecord) => boolean; resolve: (r: ActivityRecord) => void };

export class ConnectorEmulator {
  readonly activities: ActivityRecord[] = [];
  /** Every request, including faulted ones (flagged `faulted`). */
  readonly requests: RecordedRequest[] = [];
  private readonly faults = new FaultSet();
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((err) => sendJson(res, 500, { error: { code: 'ServiceError', message: String(err) } }));
  });
  private waiters: Waiter[] = [];
  private nextId = 1;
  private port = 0;

  constructor(private readonly opts: ConnectorOptions = {}) {}

  async start(port = 0): Promise<void> { this.port = await listen(this.server, port); }
  stop(): Promise<void> { return close(this.server); }
  get serviceUrl(): string { return `http://127.0.0.1:${this.port}/`; }

  fault(f: ConnectorFault): void { this.faults.add({ ...f, path: f.path ?? '' }); }

  reset(): void {
    this.activities.length = 0;
    this.requests.length = 0;
    this.faults.clear();
  }

  /** Resolves with the first recorded activity (past or future) matching the predicate. */
  waitFor(predicate: (r: ActivityRecord) => boolean, timeoutMs = 5000): Promise<ActivityRecord> {
    const found = this.activities.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { predicate, resolve: (r) => { clearTimeout(timer); resolve(r); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`ConnectorEmulator.waitFor: no matching activity within ${timeoutMs} ms. Received ${this.activities.length}:\n${this.activities.map(describe).join('\n') || '(none)'}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private record(r: Omit<ActivityRecord, 'at'>): void {
    const full = { ...r, at: Date.now() };
    this.activities.push(full);
    for (const w of this.waiters.filter((w) => w.predicate(full))) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(full);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = await recordRequest(req, this.serviceUrl);
    this.requests.push(rec);
    // botbuilder percent-encodes Teams conversation ids (':' '@' ';'): split first, then decode.
    const segs = rec.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const fault = this.faults.take(rec.method, `/${segs.join('/')}`);
    if (fault) {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.reset) { rec.faulted = fault.status; req.socket.destroy(); return; }
      if (fault.status >= 400) {
        rec.faulted = fault.status;
        const retry = fault.retryAfterSec ?? (fault.status === 429 ? 1 : undefined);
        return sendJson(res, fault.status, { error: { code: fault.status === 429 ? 'Throttled' : 'ServiceError', message: `Emulated ${fault.status} fault.` } },
          retry === undefined ? {} : { 'Retry-After': String(retry) });
      }
    }
    if (this.opts.expectBearer) {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (!m || !this.opts.expectBearer(m[1])) return sendJson(res, 401, { message: 'Authorization has been denied for this request.' });
    }
    const [v3, coll, conversationId, sub, subId] = segs;
    if (v3 !== 'v3' || coll !== 'conversations') return notFound(res, rec);
    const body = rec.json;
    if (!conversationId && req.method === 'POST') {
      const activityId = isObject(body) && body.activity ? this.newId() : undefined;
      // A new post in a Teams channel: the conversation is the channel's thread of that post.
      const channel = isObject(body) && isObject(body.channelData) && isObject(body.channelData.channel) ? String(body.channelData.channel.id ?? '') : '';
      const id = channel && activityId ? `${channel};messageid=${activityId}` : `a:${randomUUID().replace(/-/g, '')}`;
      if (activityId) this.record({ method: 'POST', kind: 'create', conversationId: id, activityId, body: (body as { activity: unknown }).activity });
      return sendJson(res, 201, { id, activityId, serviceUrl: this.serviceUrl });
    }
    if (sub === 'activities' && segs.length <= 5) return this.activity(req.method ?? '', conversationId, subId, body, res, rec);
    if (req.method === 'GET' && (sub === 'members' || sub === 'pagedmembers')) return this.members(sub, subId, res);
    return notFound(res, rec);
  }

  private activity(method: string, conversationId: string, pathId: string | undefined, body: unknown, res: ServerResponse, rec: RecordedRequest): void {
    if (method === 'POST') {
      if (!isObject(body)) return sendJson(res, 400, { error: { code: 'BadArgument', message: 'Activity body is missing or not JSON.' } });
      const activityId = this.newId();
      this.record({ method, kind: pathId ? 'reply' : 'send', conversationId, activityId, replyToId: pathId, body });
      return sendJson(res, pathId ? 200 : 201, { id: activityId });
    }
    if (method === 'PUT' && pathId) {
      this.record({ method, kind: 'update', conversationId, activityId: pathId, body });
      return sendJson(res, 200, { id: pathId });
    }
    if (method === 'DELETE' && pathId) {
      this.record({ method, kind: 'delete', conversationId, activityId: pathId, body: undefined });
      return sendEmpty(res, 200);
    }
    return notFound(res, rec);
  }

  private members(sub: string, memberId: string | undefined, res: ServerResponse): void {
    const members = this.opts.members ?? DEFAULT_MEMBERS;
    if (sub === 'pagedmembers') return sendJson(res, 200, { members });
    if (!memberId) return sendJson(res, 200, members);
    const m = members.find((x) => x.id === memberId || x.aadObjectId === memberId);
    return m ? sendJson(res, 200, m) : sendJson(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'The specified member is not found in the conversation.' } });
  }

  private newId(): string { return `1:${Date.now()}${String(this.nextId++).padStart(4, '0')}`; }
}

function notFound(res: ServerResponse, rec: RecordedRequest): void {
  sendJson(res, 404, { error: { code: 'NotFound', message: `No route for ${rec.method} ${rec.url.pathname}` } });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(r: ActivityRecord): string {
  const b = r.body ?? {};
  const card = (b.attachments ?? []).map((a: { contentType?: string }) => a.contentType).join(',');
  return `  ${r.kind} ${r.method} conv=${r.conversationId} id=${r.activityId ?? ''} type=${b.type ?? ''} text=${JSON.stringify(b.text ?? '')}${card ? ` attachments=${card}` : ''}`;
}
