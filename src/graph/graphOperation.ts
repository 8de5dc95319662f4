// What a request in the Graph client's chain is (its operation, URL, method, how it ended without an answer),
// for the middlewares that log and measure each call.
import type { Context, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { GraphOperation } from './graphErrors';

/**
 * The names an admin sees in logs and metrics: Graph's own action names where there is one, so the record
 * says what Microsoft's documentation and support call it, never the URL with its ids.
 */
export const OPERATION_NAMES: Record<GraphOperation, string> = {
  findDevices: 'findDevices',
  getDevice: 'getDevice',
  getAssistanceSession: 'getRemoteAssistanceSession',
  requestAssistance: 'requestRemoteAssistance',
  getUser: 'getUser',
  findUsers: 'findUsers',
  listUserDevices: 'listUserDevices',
  report: 'reportRemoteAssistance',
  checkMembership: 'checkMemberGroups',
};

/** Carried by each request of an operation (its pages and retries too) through the client's middleware chain. */
export class GraphOperationOption implements MiddlewareOptions {
  constructor(readonly name: string) {}

  static of(operation: GraphOperation): GraphOperationOption {
    return new GraphOperationOption(OPERATION_NAMES[operation]);
  }
}

/** The operation a request in the chain belongs to; `other` for a request made without one. */
export function graphOperationOf(context: Context): string {
  const option = context.middlewareControl?.getMiddlewareOptions(GraphOperationOption) as GraphOperationOption | undefined;
  return option?.name ?? 'other';
}

/** The request's URL and method, whether the chain holds a Request object or a URL with fetch options. */
export function requestOf(context: Context): { url: URL; method: string } {
  const request = context.request;
  const url = new URL(typeof request === 'string' ? request : request.url);
  return { url, method: (context.options?.method ?? (typeof request === 'string' ? 'GET' : request.method)).toUpperCase() };
}

/** How a request that got no HTTP answer ended: our deadline aborted it, or the connection failed. */
export type NoAnswer = 'timeout' | 'network';

export function noAnswerOf(error: unknown, context: Context): NoAnswer {
  const aborted = (error as { name?: string } | undefined)?.name === 'AbortError' || Boolean(context.options?.signal?.aborted);
  return aborted ? 'timeout' : 'network';
}
