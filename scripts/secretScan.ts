// The last step of `npm test`: no kept bot log of the run shows a secret, an Authorization header, a bearer
// token or a JWT. Fails the run naming each file and line (never the value).
import path from 'node:path';
import { BOT_LOG_DIR, SECRET_LEDGER } from '../test/emulators/secretLedger';
import { readLedger, scanLogs } from '../test/support/secretScan';

const secrets = readLedger(SECRET_LEDGER);
const { files, findings } = scanLogs(BOT_LOG_DIR, secrets);
console.log(`\nSecrets scan: ${files} bot log(s) checked for ${secrets.length} known secret(s), Authorization headers, bearer tokens and JWTs`);
if (files === 0) {
  console.log(`no bot logs in ${path.relative(process.cwd(), BOT_LOG_DIR)}: nothing was checked`);
  process.exitCode = 1;
}
for (const f of findings) console.log(`  ${path.relative(process.cwd(), f.file)}:${f.line}: ${f.what}`);
if (findings.length) {
  console.log(`${findings.length} finding(s): a log must never show these`);
  process.exitCode = 1;
}
