// Builds the Teams app package: appPackage/manifest.json with ${{BOT_ID}} and ${{BOT_DOMAIN}} filled in, checked
// offline against the official manifest schema shipped in @microsoft/app-manifest, plus the two icons and the
// language files its localizationInfo names (pt-BR.json, ...), zipped as appPackage/build/appPackage.zip (all at the
// zip root). Each language file is checked offline against the official localization schema of the same manifest
// version, and every string it translates must exist in the manifest (scripts/localization.ts). The default
// language's strings stay in manifest.json itself.
//
//   BOT_ID=<guid> BOT_DOMAIN=assistdesk.example.com npx tsx scripts/package.ts [--out <zip>]
//
// BOT_ID falls back to MicrosoftAppId (the bot's own setting). Both are also read from ./.env when present
// (without overriding the environment). Exits 1 with a readable message when anything is wrong.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { bundledSchemaFile, PackageError, readSchemaFile } from './appPackageSchemas';
import { readLanguageFiles, type LanguageFile } from './localization';

export { PackageError } from './appPackageSchemas';
export type { LanguageFile } from './localization';

export const ROOT = path.resolve(__dirname, '..');
export const APP_PACKAGE_DIR = path.join(ROOT, 'appPackage');
export const DEFAULT_OUT = path.join(APP_PACKAGE_DIR, 'build', 'appPackage.zip');

export interface PackageOptions {
  /** Where BOT_ID / MicrosoftAppId / BOT_DOMAIN are read from; default process.env. */
  env?: Record<string, string | undefined>;
  /** Folder holding manifest.json and the icons it names; default appPackage/. */
  appPackageDir?: string;
  /** The zip to write; default appPackage/build/appPackage.zip. */
  outFile?: string;
}

export interface PackageResult {
  outFile: string;
  /** The manifest as written into the zip. */
  manifest: Record<string, any>;
  botId: string;
  botDomain: string;
  /** Entry names in the zip. */
  entries: string[];
  /** The language files in the zip, as localizationInfo names them (defaultLanguageFile first, when there is one). */
  languages: LanguageFile[];
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A DNS host name: dot-separated labels of letters, digits and inner hyphens; no scheme, port or path.
const HOST_NAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;
const SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v(\d+)\.(\d+)\/MicrosoftTeams\.schema\.json$/;
const ICONS = { color: { size: 192 }, outline: { size: 32 } } as const;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** BOT_ID, else MicrosoftAppId; must be a GUID. The error names the variable that was read. */
export function resolveBotId(env: Record<string, string | undefined>): string {
  const fromBotId = nonEmpty(env.BOT_ID);
  const name = fromBotId !== undefined ? 'BOT_ID' : 'MicrosoftAppId';
  const value = fromBotId ?? nonEmpty(env.MicrosoftAppId);
  if (value === undefined) {
    throw new PackageError(
      'BOT_ID is not set (nor MicrosoftAppId): set BOT_ID to the bot\'s Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000.',
    );
  }
  if (!GUID.test(value)) {
    throw new PackageError(`${name} is not a GUID: ${JSON.stringify(value)}. It must be the bot's Microsoft App ID, e.g. 00000000-0000-0000-0000-000000000000.`);
  }
  return value;
}

/** BOT_DOMAIN: the bot's public host name only, e.g. assistdesk.example.com (no https://, port or path). */
export function resolveBotDomain(env: Record<string, string | undefined>): string {
  const value = nonEmpty(env.BOT_DOMAIN);
  if (value === undefined) {
    throw new PackageError('BOT_DOMAIN is not set: set it to the bot\'s public host name only, e.g. assistdesk.example.com.');
  }
  if (!HOST_NAME.test(value)) {
    const hint = /:\/\//.test(value)
      ? ' Leave out the scheme (https://).'
      : /[/:]/.test(value)
        ? ' Leave out any port or path.'
        : '';
    throw new PackageError(`BOT_DOMAIN is not a host name: ${JSON.stringify(value)}.${hint} Example: assistdesk.example.com.`);
  }
  return value;
}

/**
 * Single sign-on: with SSO_APP_ID_URI set, Teams must know the app registration (AZURE_CLIENT_ID) whose
 * API it gets the technician's token for. Without it, the package has no webApplicationInfo.
 */
export function resolveSso(env: Record<string, string | undefined>): { id: string; resource: string } | undefined {
  const resource = nonEmpty(env.SSO_APP_ID_URI);
  if (!resource) return undefined;
  const id = nonEmpty(env.AZURE_CLIENT_ID);
  if (!id || !GUID.test(id)) throw new PackageError('AZURE_CLIENT_ID must be the app registration GUID when SSO_APP_ID_URI is set (webApplicationInfo.id).');
  if (!/^api:\/\/\S+$/.test(resource)) throw new PackageError(`SSO_APP_ID_URI must be an api:// Application ID URI: ${JSON.stringify(resource)}.`);
  return { id, resource };
}

/** Replaces every ${{NAME}} in the manifest text; refuses any placeholder it has no value for. */
export function substitute(text: string, values: Record<string, string>): string {
  const out = text.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
  const left = [...new Set(out.match(/\$\{\{[^}]*\}\}/g) ?? [])];
  if (left.length) throw new PackageError(`manifest.json has placeholders with no value: ${left.join(', ')}`);
  return out;
}

/** The official schema for the manifest's $schema, from the copy inside @microsoft/app-manifest (never fetched). */
export function loadManifestSchema(manifest: Record<string, any>): Record<string, any> {
  const url = manifest.$schema;
  const match = typeof url === 'string' ? SCHEMA_URL.exec(url) : null;
  if (!match) {
    throw new PackageError(
      `manifest.json $schema must be https://developer.microsoft.com/json-schemas/teams/v<major>.<minor>/MicrosoftTeams.schema.json; got ${JSON.stringify(url)}`,
    );
  }
  const version = `${match[1]}.${match[2]}`;
  if (manifest.manifestVersion !== version) {
    throw new PackageError(`manifest.json manifestVersion ${JSON.stringify(manifest.manifestVersion)} does not match its $schema (v${version})`);
  }
  return readSchemaFile(bundledSchemaFile(version, 'MicrosoftTeams.schema.json', 'schema'));
}

/** Schema errors as readable lines; empty when valid. Offline: the schema is passed in, so nothing is fetched. */
export async function validateManifest(manifest: Record<string, any>): Promise<string[]> {
  const schema = loadManifestSchema(manifest);
  return AppManifestUtils.validateAgainstSchema(manifest as any, schema as any);
}

/** Checks an icon file: a PNG of the size Teams requires; the outline icon only white, on transparency. */
export function checkIcon(kind: keyof typeof ICONS, file: string, bytes: Buffer): void {
  const name = path.basename(file);
  if (!bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) throw new PackageError(`${name} (the ${kind} icon) is not a PNG file`);
  let image: PNG;
  try {
    image = PNG.sync.read(bytes);
  } catch (err) {
    throw new PackageError(`${name} (the ${kind} icon) could not be read: ${(err as Error).message}`);
  }
  const size = ICONS[kind].size;
  if (image.width !== size || image.height !== size) {
    throw new PackageError(`${name} (the ${kind} icon) is ${image.width}x${image.height}; Teams requires ${size}x${size}`);
  }
  if (kind !== 'outline') return;
  let transparent = 0;
  let visible = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b, a] = image.data.subarray(i, i + 4);
    if (a === 0) {
      transparent++;
      continue;
    }
    visible++;
    if (r !== 255 || g !== 255 || b !== 255) {
      const p = i / 4;
      throw new PackageError(
        `${name} (the outline icon) must be white on transparent: pixel (${p % image.width}, ${Math.floor(p / image.width)}) is rgb(${r}, ${g}, ${b})`,
      );
    }
  }
  if (!transparent) throw new PackageError(`${name} (the outline icon) has no transparent background`);
  if (!visible) throw new PackageError(`${name} (the outline icon) is empty`);
}

export async function buildAppPackage(options: PackageOptions = {}): Promise<PackageResult> {
  const env = options.env ?? process.env;
  const dir = options.appPackageDir ?? APP_PACKAGE_DIR;
  const outFile = path.resolve(options.outFile ?? DEFAULT_OUT);

  const botId = resolveBotId(env);
  const botDomain = resolveBotDomain(env);

  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new PackageError(`no manifest at ${manifestFile}`);
  const text = substitute(readFileSync(manifestFile, 'utf8'), { BOT_ID: botId, BOT_DOMAIN: botDomain });
  let manifest: Record<string, any>;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new PackageError(`manifest.json is not valid JSON: ${(err as Error).message}`);
  }

  const sso = resolveSso(env);
  if (sso) manifest.webApplicationInfo = sso;

  const errors = await validateManifest(manifest);
  if (errors.length) {
    throw new PackageError(`manifest.json does not match its schema (v${manifest.manifestVersion}):\n  ${errors.join('\n  ')}`);
  }

  const zip = new JSZip();
  const date = new Date('2000-01-01T00:00:00Z'); // fixed, so the same inputs give the same zip
  zip.file('manifest.json', JSON.stringify(manifest, null, 2) + '\n', { date });
  const languages = await readLanguageFiles(manifest, dir);
  // As committed, byte for byte: the strings are not templated.
  for (const { file } of languages) zip.file(file, readFileSync(path.join(dir, file)), { date });
  for (const kind of ['color', 'outline'] as const) {
    const rel = manifest.icons?.[kind];
    if (typeof rel !== 'string' || rel.includes('/') || rel.includes('\\')) {
      throw new PackageError(`manifest.json icons.${kind} must name a file beside the manifest; got ${JSON.stringify(rel)}`);
    }
    const file = path.join(dir, rel);
    if (!existsSync(file)) throw new PackageError(`the ${kind} icon ${rel} is missing (looked for ${file}); run npx tsx scripts/icons.ts`);
    const bytes = readFileSync(file);
    checkIcon(kind, file, bytes);
    zip.file(rel, bytes, { date });
  }

  const content = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, content);
  return { outFile, manifest, botId, botDomain, entries: Object.keys(zip.files), languages };
}

function parseArgs(argv: string[]): { outFile?: string } {
  const out: { outFile?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out.outFile = argv[++i];
    else if (argv[i].startsWith('--out=')) out.outFile = argv[i].slice('--out='.length);
    else throw new PackageError(`unknown argument ${JSON.stringify(argv[i])} (usage: scripts/package.ts [--out <zip>])`);
  }
  return out;
}

async function main(): Promise<void> {
  const { outFile } = parseArgs(process.argv.slice(2));
  const dotenv = path.join(process.cwd(), '.env');
  if (existsSync(dotenv)) (await import('dotenv')).config({ path: dotenv });
  const result = await buildAppPackage({ env: process.env, outFile });
  const shown = path.relative(process.cwd(), result.outFile);
  console.log(
    `Wrote ${shown && !shown.startsWith('..') ? shown : result.outFile} ` +
      `(manifest v${result.manifest.manifestVersion}, bot ${result.botId}, domain ${result.botDomain}; ${result.entries.join(', ')})`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof PackageError ? `package: ${err.message}` : err);
    process.exit(1);
  });
}
