// Prints the attacks the security tests tried: expected and observed outcome, one row each.
import { existsSync, readFileSync } from 'node:fs';
import { ATTACK_LOG, type AttackRow } from '../test/support/attackLog';

const rows: AttackRow[] = existsSync(ATTACK_LOG)
  ? readFileSync(ATTACK_LOG, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
  : [];
const header: AttackRow = { attack: 'Attack', expected: 'Expected', observed: 'Observed' };
const width = (key: keyof AttackRow) => Math.max(...[header, ...rows].map((r) => r[key].length));
const line = (r: AttackRow) => `| ${r.attack.padEnd(width('attack'))} | ${r.expected.padEnd(width('expected'))} | ${r.observed.padEnd(width('observed'))} |`;
console.log(`\nSecurity: ${rows.length} attacks tried`);
console.log(line(header));
console.log(`|${'-'.repeat(width('attack') + 2)}|${'-'.repeat(width('expected') + 2)}|${'-'.repeat(width('observed') + 2)}|`);
for (const row of rows) console.log(line(row));
const mismatches = rows.filter((r) => r.expected !== r.observed);
if (mismatches.length) {
  console.log(`${mismatches.length} attack(s) did not get the expected outcome`);
  process.exitCode = 1;
}
