// The last link of the Graph client's chain: the HTTP exchange itself, over node:https with kept connections.
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request, type RequestOptions } from 'node:https';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/** Idle connections are closed after this; Azure's load balancers drop them after about 4 minutes anyway. */
const IDLE_MS = 60_000;
/** Reads a body as fetch's text() and json() do: UTF-8, a leading byte order mark dropped. */
const utf8 = new TextDecoder();

/**
 * Takes the place of the SDK's HTTPMessageHandler, which calls the global fetch: in the profiles of a turn
 * with one Graph read, fetch (undici, web streams, its abort signals) was about 12 % of the bot's busy time
 * (docs/BENCHMARKS.md). A request of node:https on a keep-alive agent does the same exchange for a fraction of
 * that. The answer is read whole and handed on as the part of a fetch Response the chain reads. Like the fetch
 * it replaces, it never follows redirects (the RedirectHandler does) and aborts with the request's signal.
 */
export class HttpsTransport implements Middleware {
  constructor(private readonly agent = new Agent({ keepAlive: true, timeout: IDLE_MS, scheduling: 'lifo' })) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const headers = plainHeaders(options.headers);
    const body = bodyOf(options.body);
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    context.response = await this.exchange(url, { method: options.method ?? 'GET', headers, agent: this.agent, signal: options.signal ?? undefined }, body);
  }

  private exchange(url: string, options: RequestOptions, body: Buffer | undefined): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve(new Answer(res.statusCode ?? 0, res.statusMessage ?? '', res.headers, Buffer.concat(chunks)) as unknown as Response));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The chain sends JSON (a string) or nothing; anything else would be a change in the SDK, said as such. */
function bodyOf(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new Error(`HttpsTransport cannot send a ${Object.prototype.toString.call(body)} body`);
}

/** Request headers as the chain holds them (a Headers, pairs, or a record) as node:https takes them. */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const plain: Record<string, string> = {};
  if (headers instanceof Headers) headers.forEach((value, name) => (plain[name] = value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) plain[name] = value;
  else Object.assign(plain, headers);
  return plain;
}

/** Node's view of answer headers (names in lower case, repeats joined) behind the Headers methods the chain calls. */
class AnswerHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.headers[name.toLowerCase()] !== undefined;
  }

  forEach(each: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.headers)) each(this.get(name)!, name);
  }
}

/**
 * What the Graph client, its middlewares and ours read of a fetch Response (GraphResponseHandler,
 * GraphErrorHandler, RetryHandler, RedirectHandler): the status, the headers, and the body once, as JSON,
 * text, bytes or a Blob. Building a real Response would bring back the web streams this file avoids.
 */
class Answer {
  readonly headers: AnswerHeaders;

  constructor(readonly status: number, readonly statusText: string, headers: IncomingHttpHeaders, private readonly bytes: Buffer) {
    this.headers = new AnswerHeaders(headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return utf8.decode(this.bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(utf8.decode(this.bytes));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([new Uint8Array(this.bytes)], { type: this.headers.get('content-type') ?? '' });
  }
}
