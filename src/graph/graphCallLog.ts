// One log record per HTTP request to Graph, success or failure, with the ids Microsoft support asks for.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../log';
import { graphOperationOf, noAnswerOf, requestOf } from './graphOperation';

/**
 * Sits just before the HTTP handler, so each attempt (a retry is another request with its own `request-id`)
 * is one record: operation, method, path, status (or timeout/network), duration, Graph's `request-id` and our
 * `client-request-id`. Never headers: the request carries the bearer token. The query (a `$filter` may hold
 * a person's name) is only in a debug record written as the request leaves.
 */
export class GraphCallLogHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly log: Logger) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const started = performance.now();
    const { url, method } = requestOf(context);
    const call = {
      operation: graphOperationOf(context),
      method,
      path: url.pathname,
      clientRequestId: requestHeader(context, 'client-request-id'),
      retryAttempt: Number(requestHeader(context, 'Retry-Attempt')) || undefined,
    };
    if (url.search) this.log.debug({ ...call, query: decodeQuery(url.search) }, 'graph request');
    const durationMs = () => Math.round(performance.now() - started);
    try {
      await this.next!.execute(context);
    } catch (error) {
      const status = noAnswerOf(error, context);
      this.log.warn({ ...call, status, durationMs: durationMs(), error: errorName(error) }, 'graph call');
      throw error;
    }
    const response = context.response;
    const status = response?.status ?? 0;
    this.log[status >= 200 && status < 400 ? 'info' : 'warn'](
      {
        ...call,
        status,
        durationMs: durationMs(),
        requestId: response?.headers.get('request-id') ?? undefined,
        // Graph echoes ours; if it ever answers with its own, that is the one support can find.
        clientRequestId: response?.headers.get('client-request-id') ?? call.clientRequestId,
      },
      'graph call',
    );
  }
}

/** A request header as the chain holds it: on a Request object, or in the fetch options (Headers, pairs or a record). */
function requestHeader(context: Context, name: string): string | undefined {
  if (typeof context.request !== 'string') return context.request.headers.get(name) ?? undefined;
  const headers = context.options?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  return entries.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

/** The error's class and code, never its message (a fetch error can quote the URL with its query). */
function errorName(error: unknown): string {
  const { name, code, cause } = (error ?? {}) as { name?: string; code?: string; cause?: { code?: string } };
  return [name, code ?? cause?.code].filter(Boolean).join(' ') || 'Error';
}

function decodeQuery(search: string): string {
  try {
    return decodeURIComponent(search.slice(1));
  } catch {
    return search.slice(1);
  }
}
