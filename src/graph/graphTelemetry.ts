// A span and the metrics for every HTTP request the Graph client makes (each retry and page its own), under
// whatever span is active: the turn's, or a report delivery's. It stands in for the HTTP instrumentation's
// span of the request (httpsTransport.ts), which would carry the query and not the Graph operation.
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { Metrics } from '../telemetry/metrics';
import { graphOperationOf, noAnswerOf, requestOf } from './graphOperation';

/** Goes just before the HTTP handler, so it sees each request as sent and its response as received. */
export class GraphTelemetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly metrics: Metrics) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const { url, method } = requestOf(context);
    const operation = graphOperationOf(context);
    const started = performance.now();
    // The query stays out: a $filter carries the device or person the technician typed.
    const attributes = { 'graph.operation': operation, 'http.request.method': method, 'url.full': url.origin + url.pathname, 'server.address': url.hostname };
    await trace.getTracer('assistdesk').startActiveSpan(`Graph ${operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      let status = 'network';
      try {
        // This span is the request's: the HTTP instrumentation's own would repeat it, query and all.
        await otelContext.with(suppressTracing(otelContext.active()), () => this.next!.execute(context));
        const code = context.response?.status ?? 0;
        status = String(code);
        span.setAttribute('http.response.status_code', code);
        if (code >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      } catch (error) {
        status = noAnswerOf(error, context);
        span.setStatus({ code: SpanStatusCode.ERROR, message: status });
        throw error;
      } finally {
        span.setAttribute('graph.status', status);
        span.end();
        this.metrics.graphCall(operation, status, performance.now() - started);
      }
    });
  }
}
