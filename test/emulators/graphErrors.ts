// Microsoft Graph's error JSON (graph-contract.md §4.1): { error: { code, message, innerError: { date,
// request-id, client-request-id } } }, and the TooManyRequests body of §4.2.

export interface GraphErrorInfo { status: number; code: string; message: string }

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest', 401: 'InvalidAuthenticationToken', 403: 'Forbidden', 404: 'ResourceNotFound',
  405: 'MethodNotAllowed', 409: 'Conflict', 415: 'UnsupportedMediaType', 429: 'TooManyRequests',
  500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
};

export function defaultCode(status: number): string {
  return DEFAULT_CODES[status] ?? (status >= 500 ? 'UnknownError' : 'BadRequest');
}

/** Graph's date format in innerError has no fractional seconds and no zone ("2022-04-12T13:14:33"). */
function graphDate(): string {
  return new Date().toISOString().slice(0, 19);
}

export function errorBody(err: GraphErrorInfo, requestId: string, clientRequestId: string): unknown {
  if (err.status === 429 && err.code === 'TooManyRequests') {
    return {
      error: {
        code: 'TooManyRequests',
        innerError: { code: '429', date: graphDate(), message: 'Please retry after', 'request-id': requestId, status: '429', 'client-request-id': clientRequestId },
        message: 'Please retry again later.',
      },
    };
  }
  return { error: { code: err.code, message: err.message, innerError: { date: graphDate(), 'request-id': requestId, 'client-request-id': clientRequestId } } };
}

export const badRequest = (message: string, code = 'BadRequest'): GraphErrorInfo => ({ status: 400, code, message });
export const notFound = (message: string, code = 'ResourceNotFound'): GraphErrorInfo => ({ status: 404, code, message });
