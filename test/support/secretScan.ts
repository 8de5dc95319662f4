// Looks through kept logs for anything that must never be logged: a secret the run knew or minted, an
// Authorization header or a bearer token, a JWT. A finding names the file, the line and what was found,
// never the value.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretEntry } from '../emulators/secretLedger';

export interface Finding {
  file: string;
  line: number;
  what: string;
}

/** Shapes that are wrong in a log whatever their value. A censored one (pino's "[redacted]", the Azure SDK's "REDACTED") is fine. */
const SHAPES: Array<{ what: string; pattern: RegExp }> = [
  { what: 'an Authorization header with a value', pattern: /authorization["']?\s*[:=]\s*["']?(?!\[?redacted\]?["',}\s]|\[?redacted\]?$)[^\s"',}]{4,}/i },
  { what: 'a bearer token', pattern: /\bbearer\s+(?!realm\b)[\w\-.~+/]{8,}=*/i },
  { what: 'a JWT-shaped string (eyJ…)', pattern: /eyJ[\w-]{10,}/ },
];

export function readLedger(file: string): SecretEntry[] {
  if (!existsSync(file)) return [];
  const entries = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SecretEntry);
  // The same value recorded twice (a secret in several worlds) is looked for once.
  return [...new Map(entries.map((e) => [e.value, e])).values()];
}

/** Every line of `text` that shows a secret of `secrets` or one of the forbidden shapes. */
export function scanText(file: string, text: string, secrets: SecretEntry[]): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((content, index) => {
    const found = new Set<string>();
    for (const secret of secrets) if (content.includes(secret.value)) found.add(secret.kind);
    for (const shape of SHAPES) if (shape.pattern.test(content)) found.add(shape.what);
    for (const what of found) findings.push({ file, line: index + 1, what });
  });
  return findings;
}

/** Scans every file under `dir` (the kept bot logs). */
export function scanLogs(dir: string, secrets: SecretEntry[]): { files: number; findings: Finding[] } {
  if (!existsSync(dir)) return { files: 0, findings: [] };
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return { files: files.length, findings: files.flatMap((file) => scanText(file, readFileSync(file, 'utf8'), secrets)) };
}
