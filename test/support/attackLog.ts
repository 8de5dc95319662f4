// Security tests record each attack they try; `npm test` prints them as one table at the end.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './botProcess';

export const ATTACK_LOG = path.join(ROOT, 'test-results', 'attacks.jsonl');

export interface AttackRow {
  attack: string;
  expected: string;
  observed: string;
}

export function recordAttack(row: AttackRow): void {
  mkdirSync(path.dirname(ATTACK_LOG), { recursive: true });
  appendFileSync(ATTACK_LOG, JSON.stringify(row) + '\n');
}

/** Runs one attack, records its row for the table, and fails the test if the outcome is not the expected one. */
export async function attack(name: string, expected: string, observe: () => Promise<string>): Promise<void> {
  const observed = await observe();
  recordAttack({ attack: name, expected, observed });
  assert.equal(observed, expected, name);
}
