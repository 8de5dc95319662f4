import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

export type Logger = pino.Logger;

// Anything that can carry a credential is censored wherever it appears in a log record.
const REDACT = [
  'authorization', '*.authorization', '*.*.authorization', 'headers.authorization',
  'token', '*.token', 'accessToken', '*.accessToken', 'secret', '*.secret', 'clientSecret', '*.clientSecret',
  'password', '*.password', 'MicrosoftAppPassword', 'AZURE_CLIENT_SECRET',
];

/** What ties a log record to the turn or the background work it was written in. */
export interface LogFields {
  activityId?: string;
  conversationId?: string;
  sessionId?: string;
}

// One object per scope, so a field learnt later in the turn (its session) reaches every record after it.
const scope = new AsyncLocalStorage<LogFields>();

/**
 * Runs `work` in a fresh scope: every record logged from it, and from whatever it awaits or schedules, carries
 * these fields. Opened where a turn enters and by each piece of background work, so nothing has to pass a
 * logger along to be correlated.
 */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return scope.run(definedOnly(fields), work);
}

/** Adds fields to the current scope, once they are known (the session a turn is about); outside any scope it does nothing. */
export function addLogFields(fields: LogFields): void {
  const current = scope.getStore();
  if (current) Object.assign(current, definedOnly(fields));
}

function definedOnly(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => typeof value === 'string' && value)) as LogFields;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'assistdesk' },
    redact: { paths: REDACT, censor: '[redacted]' },
    // A copy: a record must show the scope as it was when written.
    mixin: () => ({ ...scope.getStore() }),
  };
  return destination ? pino(options, destination) : pino(options);
}
