// Loopback TLS for the HTTPS emulators. @azure/identity refuses http authority hosts, so Entra and
// Graph emulators must speak HTTPS; the bot child process trusts this certificate through
// NODE_EXTRA_CA_CERTS (read once at process start), hence the PEM file on disk.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoopbackTls {
  certPath: string;
  key: string;
  cert: string;
}

const SUBJECT = [{ name: 'commonName', value: 'AssistDesk loopback emulators' }];
const OPTIONS = {
  keySize: 2048,
  algorithm: 'sha256',
  notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
  // CA:true lets the same self-signed cert act as the trust anchor named by NODE_EXTRA_CA_CERTS.
  extensions: [
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ],
};

/**
 * Async form: selfsigned v5's generate() returns a Promise. A second certificate trusted next to another one
 * (one NODE_EXTRA_CA_CERTS bundle) needs its own `commonName`: OpenSSL finds a trust anchor by subject name.
 */
export async function makeLoopbackTlsAsync(dir: string, commonName?: string): Promise<LoopbackTls> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const selfsigned = require('selfsigned') as typeof import('selfsigned');
  const subject = commonName ? [{ name: 'commonName', value: commonName }] : SUBJECT;
  const pems = await selfsigned.generate(subject, OPTIONS as never);
  return save(dir, pems.private, pems.cert);
}

/**
 * Sync form (the lead's API). selfsigned v5 is async-only, so generation runs in a short-lived
 * node child process; callers get a plain value (and `await` on it still works).
 */
export function makeLoopbackTls(dir: string): LoopbackTls {
  const script =
    `require(${JSON.stringify(require.resolve('selfsigned'))})` +
    `.generate(${JSON.stringify(SUBJECT)}, JSON.parse(process.argv[1], (k, v) => k.endsWith('Date') ? new Date(v) : v))` +
    `.then(p => process.stdout.write(JSON.stringify({ key: p.private, cert: p.cert })))`;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(OPTIONS)], { encoding: 'utf8' });
  const { key, cert } = JSON.parse(out) as { key: string; cert: string };
  return save(dir, key, cert);
}

function save(dir: string, key: string, cert: string): LoopbackTls {
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, 'loopback-ca.pem');
  writeFileSync(certPath, cert);
  return { certPath, key, cert };
}
