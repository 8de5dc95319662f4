// Spans of our own where no instrumentation makes one: the turn, a report's delivery. On the API only, so
// they are no-ops when no SDK was started.
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

const tracer = () => trace.getTracer('assistdesk');

/**
 * Runs `work` in a span that is the active one meanwhile, so every span started under it is its child. A
 * failure is marked with the error's name only: a message may carry what a technician typed.
 */
export function inSpan<T>(name: string, work: () => Promise<T>, attributes?: Attributes, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return tracer().startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'Error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Names the incoming request's span by its route: the HTTP instrumentation knows only the method. */
export function nameRequestSpan(route: string, method: string): void {
  const span = trace.getActiveSpan();
  span?.updateName(`${method} ${route}`);
  span?.setAttribute('http.route', route);
}
