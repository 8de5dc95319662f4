import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { scanLogs, scanText } from '../support/secretScan';
import { tempDir } from '../support/tempDir';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl';
const SECRETS = [{ kind: 'AZURE_CLIENT_SECRET', value: 'emulator-client-secret-value-123' }, { kind: 'Entra access token', value: TOKEN }];

describe('the secrets scan over kept logs', () => {
  it('finds a token planted in a log, naming file and line but never the value', () => {
    const dir = tempDir('assistdesk-scan-');
    mkdirSync(path.join(dir, 'bot-logs'));
    const file = path.join(dir, 'bot-logs', 'planted.log');
    writeFileSync(file, ['{"level":30,"msg":"fine"}', `{"level":50,"msg":"oops","token":"${TOKEN}"}`, ''].join('\n'));
    const { files, findings } = scanLogs(dir, SECRETS);
    assert.equal(files, 1);
    assert.deepEqual(findings.map((f) => [path.basename(f.file), f.line, f.what]).sort(), [
      ['planted.log', 2, 'Entra access token'],
      ['planted.log', 2, 'a JWT-shaped string (eyJ…)'],
    ]);
    assert.ok(!JSON.stringify(findings).includes(TOKEN), 'the finding does not repeat the token');
  });

  it('finds a known secret, an Authorization header and a bearer token, whatever their shape', () => {
    const lines = [
      'client secret emulator-client-secret-value-123 in a message',
      '{"headers":{"Authorization":"Basic dXNlcjpwYXNz"}}',
      'sent Bearer abc.def-ghi_jkl to the connector',
    ].join('\n');
    assert.deepEqual(scanText('x.log', lines, SECRETS).map((f) => [f.line, f.what]), [
      [1, 'AZURE_CLIENT_SECRET'],
      [2, 'an Authorization header with a value'],
      [3, 'a bearer token'],
    ]);
  });

  it('passes a clean log: a redacted header, the word Authorization in prose, ids and GUIDs', () => {
    const lines = [
      '{"headers":{"authorization":"[redacted]"},"msg":"refused"}',
      '{"err":{"request":{"headers":{"authorization":"REDACTED"}}}}',
      '{"msg":"refused an activity: its token did not authenticate","reason":"JsonWebTokenError: [token]"}',
      '{"requestId":"3704e871-3f07-49a2-a8ec-fb6095281613","msg":"graph call","path":"/v1.0/users/00000000-0000-0000-0000-0000000000a1"}',
      'Authorization failed for this request',
    ].join('\n');
    assert.deepEqual(scanText('x.log', lines, SECRETS), []);
  });
});
