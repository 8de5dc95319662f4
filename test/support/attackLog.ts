// Security tests record each attack they try; `npm test` prints them as one table at the end.
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
