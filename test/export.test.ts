// `npm run export` against both stores: sessions written through the store API, the built CLI run as a child
// process with the bot's own storage variables, its output parsed back. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import 'restify';
import { EXPORT_COLUMNS } from '../src/audit/sessionExport';
import type { Session } from '../src/sessions/session';
import { openAzureStore, SESSIONS_CONTAINER } from '../src/store/azure/azureStore';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../src/store/azurite/embeddedAzurite';
import type { Store } from '../src/store/ports';
import { openSqliteStore } from '../src/store/sqlite/sqliteStore';
import { tempDir } from './support/tempDir';
import { aSession, laptop } from './unit/fixtures';

const CLI = path.resolve(__dirname, '..', 'lib', 'cli', 'export.js');

/** Runs the export with only the storage variables (no Graph or bot secret), from an empty folder (no .env). */
async function runExport(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: tempDir('assistdesk-export-cwd-'), env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

const techA = randomUUID(), techB = randomUUID();
const device = (deviceName: string, userDisplayName = 'Megan Bowen') => ({ ...laptop, id: randomUUID(), deviceName, userDisplayName });
const report = (start: string, end: string) => ({ sessionType: 'fullControl' as const, startDateTime: start, endDateTime: end, helperDeviceId: 'h1' });
/** Device and people names as this tenant has them: formula starters, commas, quotes, a line break, non-Latin. */
const SESSIONS: Session[] = [
  aSession({ id: randomUUID(), state: 'reported', createdAt: '2026-11-01T08:00:00.000Z', updatedAt: '2026-11-01T08:30:00.000Z', technician: { aadObjectId: techA, name: 'Zoë Ångström' },
    device: device('=HYPERLINK("http://evil.example","x")'), report: report('2026-11-01T08:00:00+00:00', '2026-11-01T08:20:00+00:00'), reportedAt: '2026-11-01T08:30:00.000Z' }),
  aSession({ id: randomUUID(), state: 'failed', createdAt: '2026-11-15T12:00:00.000Z', updatedAt: '2026-11-15T12:00:00.000Z', technician: { aadObjectId: techB, name: 'Bob, "the fixer"' },
    device: device('+SUM(1)', '-Кирилл\nНовый'), report: report('2026-11-15T12:00:00+01:00', '2026-11-15T12:40:00+01:00') }),
  aSession({ id: randomUUID(), state: 'cancelled', cancelledAt: '2026-11-30T23:00:00.000Z', abandonedAt: '2026-11-30T23:00:00.000Z', createdAt: '2026-11-30T22:59:59.999Z', updatedAt: '2026-11-30T23:00:00.000Z',
    technician: { aadObjectId: techA, name: 'Zoë Ångström' }, device: device('@KIOSK-7') }),
  // Outside the range: the day before and the day after.
  aSession({ id: randomUUID(), createdAt: '2026-10-31T23:59:59.999Z', updatedAt: '2026-10-31T23:59:59.999Z', technician: { aadObjectId: techA, name: 'Zoë Ångström' } }),
  aSession({ id: randomUUID(), createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', technician: { aadObjectId: techA, name: 'Zoë Ångström' } }),
];
const IN_NOVEMBER = SESSIONS.slice(0, 3);

interface Backend {
  name: string;
  open(): Promise<{ store: Store; env: Record<string, string> }>;
  /** Storage variables that may only read what the export needs, where the engine has such a thing. */
  readOnlyEnv?(): Record<string, string>;
  stop(): Promise<void>;
}

/** A connection string whose SAS may only read and list blobs of the sessions container: no queue, no create. */
function readOnlySas(connectionString: string): string {
  const part = (key: string) => connectionString.match(new RegExp(`${key}=([^;]+)`))![1];
  const sas = generateBlobSASQueryParameters(
    { containerName: SESSIONS_CONTAINER, permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3600_000) },
    new StorageSharedKeyCredential(part('AccountName'), part('AccountKey')),
  ).toString();
  return `BlobEndpoint=${part('BlobEndpoint')};SharedAccessSignature=${sas}`;
}

const backends: Backend[] = [
  {
    name: 'the SQLite file',
    async open() {
      const dataDir = tempDir('assistdesk-export-');
      return { store: openSqliteStore(dataDir), env: { ASSISTDESK_DATA_DIR: dataDir } };
    },
    stop: async () => {},
  },
  (() => {
    let azurite: EmbeddedAzurite | undefined;
    return {
      name: 'Azure Storage (Azurite)',
      async open() {
        azurite = await startEmbeddedAzurite({ dataDir: tempDir('assistdesk-export-azurite-') });
        const store = await openAzureStore({ kind: 'connectionString', connectionString: azurite.connectionString });
        return { store, env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString } };
      },
      readOnlyEnv: () => ({ AZURE_STORAGE_CONNECTION_STRING: readOnlySas(azurite!.connectionString) }),
      stop: async () => azurite?.stop(),
    };
  })(),
];

for (const backend of backends) {
  describe(`npm run export from ${backend.name}`, () => {
    let env: Record<string, string>;
    before(async () => {
      const opened = await backend.open();
      env = opened.env;
      for (const session of SESSIONS) await opened.store.sessions.create(session);
      await opened.store.close();
    });
    after(() => backend.stop());

    it('writes November as RFC 4180 CSV, oldest first, with formula starters made inert and every other character kept', async () => {
      const { code, stdout, stderr } = await runExport(env, ['--format', 'csv', '--from', '2026-11-01', '--to', '2026-11-30']);
      assert.equal(code, 0, stderr);
      assert.match(stderr, /Exported 3 sessions/);
      assert.equal(stdout.split('\r\n').length, 5, 'CRLF after the header and each of the 3 records, and nowhere else');
      assert.ok(stdout.includes(`"'-Кирилл\nНовый"`), 'a field with a line break is quoted');
      const rows = parse(stdout, { columns: true }) as Record<string, string>[];
      assert.deepEqual(Object.keys(rows[0]), [...EXPORT_COLUMNS]);
      assert.deepEqual(rows.map((r) => r.reportId), IN_NOVEMBER.map((s) => s.id));
      const [first, second, third] = rows;
      assert.equal(first.deviceName, `'=HYPERLINK("http://evil.example","x")`);
      assert.deepEqual([first.technicianName, first.technicianId, first.deviceId, first.userName, first.userPrincipalName], ['Zoë Ångström', techA, IN_NOVEMBER[0].device.id, 'Megan Bowen', laptop.userPrincipalName]);
      assert.deepEqual([first.sessionType, first.start, first.end, first.outcome, first.reportedAt], ['fullControl', '2026-11-01T08:00:00+00:00', '2026-11-01T08:20:00+00:00', 'reported', '2026-11-01T08:30:00.000Z']);
      assert.deepEqual([second.deviceName, second.userName, second.technicianName, second.outcome], ["'+SUM(1)", "'-Кирилл\nНовый", 'Bob, "the fixer"', 'failed']);
      assert.deepEqual([third.deviceName, third.outcome, third.sessionType, third.start, third.reportedAt], ["'@KIOSK-7", 'abandoned', '', '', '']);
    });

    it('writes JSON lines with the values as stored, and keeps to one technician when asked', async () => {
      const { code, stdout, stderr } = await runExport(env, ['--format', 'jsonl', '--from', '2026-11-01', '--to', '2026-11-30', '--technician', techA.toUpperCase()]);
      assert.equal(code, 0, stderr);
      const rows = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(rows.map((r) => r.reportId), [IN_NOVEMBER[0].id, IN_NOVEMBER[2].id]);
      assert.equal(rows[0].deviceName, '=HYPERLINK("http://evil.example","x")', 'JSON is not a spreadsheet: nothing prefixed');
      assert.equal(rows[1].sessionType, null);
    });

    if (backend.readOnlyEnv) {
      it('exports with an identity that may only read and list the sessions container', async () => {
        const { code, stdout, stderr } = await runExport(backend.readOnlyEnv!(), ['--format', 'jsonl', '--from', '2026-11-01', '--to', '2026-11-30']);
        assert.equal(code, 0, stderr);
        assert.deepEqual(stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { reportId: string }).reportId), IN_NOVEMBER.map((s) => s.id));
      });
    }

    it('exports everything without a range, and refuses a sign-in name or a bad day, naming each problem', async () => {
      const all = await runExport(env, []);
      assert.equal(all.code, 0, all.stderr);
      assert.deepEqual((parse(all.stdout, { columns: true }) as Record<string, string>[]).map((r) => r.reportId), [SESSIONS[3], ...IN_NOVEMBER, SESSIONS[4]].map((s) => s.id));
      const bad = await runExport(env, ['--from', '2026-13-01', '--technician', 'alex@contoso.example', '--format', 'xlsx']);
      assert.equal(bad.code, 2);
      for (const name of ['--format', '--from', '--technician', 'az ad user show']) assert.ok(bad.stderr.includes(name), `${name}: ${bad.stderr}`);
      assert.equal(bad.stdout, '');
    });
  });
}

describe('npm run export without a store', () => {
  it('says there is no database rather than creating one', async () => {
    const dataDir = path.join(tempDir('assistdesk-export-none-'), 'data');
    const { code, stderr } = await runExport({ ASSISTDESK_DATA_DIR: dataDir }, []);
    assert.equal(code, 1);
    assert.match(stderr, /no database at .*ASSISTDESK_DATA_DIR/);
  });
});
