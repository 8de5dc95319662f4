// The Teams app package: node --test --import tsx test/appPackage.test.ts
import assert from 'node:assert/strict';
import { parseCommand } from '../src/commands/parseCommand';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { APP_PACKAGE_DIR, ROOT, buildAppPackage, PackageError, type PackageResult } from '../scripts/package';
import { readSchemaFile } from '../scripts/appPackageSchemas';
import { loadLocalizationSchema, localizationSchemaUrl } from '../scripts/localization';

const BOT_ID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BOT_DOMAIN = 'assistdesk-bot.example.net';
const SCOPES = ['groupChat', 'personal', 'team'];
/** The languages besides en-US, and the command titles the bot understands in each (same order as the manifest's). */
const LANGUAGES: Record<string, { device: string; help: string; titles: string[] }> = {
  'pt-BR': { device: 'ajude-me com o dispositivo', help: 'ajuda', titles: ['ajude-me com o dispositivo', 'ajude-me com meu dispositivo', 'sessões', 'pedidos', 'ajuda'] },
  'es-ES': { device: 'ayúdame con el dispositivo', help: 'ayuda', titles: ['ayúdame con el dispositivo', 'ayúdame con mi dispositivo', 'sesiones', 'solicitudes', 'ayuda'] },
  'ru-RU': { device: 'помоги с устройством', help: 'помощь', titles: ['помоги с устройством', 'помоги с моим устройством', 'сеансы', 'заявки', 'помощь'] },
};
/** What each command title (clicked in Teams, it is sent as the message) is read as, in every language. */
const COMMAND_KINDS = ['help', 'request', 'sessions', 'requests', 'help'];
const LANGUAGE_FILES = Object.keys(LANGUAGES).map((tag) => `${tag}.json`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'apppackage-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const tmpFile = (name: string) => path.join(tmp, `${n++}-${name}`);

/** A copy of appPackage/ (its files, not build/) that a test may break. */
function copyAppPackage(): string {
  const dir = mkdtempSync(path.join(tmp, 'pkg-'));
  for (const f of readdirSync(APP_PACKAGE_DIR, { withFileTypes: true })) {
    if (f.isFile()) copyFileSync(path.join(APP_PACKAGE_DIR, f.name), path.join(dir, f.name));
  }
  return dir;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value, null, 2));

/**
 * Every string in the manifest that a language file may translate, keyed the way language files key it
 * ("name.short", "bots[0].commandLists[1].commands[0].title"): a string leaf whose path the localization schema
 * accepts as a property.
 */
function localizableStrings(manifest: any, schema: any): Map<string, string> {
  const patterns = Object.keys(schema.patternProperties ?? {}).map((p) => new RegExp(p));
  const accepted = (key: string) => (key in (schema.properties ?? {}) || patterns.some((p) => p.test(key))) && key !== '$schema';
  const out = new Map<string, string>();
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (accepted(key)) out.set(key, value);
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${key}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
  };
  walk(manifest, '');
  return out;
}

/** What the manifest holds at a language-file key, found without the script's own resolver. */
function lookUp(manifest: any, key: string): unknown {
  return key
    .split('.')
    .flatMap((part) => part.split(/\[(\d+)\]/).filter(Boolean))
    .reduce<any>((value, step) => (value == null ? undefined : /^\d+$/.test(step) ? (Array.isArray(value) ? value[Number(step)] : undefined) : value[step]), manifest);
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

  test('the zip holds exactly manifest.json, color.png, outline.png and the language files at its root', () => {
    const expected = ['color.png', 'manifest.json', 'outline.png', ...LANGUAGE_FILES].sort();
    assert.deepEqual(Object.keys(zip.files).sort(), expected);
    for (const entry of Object.values(zip.files)) assert.equal(entry.dir, false);
    assert.deepEqual([...result.entries].sort(), expected);
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

  test('the manifest is also valid against the schema copy in ../shared/schemas', async () => {
    // ../shared sits beside every checkout that runs the tests (CI puts it there): its absence is a failure.
    const file = path.resolve(ROOT, '..', 'shared', 'schemas', 'teams', `v${manifest.manifestVersion}`, 'MicrosoftTeams.schema.json');
    assert.ok(existsSync(file), `no ${file}`);
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

  test('every scope lists the commands, each read by the bot as what it says', () => {
    const lists = manifest.bots[0].commandLists as Array<{ scopes: string[]; commands: Array<{ title: string; description?: string }> }>;
    assert.deepEqual(lists.flatMap((l) => l.scopes).sort(), SCOPES, 'each scope exactly once');
    for (const list of lists) {
      assert.deepEqual(
        list.commands.map((c) => c.title),
        ['help me with device', 'help me with my device', 'sessions', 'requests', 'help'],
        `commands for ${list.scopes}`,
      );
      // A title alone ("help me with device", no name yet) shows the help card.
      assert.deepEqual(list.commands.map((c) => parseCommand(c.title).kind), COMMAND_KINDS);
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

    const color = PNG.sync.read(colorBytes);
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

    const outline = PNG.sync.read(outlineBytes);
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

  test('localizationInfo: default en-US (its strings stay in manifest.json), plus pt-BR, es-ES and ru-RU files', () => {
    assert.deepEqual(manifest.localizationInfo, {
      defaultLanguageTag: 'en-US',
      additionalLanguages: Object.keys(LANGUAGES).map((languageTag) => ({ languageTag, file: `${languageTag}.json` })),
    });
    assert.equal(manifest.localizationInfo.defaultLanguageFile, undefined, 'no default language file');
    assert.deepEqual(
      result.languages.map((l) => [l.languageTag, l.file]),
      Object.keys(LANGUAGES).map((tag) => [tag, `${tag}.json`]),
    );
  });

  test('each language file is in the zip as committed, with the localization $schema of the manifest version', async () => {
    for (const file of LANGUAGE_FILES) {
      const bytes = await zip.file(file)!.async('nodebuffer');
      assert.ok(bytes.equals(readFileSync(path.join(APP_PACKAGE_DIR, file))), `${file} as committed`);
      const strings = JSON.parse(bytes.toString('utf8'));
      assert.equal(strings.$schema, localizationSchemaUrl(manifest.manifestVersion), file);
      assert.equal(strings.$schema, manifest.$schema.replace(/MicrosoftTeams\.schema\.json$/, 'MicrosoftTeams.Localization.schema.json'), file);
    }
  });

  test('each language file in the zip is valid against the official localization schema', async () => {
    const bundled = loadLocalizationSchema(manifest.manifestVersion);
    const shared = path.resolve(ROOT, '..', 'shared', 'schemas', 'teams', `v${manifest.manifestVersion}`, 'MicrosoftTeams.Localization.schema.json');
    // Both copies: the one the library ships and the one in ../shared (always beside the checkout).
    const schemas = [bundled, readSchemaFile(shared)];
    for (const file of LANGUAGE_FILES) {
      const strings = JSON.parse(await zip.file(file)!.async('string'));
      for (const schema of schemas) assert.deepEqual(await AppManifestUtils.validateAgainstSchema(strings, schema as any), [], file);
    }
  });

  test('every key of each language file is a localizable string of the manifest, and each translates all of them', async () => {
    const localizable = localizableStrings(manifest, loadLocalizationSchema(manifest.manifestVersion));
    assert.ok(localizable.has('name.short') && localizable.has('description.full'));
    assert.ok(localizable.has('bots[0].commandLists[2].commands[1].title'));
    for (const file of LANGUAGE_FILES) {
      const strings = JSON.parse(await zip.file(file)!.async('string'));
      const keys = Object.keys(strings).filter((k) => k !== '$schema');
      for (const key of keys) {
        assert.equal(typeof lookUp(manifest, key), 'string', `${file}: ${key} is a string in the manifest`);
        assert.ok(localizable.has(key), `${file}: ${key} is localizable`);
        assert.equal(typeof strings[key], 'string', `${file}: ${key}`);
        assert.ok(strings[key].trim(), `${file}: ${key} is not empty`);
      }
      assert.deepEqual(keys.sort(), [...localizable.keys()].sort(), `${file} translates every localizable string`);
    }
  });

  test('language files: the command titles the bot understands; product names untranslated; the rest translated', async () => {
    const lists = manifest.bots[0].commandLists as Array<{ commands: Array<{ title: string }> }>;
    for (const [tag, phrases] of Object.entries(LANGUAGES)) {
      const strings = JSON.parse(await zip.file(`${tag}.json`)!.async('string'));
      lists.forEach((list, i) => {
        assert.deepEqual(
          list.commands.map((_, j) => strings[`bots[0].commandLists[${i}].commands[${j}].title`]),
          phrases.titles,
          `${tag} commands of list ${i}`,
        );
        assert.deepEqual(phrases.titles.map((t) => parseCommand(t).kind), COMMAND_KINDS, tag);
        assert.match(strings[`bots[0].commandLists[${i}].commands[0].description`], new RegExp(`${phrases.device} LAPTOP-42`), tag);
        assert.match(strings[`bots[0].commandLists[${i}].commands[4].description`], /AssistDesk/, tag);
      });
      assert.equal(strings['name.short'], 'AssistDesk', tag);
      assert.match(strings['name.full'], /^AssistDesk: .*Intune/, tag);
      assert.match(strings['description.short'], /Intune/, tag);
      for (const name of ['AssistDesk', 'Microsoft Intune', `${phrases.device} LAPTOP-42`, phrases.help]) {
        assert.ok(strings['description.full'].includes(name), `${tag} description.full mentions ${name}`);
      }
      assert.doesNotMatch(strings['description.full'], /help me with device/, `${tag} description.full is translated`);
      for (const [key, value] of Object.entries(strings)) {
        if (key === '$schema' || key === 'name.short') continue;
        assert.notEqual(value, lookUp(manifest, key), `${tag}: ${key} is translated`);
      }
    }
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

  const solid = (size: number, rgba: number[]): PNG => {
    const png = new PNG({ width: size, height: size });
    for (let i = 0; i < png.data.length; i += 4) png.data.set(rgba, i);
    return png;
  };

  test('icons of the wrong size are refused', async () => {
    const dir = copyAppPackage();
    writeFileSync(path.join(dir, 'color.png'), PNG.sync.write(solid(96, [47, 91, 234, 255])));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /color\.png.*96x96.*192x192/);
    const dir2 = copyAppPackage();
    copyFileSync(path.join(APP_PACKAGE_DIR, 'color.png'), path.join(dir2, 'outline.png'));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir2, outFile: tmpFile('x.zip') }), /outline\.png.*192x192.*32x32/);
  });

  test('an outline icon that is not white on transparent is refused', async () => {
    const dir = copyAppPackage();
    const img = solid(32, [0, 0, 0, 0]);
    img.data.set([47, 91, 234, 255], (16 * 32 + 16) * 4); // one blue pixel
    writeFileSync(path.join(dir, 'outline.png'), PNG.sync.write(img));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /outline.*white on transparent.*\(16, 16\)/);
    writeFileSync(path.join(dir, 'outline.png'), PNG.sync.write(solid(32, [255, 255, 255, 255])));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /no transparent background/);
  });

  test('a missing, non-PNG or damaged icon is refused', async () => {
    const dir = copyAppPackage();
    writeFileSync(path.join(dir, 'color.png'), 'not a png');
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /color\.png.*not a PNG/);
    writeFileSync(path.join(dir, 'color.png'), readFileSync(path.join(APP_PACKAGE_DIR, 'color.png')).subarray(0, 200)); // cut short
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /color\.png \(the color icon\) could not be read/);
    rmSync(path.join(dir, 'outline.png'));
    writeFileSync(path.join(dir, 'color.png'), readFileSync(path.join(APP_PACKAGE_DIR, 'color.png')));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /outline icon outline\.png is missing/);
  });
});

describe('validation catches broken language files', () => {
  const env = { BOT_ID, BOT_DOMAIN };

  test('a language file that breaks the localization schema is refused with the schema errors, and nothing is written', async () => {
    const dir = copyAppPackage();
    const file = path.join(dir, 'pt-BR.json');
    const strings = readJson(file);
    strings['name.short'] = 'AssistDesk — suporte remoto do Intune'; // 37 > 30
    strings['tagline'] = 'Suporte remoto'; // not a key the schema knows
    strings['bots[0].commandLists[0].commands[0].title'] = 'x'.repeat(129);
    delete strings['description.full'];
    writeJson(file, strings);
    const out = tmpFile('x.zip');
    await assert.rejects(buildAppPackage({ env, appPackageDir: dir, outFile: out }), (err: Error) => {
      assert.ok(err instanceof PackageError, String(err));
      assert.match(err.message, /pt-BR\.json \(pt-BR\) does not match the localization schema \(v1\.30\)/);
      assert.match(err.message, /\/name\.short must NOT have more than 30 characters/);
      assert.match(err.message, /must NOT have additional properties.*"additionalProperty":"tagline"/);
      assert.match(err.message, /\/bots\[0\]\.commandLists\[0\]\.commands\[0\]\.title must NOT have more than 128 characters/);
      assert.match(err.message, /must have required property 'description\.full'/);
      assert.doesNotMatch(err.message, /es-ES|ru-RU/, 'only the broken file is named');
      return true;
    });
    assert.equal(existsSync(out), false);
  });

  test('every broken file is reported at once', async () => {
    const dir = copyAppPackage();
    for (const tag of ['es-ES', 'ru-RU']) {
      const strings = readJson(path.join(dir, `${tag}.json`));
      strings['description.short'] = 'x'.repeat(81);
      writeJson(path.join(dir, `${tag}.json`), strings);
    }
    await rejectsWith(
      buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }),
      /es-ES\.json \(es-ES\) does not match[^]*\/description\.short[^]*ru-RU\.json \(ru-RU\) does not match[^]*\/description\.short/,
    );
  });

  test('a key the schema allows but the manifest does not have is refused, naming the key', async () => {
    const dir = copyAppPackage();
    const file = path.join(dir, 'ru-RU.json');
    const strings = readJson(file);
    strings['bots[0].commandLists[0].commands[5].title'] = 'ещё'; // the manifest has five commands per list
    strings['staticTabs[0].name'] = 'Главная'; // and no static tabs
    writeJson(file, strings);
    await assert.rejects(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), (err: Error) => {
      assert.ok(err instanceof PackageError, String(err));
      assert.match(err.message, /ru-RU\.json \(ru-RU\) translates strings manifest\.json does not have:/);
      assert.match(err.message, /bots\[0\]\.commandLists\[0\]\.commands\[5\]\.title/);
      assert.match(err.message, /staticTabs\[0\]\.name/);
      assert.doesNotMatch(err.message, /does not match the localization schema/, 'the schema itself accepts both keys');
      return true;
    });
  });

  test('a $schema of another manifest version is refused', async () => {
    const dir = copyAppPackage();
    const file = path.join(dir, 'es-ES.json');
    const strings = readJson(file);
    strings.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.Localization.schema.json';
    writeJson(file, strings);
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /es-ES\.json \(es-ES\): \$schema must be .*v1\.30\/MicrosoftTeams\.Localization\.schema\.json/);
  });

  test('a missing, unreadable or misplaced language file is refused', async () => {
    const missing = copyAppPackage();
    rmSync(path.join(missing, 'es-ES.json'));
    await rejectsWith(buildAppPackage({ env, appPackageDir: missing, outFile: tmpFile('x.zip') }), /es-ES language file es-ES\.json is missing/);

    const notJson = copyAppPackage();
    writeFileSync(path.join(notJson, 'pt-BR.json'), '{ "name.short": "AssistDesk", }');
    await rejectsWith(buildAppPackage({ env, appPackageDir: notJson, outFile: tmpFile('x.zip') }), /pt-BR\.json \(pt-BR\) is not valid JSON/);

    const nested = copyAppPackage();
    const m = readJson(path.join(nested, 'manifest.json'));
    m.localizationInfo.additionalLanguages[2].file = 'lang/ru-RU.json';
    writeJson(path.join(nested, 'manifest.json'), m);
    await rejectsWith(
      buildAppPackage({ env, appPackageDir: nested, outFile: tmpFile('x.zip') }),
      /additionalLanguages\[2\]\.file must name a \.json file beside the manifest/,
    );
  });

  test('the default language among additionalLanguages, or a language twice, is refused', async () => {
    const dir = copyAppPackage();
    const m = readJson(path.join(dir, 'manifest.json'));
    m.localizationInfo.additionalLanguages.push({ languageTag: 'en-us', file: 'en-US.json' });
    writeJson(path.join(dir, 'manifest.json'), m);
    writeFileSync(path.join(dir, 'en-US.json'), readFileSync(path.join(dir, 'pt-BR.json')));
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /repeats the default language en-US/);

    m.localizationInfo.additionalLanguages.pop();
    m.localizationInfo.additionalLanguages.push({ languageTag: 'pt-br', file: 'pt-BR-2.json' });
    writeJson(path.join(dir, 'manifest.json'), m);
    await rejectsWith(buildAppPackage({ env, appPackageDir: dir, outFile: tmpFile('x.zip') }), /additionalLanguages has pt-br twice/);
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
