// The Teams app package: node --test --import tsx test/appPackage.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { decodePng, encodePng, type Image } from '../scripts/png';
import { APP_PACKAGE_DIR, ROOT, buildAppPackage, PackageError, type PackageResult } from '../scripts/package';

const BOT_ID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BOT_DOMAIN = 'assistdesk-bot.example.net';
const SCOPES = ['groupChat', 'personal', 'team'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'apppackage-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const tmpFile = (name: string) => path.join(tmp, `${n++}-${name}`);

/** A copy of appPackage/ that a test may break. */
function copyAppPackage(): string {
  const dir = mkdtempSync(path.join(tmp, 'pkg-'));
  for (const f of ['manifest.json', 'color.png', 'outline.png']) copyFileSync(path.join(APP_PACKAGE_DIR, f), path.join(dir, f));
  return dir;
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.ok(err instanceof PackageError, `expected a PackageError, got ${err}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('app package built from appPackage/', () => {
  let result: PackageResult;
  let zip: JSZip;
  let manifest: any;
  const fetchSchema = AppManifestUtils.fetchSchema;

  before(async () => {
    // Anything that tried to load a schema by URL (and so maybe over the network) fails the build.
    AppManifestUtils.fetchSchema = async (url: string) => {
      throw new Error(`schema fetched by URL: ${url}`);
    };
    try {
      result = await buildAppPackage({ env: { BOT_ID, BOT_DOMAIN }, outFile: tmpFile('appPackage.zip') });
    } finally {
      AppManifestUtils.fetchSchema = fetchSchema;
    }
    zip = await JSZip.loadAsync(readFileSync(result.outFile));
    manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
  });

  test('the zip holds exactly manifest.json, color.png and outline.png at its root', () => {
    assert.deepEqual(Object.keys(zip.files).sort(), ['color.png', 'manifest.json', 'outline.png']);
    for (const entry of Object.values(zip.files)) assert.equal(entry.dir, false);
    assert.deepEqual([...result.entries].sort(), ['color.png', 'manifest.json', 'outline.png']);
  });

  test('the manifest in the zip is valid against its official schema', async () => {
    const match = /\/teams\/v(\d+)\.(\d+)\/MicrosoftTeams\.schema\.json$/.exec(manifest.$schema);
    assert.ok(match, `unexpected $schema ${manifest.$schema}`);
    assert.equal(manifest.manifestVersion, `${match[1]}.${match[2]}`);
    assert.ok(Number(match[1]) > 1 || Number(match[2]) >= 17, 'manifest schema 1.17 or newer');
    const schemaFile = path.join(
      path.dirname(require.resolve('@microsoft/app-manifest/package.json')),
      'build/json-schemas/teams',
      `v${manifest.manifestVersion}`,
      'MicrosoftTeams.schema.json',
    );
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    assert.deepEqual(await AppManifestUtils.validateAgainstSchema(manifest, schema), []);
  });

  test('the manifest is also valid against the schema copy in shared/schemas, when present', async (t) => {
    const file = path.resolve(ROOT, '..', 'shared', 'schemas', 'teams', `v${manifest.manifestVersion}`, 'MicrosoftTeams.schema.json');
    if (!existsSync(file)) return t.skip(`no ${file}`);
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(await AppManifestUtils.validateAgainstSchema(manifest, schema), []);
  });

  test('placeholders are substituted: app id, bot id and valid domain', () => {
    assert.equal(manifest.id, BOT_ID);
    assert.equal(manifest.bots[0].botId, BOT_ID);
    assert.deepEqual(manifest.validDomains, [BOT_DOMAIN]);
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);
    // The committed manifest keeps its placeholders.
    const committed = readFileSync(path.join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
    assert.match(committed, /"id": "\$\{\{BOT_ID\}\}"/);
    assert.match(committed, /"botId": "\$\{\{BOT_ID\}\}"/);
    assert.match(committed, /"validDomains": \["\$\{\{BOT_DOMAIN\}\}"\]/);
  });

  test('app identity: AssistDesk, descriptions, developer links', () => {
    assert.equal(manifest.name.short, 'AssistDesk');
    assert.match(manifest.description.short, /Intune|remote assistance/i);
    assert.match(manifest.description.full, /help me with device/);
    for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) assert.match(manifest.developer[key], /^https:\/\//);
    assert.equal(manifest.webApplicationInfo, undefined, 'no webApplicationInfo yet');
  });

  test('one conversational bot in personal, team and groupChat scopes', () => {
    assert.equal(manifest.bots.length, 1);
    const bot = manifest.bots[0];
    assert.deepEqual([...bot.scopes].sort(), SCOPES);
    assert.equal(bot.supportsFiles, false);
    assert.equal(bot.isNotificationOnly, false);
  });

  test('every scope has the command list "help me with device" and "help"', () => {
    const lists = manifest.bots[0].commandLists as Array<{ scopes: string[]; commands: Array<{ title: string; description?: string }> }>;
    assert.deepEqual(lists.flatMap((l) => l.scopes).sort(), SCOPES, 'each scope exactly once');
    for (const list of lists) {
      assert.deepEqual(
        list.commands.map((c) => c.title),
        ['help me with device', 'help'],
        `commands for ${list.scopes}`,
      );
      const device = list.commands[0];
      assert.match(device.description ?? '', /remote assistance/i);
    }
  });

  test('icons: color.png 192x192, outline.png 32x32 white on transparent; same bytes as committed', async () => {
    assert.equal(manifest.icons.color, 'color.png');
    assert.equal(manifest.icons.outline, 'outline.png');
    const colorBytes = await zip.file('color.png')!.async('nodebuffer');
    const outlineBytes = await zip.file('outline.png')!.async('nodebuffer');
    assert.ok(colorBytes.equals(readFileSync(path.join(APP_PACKAGE_DIR, 'color.png'))));
    assert.ok(outlineBytes.equals(readFileSync(path.join(APP_PACKAGE_DIR, 'outline.png'))));

    const color = decodePng(colorBytes);
    assert.deepEqual([color.width, color.height], [192, 192]);
    const centre = (96 * 192 + 96) * 4;
    assert.equal(color.data[centre + 3], 255, 'colour icon is opaque in the middle');
    const colours = new Set<string>();
    let blue = 0;
    for (let i = 0; i < color.data.length; i += 4) {
      if (color.data[i + 3] === 0) continue;
      colours.add(color.data.subarray(i, i + 3).join(','));
      if (color.data.subarray(i, i + 3).join(',') === '47,91,234') blue++;
    }
    assert.ok(colours.has('255,255,255'), 'white glyph');
    assert.ok(blue > 192 * 192 * 0.4, 'mostly brand blue #2F5BEA');

    const outline = decodePng(outlineBytes);
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    let transparent = 0;
    let opaque = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a === 0) transparent++;
      else assert.deepEqual([r, g, b], [255, 255, 255], `outline pixel ${i / 4} is white`);
      if (a === 255) opaque++;
    }
    assert.ok(transparent > 32 * 32 * 0.3, 'mostly transparent background');
    assert.equal(outline.data[3], 0, 'corner is fully transparent');
    assert.ok(opaque > 60, 'a solid white glyph');
  });

  test('the same inputs give the same zip', async () => {
    const again = await buildAppPackage({ env: { BOT_ID, BOT_DOMAIN }, outFile: tmpFile('again.zip') });
    assert.ok(readFileSync(again.outFile).equals(readFileSync(result.outFile)));
  });
});

describe('BOT_ID', () => {
  const out = () => tmpFile('x.zip');

  test('missing (and no MicrosoftAppId): fails naming BOT_ID, writes nothing', async () => {
    const file = out();
    await rejectsWith(buildAppPackage({ env: { BOT_DOMAIN }, outFile: file }), /\bBOT_ID\b.*not set/);
    await rejectsWith(buildAppPackage({ env: { BOT_ID: '  ', MicrosoftAppId: '', BOT_DOMAIN }, outFile: file }), /\bBOT_ID\b/);
    assert.equal(existsSync(file), false);
  });

  test('not a GUID: fails naming BOT_ID', async () => {
    for (const bad of ['not-a-guid', '6f1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d', `{${BOT_ID}}`, `${BOT_ID}x`]) {
      await rejectsWith(buildAppPackage({ env: { BOT_ID: bad, BOT_DOMAIN }, outFile: out() }), /\bBOT_ID\b.*GUID/);
    }
  });

  test('falls back to MicrosoftAppId, and names it when it is not a GUID', async () => {
    const other = '0a1b2c3d-0000-4000-8000-00000000abcd';
    const r = await buildAppPackage({ env: { MicrosoftAppId: other, BOT_DOMAIN }, outFile: out() });
    assert.equal(r.manifest.bots[0].botId, other);
    await rejectsWith(buildAppPackage({ env: { MicrosoftAppId: 'abc', BOT_DOMAIN }, outFile: out() }), /\bMicrosoftAppId\b.*GUID/);
    // BOT_ID wins over MicrosoftAppId.
    const both = await buildAppPackage({ env: { BOT_ID, MicrosoftAppId: other, BOT_DOMAIN }, outFile: out() });
    assert.equal(both.manifest.bots[0].botId, BOT_ID);
  });
});

describe('single sign-on', () => {
  test('adds webApplicationInfo from AZURE_CLIENT_ID and SSO_APP_ID_URI, and only then', async () => {
    const AZURE_CLIENT_ID = '3f0c9a8e-1b2d-4c5e-8f70-9a1b2c3d4e5f';
    const SSO_APP_ID_URI = `api://assistdesk.example.com/botid-${BOT_ID}`;
    const manifestIn = async (file: string) => JSON.parse(await (await JSZip.loadAsync(readFileSync(file))).file('manifest.json')!.async('string'));
    const withSso = await buildAppPackage({ env: { BOT_ID, BOT_DOMAIN, AZURE_CLIENT_ID, SSO_APP_ID_URI }, outFile: tmpFile('sso.zip') });
    assert.deepEqual((await manifestIn(withSso.outFile)).webApplicationInfo, { id: AZURE_CLIENT_ID, resource: SSO_APP_ID_URI });
    const without = await buildAppPackage({ env: { BOT_ID, BOT_DOMAIN }, outFile: tmpFile('nosso.zip') });
    assert.equal((await manifestIn(without.outFile)).webApplicationInfo, undefined);
    await rejectsWith(buildAppPackage({ env: { BOT_ID, BOT_DOMAIN, SSO_APP_ID_URI }, outFile: tmpFile('x.zip') }), /AZURE_CLIENT_ID/);
  });
});

describe('BOT_DOMAIN', () => {
  test('missing: fails naming BOT_DOMAIN', async () => {
    await rejectsWith(buildAppPackage({ env: { BOT_ID }, outFile: tmpFile('x.zip') }), /\bBOT_DOMAIN\b.*not set/);
  });

  test('scheme, path, port or junk: fails naming BOT_DOMAIN', async () => {
    for (const bad of ['https://assistdesk.example.net', 'assistdesk.example.net/api', 'assistdesk.example.net:443', 'a b.example', '-bad.example', 'x..y']) {
      await rejectsWith(buildAppPackage({ env: { BOT_ID, BOT_DOMAIN: bad }, outFile: tmpFile('x.zip') }), /\bBOT_DOMAIN\b.*not a host name/);
    }
  });

  test('a dev-tunnel style host name is accepted', async () => {
    const r = await buildAppPackage({ env: { BOT_ID, BOT_DOMAIN: 'abc123-3978.euw.devtunnels.ms' }, outFile: tmpFile('x.zip') });
    assert.deepEqual(r.manifest.validDomains, ['abc123-3978.euw.devtunnels.ms']);
  });
});

describe('validation catches a broken package', () => {
  const env = { BOT_ID, BOT_DOMAIN };

  test('a manifest that breaks the schema is refused with the schema errors', async () => {
    const dir = copyAppPackage();
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.description.short = 'x'.repeat(81);
    delete m.developer.privacyUrl;
    m.bots[0].scopes.push('meeting');
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await assert.rejects(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), (err: Error) => {
      assert.match(err.message, /does not match its schema/);
      assert.match(err.message, /\/description\/short/);
      assert.match(err.message, /privacyUrl/);
      assert.match(err.message, /\/bots\/0\/scopes/);
      return true;
    });
  });

  test('a $schema that is not an official Teams schema URL is refused, not fetched', async () => {
    const dir = copyAppPackage();
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.$schema = 'https://schemas.example.invalid/teams.json';
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /\$schema must be/);
  });

  test('an unknown placeholder is refused', async () => {
    const dir = copyAppPackage();
    const text = readFileSync(path.join(dir, 'manifest.json'), 'utf8').replace('"0.1.0"', '"${{APP_VERSION}}"');
    writeFileSync(path.join(dir, 'manifest.json'), text);
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /\$\{\{APP_VERSION\}\}/);
  });

  const solid = (size: number, rgba: number[]): Image => {
    const data = new Uint8Array(size * size * 4);
    for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
    return { width: size, height: size, data };
  };

  test('icons of the wrong size are refused', async () => {
    const dir = copyAppPackage();
    writeFileSync(path.join(dir, 'color.png'), encodePng(solid(96, [47, 91, 234, 255])));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /color\.png.*96x96.*192x192/);
    const dir2 = copyAppPackage();
    copyFileSync(path.join(APP_PACKAGE_DIR, 'color.png'), path.join(dir2, 'outline.png'));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir2, outFile: tmpFile('x.zip') }), /outline\.png.*192x192.*32x32/);
  });

  test('an outline icon that is not white on transparent is refused', async () => {
    const dir = copyAppPackage();
    const img = solid(32, [0, 0, 0, 0]);
    img.data.set([47, 91, 234, 255], (16 * 32 + 16) * 4); // one blue pixel
    writeFileSync(path.join(dir, 'outline.png'), encodePng(img));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /outline.*white on transparent.*\(16, 16\)/);
    writeFileSync(path.join(dir, 'outline.png'), encodePng(solid(32, [255, 255, 255, 255])));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /no transparent background/);
  });

  test('a missing or non-PNG icon is refused', async () => {
    const dir = copyAppPackage();
    writeFileSync(path.join(dir, 'color.png'), 'not a png');
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /color\.png.*not a PNG/);
    rmSync(path.join(dir, 'outline.png'));
    writeFileSync(path.join(dir, 'color.png'), readFileSync(path.join(APP_PACKAGE_DIR, 'color.png')));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /outline icon outline\.png is missing/);
  });
});

describe('npx tsx scripts/package.ts', () => {
  const tsxCli = path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
  // Its own cwd, so a developer's .env cannot feed it; only PATH and HOME from the environment.
  const run = (env: Record<string, string>, args: string[]) =>
    spawnSync(process.execPath, [tsxCli, path.join(ROOT, 'scripts', 'package.ts'), ...args], {
      cwd: tmp,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  test('exits 1 with a message naming BOT_ID when it is missing', () => {
    const r = run({ BOT_DOMAIN }, ['--out', tmpFile('cli.zip')]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /BOT_ID is not set/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'a message, not a stack trace');
  });

  test('exits 0 and writes the zip when configured', async () => {
    const file = tmpFile('cli.zip');
    const r = run({ MicrosoftAppId: BOT_ID, BOT_DOMAIN }, ['--out', file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Wrote .*cli\.zip/);
    const zip = await JSZip.loadAsync(readFileSync(file));
    assert.equal(JSON.parse(await zip.file('manifest.json')!.async('string')).bots[0].botId, BOT_ID);
  });
});
