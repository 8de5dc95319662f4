// Small HTTP helpers shared by the emulators: record what the bot sent, answer JSON, listen on loopback.
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** pathname + search exactly as sent (still percent-encoded). */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed body when it was valid JSON. */
  json?: unknown;
  at: number;
  /**
   * Status of the injected fault, when a fault rule met this request (429 too when the Graph emulator's write
   * limit refused it); FAULTED (faults.ts) for the kinds without one.
   */
  faulted?: number;
  /** When the Graph emulator acted on the request (after a hang); unset when a fault answered instead. */
  servedAt?: number;
  /** The `request-id` the Graph emulator answered with (none when the connection was reset instead). */
  answeredRequestId?: string;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Reads the whole request and turns it into a record (JSON parsed when possible). */
export async function recordRequest(req: IncomingMessage, base: string): Promise<RecordedRequest> {
  const body = await readBody(req);
  const path = req.url ?? '/';
  let json: unknown;
  if (body) {
    try { json = JSON.parse(body); } catch { /* not JSON: keep raw body only */ }
  }
  return { method: req.method ?? 'GET', path, url: new URL(path, base), headers: req.headers, body, json, at: Date.now() };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** Listens on 127.0.0.1 only (never on a public interface) and resolves with the bound port. */
export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server, dropping idle keep-alive sockets so tests do not hang on stop(). */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
