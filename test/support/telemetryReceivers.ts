// Loopback stand-ins for where the bot's telemetry goes: an OTLP/HTTP collector (JSON, as
// @opentelemetry/exporter-*-otlp-http send it) and Application Insights' ingestion endpoint (the Breeze
// /v2.1/track envelopes @azure/monitor-opentelemetry-exporter posts, gzip or not).
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { close, listen } from '../emulators/recorder';

export interface Received {
  method: string;
  path: string;
  /** The decoded body: OTLP's JSON request, or an array of Breeze envelopes. */
  body: unknown;
}

async function readDecoded(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

abstract class Receiver {
  readonly received: Received[] = [];
  private readonly server: Server;
  port = 0;

  /** `tls`: serve HTTPS with this key and certificate (the bot must trust it: NODE_EXTRA_CA_CERTS). */
  constructor(private readonly tls?: { key: string; cert: string }) {
    const handle: RequestListener = (req, res) => {
      readDecoded(req).then(
        (text) => {
          this.received.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], body: this.parse(req, text) });
          res.writeHead(200, { 'content-type': 'application/json' }).end(this.answer(req, text));
        },
        () => res.writeHead(400).end(),
      );
    };
    this.server = tls ? createTlsServer(tls, handle) : createServer(handle);
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await listen(this.server);
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  protected abstract parse(req: IncomingMessage, text: string): unknown;
  protected abstract answer(req: IncomingMessage, text: string): string;
}

// --- OTLP (JSON encoding of opentelemetry-proto; ids as hex, 64-bit integers as strings) ---

export type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
}
export interface OtlpDataPoint {
  attributes: Array<{ key: string; value: OtlpValue }>;
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpDataPoint[] };
  gauge?: { dataPoints: OtlpDataPoint[] };
  histogram?: { dataPoints: OtlpDataPoint[] };
}

export const attributesOf = (list: Array<{ key: string; value: OtlpValue }>): Record<string, string | number | boolean> =>
  Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue ?? '']));

export class OtlpReceiver extends Receiver {
  protected parse(_req: IncomingMessage, text: string): unknown {
    return JSON.parse(text);
  }

  protected answer(): string {
    return '{}';
  }

  spans(): OtlpSpan[] {
    return this.received
      .filter((r) => r.path === '/v1/traces')
      .flatMap((r) => (r.body as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans)
      .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  }

  /** The data points of `name` in the last export that had it (cumulative: the totals so far). */
  lastPoints(name: string): Array<{ attributes: Record<string, string | number | boolean>; value: number }> {
    const exports = this.received
      .filter((r) => r.path === '/v1/metrics')
      .map((r) => (r.body as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: OtlpMetric[] }> }> }).resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)))
      .map((metrics) => metrics.filter((m) => m.name === name))
      .filter((metrics) => metrics.length);
    const last = exports.at(-1) ?? [];
    return last.flatMap((m) => (m.sum ?? m.gauge ?? m.histogram)!.dataPoints).map((p) => ({
      attributes: attributesOf(p.attributes ?? []),
      value: Number(p.count ?? p.asInt ?? p.asDouble),
    }));
  }
}

// --- Application Insights ingestion (Breeze) ---

export interface Envelope {
  name: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

export class IngestionReceiver extends Receiver {
  protected parse(_req: IncomingMessage, text: string): unknown {
    // A JSON array of envelopes (the exporter's form), or newline-delimited envelopes.
    const trimmed = text.trim();
    return trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  /** Breeze's answer: every item accepted. */
  protected answer(_req: IncomingMessage, text: string): string {
    const count = (this.parse(_req, text) as unknown[]).length;
    return JSON.stringify({ itemsReceived: count, itemsAccepted: count, errors: [] });
  }

  envelopes(): Envelope[] {
    return this.received.filter((r) => r.path.endsWith('/track')).flatMap((r) => r.body as Envelope[]);
  }
}
