// Agents Playground 0.2.28 puts `locale: "en-US"` on every activity it sends (hard-coded in its dist/index.js),
// so on its own it can only be an English-speaking Teams. This loopback HTTP proxy sits between it and the bot
// and rewrites the locale of each incoming activity (and of its clientInfo entity, as Teams sends both) to
// the one the test chose; everything else, the bot's answers included, passes through untouched.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class LocaleProxy {
  private readonly server: http.Server;
  private targetPort = 0;
  /** The locale the bot sees; change it between turns to be a technician whose Teams speaks another language. */
  locale: string;
  port = 0;

  constructor(locale: string) {
    this.locale = locale;
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.forward(req, Buffer.concat(chunks), res));
    });
  }

  /** The URL to give the Playground in place of the bot's, e.g. http://127.0.0.1:41234/api/messages */
  get botEndpoint(): string {
    return `http://127.0.0.1:${this.port}/api/messages`;
  }

  async start(targetPort: number): Promise<void> {
    this.targetPort = targetPort;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const rewritten = this.rewrite(body, req.headers['content-type']);
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: this.targetPort,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${this.targetPort}`, 'content-length': String(rewritten.length) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(rewritten);
  }

  private rewrite(body: Buffer, contentType: string | undefined): Buffer {
    if (!body.length || !contentType?.includes('json')) return body;
    let activity: { locale?: string; entities?: { type?: string; locale?: string }[] };
    try {
      activity = JSON.parse(body.toString('utf8'));
    } catch {
      return body; // not ours to judge: the bot answers malformed JSON itself
    }
    if (!activity || typeof activity !== 'object' || Array.isArray(activity)) return body;
    activity.locale = this.locale;
    for (const entity of Array.isArray(activity.entities) ? activity.entities : []) {
      if (entity?.type === 'clientInfo') entity.locale = this.locale;
    }
    return Buffer.from(JSON.stringify(activity));
  }
}
