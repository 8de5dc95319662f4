// Which of our Graph operations a request belongs to, for the middlewares that log or measure each call.
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
