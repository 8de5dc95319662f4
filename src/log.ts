import pino from 'pino';

export type Logger = pino.Logger;

// Anything that can carry a credential is censored wherever it appears in a log record.
const REDACT = [
  'authorization', '*.authorization', '*.*.authorization', 'headers.authorization',
  'token', '*.token', 'accessToken', '*.accessToken', 'secret', '*.secret', 'clientSecret', '*.clientSecret',
  'password', '*.password', 'MicrosoftAppPassword', 'AZURE_CLIENT_SECRET',
];

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'assistdesk' }, redact: { paths: REDACT, censor: '[redacted]' } });
}
