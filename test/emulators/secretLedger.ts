// Every secret a test run knows or mints (client secrets, Entra's tokens, channel and SSO tokens, storage
// keys), so that scripts/secretScan.ts can check no bot log of the run ever shows one. The values are the
// test world's own; they are written under test-results/ (not committed, recreated by `npm test`).
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const RESULTS_DIR = path.resolve(__dirname, '../../test-results');
export const SECRET_LEDGER = path.join(RESULTS_DIR, 'secrets.jsonl');
/** Where each bot process the tests start keeps its whole stdout and stderr. */
export const BOT_LOG_DIR = path.join(RESULTS_DIR, 'bot-logs');

export interface SecretEntry {
  /** What it is, named in a finding instead of the value: "Entra access token", "AZURE_CLIENT_SECRET". */
  kind: string;
  value: string;
}

/** Shorter values ("x") would match everywhere and prove nothing; no real secret is this short. */
export const MIN_SECRET_LENGTH = 8;

export function recordSecret(kind: string, value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(SECRET_LEDGER, JSON.stringify({ kind, value } satisfies SecretEntry) + '\n');
}

/** Environment variables whose value is a credential, and the account key inside a storage connection string. */
export function recordEnvironmentSecrets(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (/SECRET|PASSWORD/i.test(name)) recordSecret(name, value);
    if (/CONNECTION_STRING/i.test(name)) recordSecret(`${name} AccountKey`, /AccountKey=([^;]+)/i.exec(value ?? '')?.[1]);
  }
}
