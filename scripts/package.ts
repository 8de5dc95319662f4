// Builds the Teams app package: appPackage/manifest.json with ${{BOT_ID}} and ${{BOT_DOMAIN}} filled in, checked
// offline against the official manifest schema shipped in @microsoft/app-manifest, plus the two icons and the
// language files its localizationInfo names (pt-BR.json, ...), zipped as appPackage/build/appPackage.zip (all at the
// zip root). Each language file is checked offline against the official localization schema of the same manifest
// version, and every string it translates must exist in the manifest. The default language's strings stay in
// manifest.json itself.
//
//   BOT_ID=<guid> BOT_DOMAIN=assistdesk.example.com npx tsx scripts/package.ts [--out <zip>]
//
// BOT_ID falls back to MicrosoftAppId (the bot's own setting). Both are also read from ./.env when present
// (without overriding the environment). Exits 1 with a readable message when anything is wrong.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { decodePng, readPngHeader } from './png';

export const ROOT = path.resolve(__dirname, '..');
export const APP_PACKAGE_DIR = path.join(ROOT, 'appPackage');
export const DEFAULT_OUT = path.join(APP_PACKAGE_DIR, 'build', 'appPackage.zip');

/** An error meant for the person running the script: its message says what to fix. */
export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

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

export interface LanguageFile {
  languageTag: string;
  /** File name beside manifest.json, and its entry name in the zip. */
  file: string;
  /** The translated strings, keyed as the localization schema keys them ("name.short", "bots[0].commandLists[0].commands[0].title"). */
  strings: Record<string, unknown>;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A DNS host name: dot-separated labels of letters, digits and inner hyphens; no scheme, port or path.
const HOST_NAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;
const SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v(\d+)\.(\d+)\/MicrosoftTeams\.schema\.json$/;
/** The $schema a language file for manifest v<version> carries (when it carries one). */
export const localizationSchemaUrl = (version: string) =>
  `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.Localization.schema.json`;
const ICONS = { color: { size: 192 }, outline: { size: 32 } } as const;

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

/** A schema file shipped inside @microsoft/app-manifest for manifest v<version>. */
function bundledSchemaFile(version: string, name: string, what: string): string {
  const pkgDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(pkgDir, 'build', 'json-schemas', 'teams', `v${version}`, name);
  if (!existsSync(file)) {
    throw new PackageError(`@microsoft/app-manifest has no ${what} for manifest v${version} (looked for ${file})`);
  }
  return file;
}

/**
 * Reads an official Teams schema file, with the clean-ups its regular expressions need before ajv (which compiles
 * them with the u flag) accepts them. None changes what a pattern matches:
 *  - \a and \v, as the library does for schemas it loads itself;
 *  - "\b]" in the localization schema (activities.activityTypes[...] keys): a bare "]" is a literal outside a
 *    character class, but a syntax error with the u flag, so it is escaped.
 */
export function readSchemaFile(file: string): Record<string, any> {
  const text = readFileSync(file, 'utf8')
    .replace(/\\a/g, '\\u0007')
    .replace(/\\v/g, '\\u000b')
    .replace(/\\\\b\]/g, '\\\\b\\\\]');
  return JSON.parse(text);
}

/** The official localization schema for manifest v<version>, from the copy inside @microsoft/app-manifest (never fetched). */
export function loadLocalizationSchema(version: string): Record<string, any> {
  return readSchemaFile(bundledSchemaFile(version, 'MicrosoftTeams.Localization.schema.json', 'localization schema'));
}

/** Schema errors as readable lines; empty when valid. Offline: the schema is passed in, so nothing is fetched. */
export async function validateManifest(manifest: Record<string, any>): Promise<string[]> {
  const schema = loadManifestSchema(manifest);
  return AppManifestUtils.validateAgainstSchema(manifest as any, schema as any);
}

/**
 * A language file's errors against the official localization schema of manifest v<version>, as readable lines;
 * empty when valid. Offline, like validateManifest.
 */
export async function validateLanguageStrings(strings: Record<string, unknown>, version: string): Promise<string[]> {
  const schema = loadLocalizationSchema(version);
  let errors: string[];
  try {
    errors = await AppManifestUtils.validateAgainstSchema(strings as any, schema as any);
  } catch (err) {
    throw new PackageError(`the localization schema for manifest v${version} could not be used: ${(err as Error).message}`);
  }
  return errors.map((e) => e.trim());
}

// A key of a language file: a path into the manifest such as name.short or bots[0].commandLists[2].commands[1].title.
const LOCALIZATION_KEY = /^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*$/;

/** The value the manifest has at a language-file key, or undefined when the key names nothing there. */
export function manifestValueAt(manifest: Record<string, any>, key: string): unknown {
  if (!LOCALIZATION_KEY.test(key)) return undefined;
  let value: any = manifest;
  for (const [, name, index] of key.matchAll(/([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    if (name !== undefined) value = Array.isArray(value) || !Object.hasOwn(value, name) ? undefined : value[name];
    else value = Array.isArray(value) ? value[Number(index)] : undefined;
  }
  return value;
}

/**
 * The keys of a language file that translate nothing: not a string in the manifest (a command that is not there, a
 * misspelt path) or, under localizationKeys, a [[placeholder]] the manifest does not use.
 */
export function stringsNotInManifest(strings: Record<string, unknown>, manifest: Record<string, any>): string[] {
  const out: string[] = [];
  const manifestText = JSON.stringify(manifest);
  for (const [key, value] of Object.entries(strings)) {
    if (key === '$schema') continue;
    if (key === 'localizationKeys') {
      if (value && typeof value === 'object') {
        for (const placeholder of Object.keys(value)) if (!manifestText.includes(placeholder)) out.push(`localizationKeys.${placeholder}`);
      }
      continue;
    }
    if (typeof manifestValueAt(manifest, key) !== 'string') out.push(key);
  }
  return out;
}

/**
 * Reads and checks the language files manifest.localizationInfo names. Each must be a .json file beside the
 * manifest; its $schema (when it has one) must be the localization schema of the manifest's version; it must be valid
 * against that schema; and each string it translates must exist in the manifest. All problems of all files are
 * reported together.
 */
export async function readLanguageFiles(manifest: Record<string, any>, dir: string): Promise<LanguageFile[]> {
  const info = manifest.localizationInfo;
  if (info === undefined) return [];
  const version = String(manifest.manifestVersion);
  const wanted: Array<{ languageTag: string; file: string; what: string }> = [];
  if (info.defaultLanguageFile !== undefined) {
    wanted.push({ languageTag: info.defaultLanguageTag, file: info.defaultLanguageFile, what: 'localizationInfo.defaultLanguageFile' });
  }
  (info.additionalLanguages ?? []).forEach((l: { languageTag: string; file: string }, i: number) =>
    wanted.push({ languageTag: l.languageTag, file: l.file, what: `localizationInfo.additionalLanguages[${i}].file` }),
  );

  const reserved = new Set(['manifest.json', manifest.icons?.color, manifest.icons?.outline].map((f) => String(f).toLowerCase()));
  const defaultTag = String(info.defaultLanguageTag).toLowerCase();
  const tags = new Set<string>();
  const files = new Set<string>();
  for (const { languageTag, file, what } of wanted) {
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\') || !/^[^.].*\.json$/i.test(file)) {
      throw new PackageError(`manifest.json ${what} must name a .json file beside the manifest; got ${JSON.stringify(file)}`);
    }
    if (reserved.has(file.toLowerCase())) throw new PackageError(`manifest.json ${what} names ${file}, which is not a language file`);
    if (files.has(file.toLowerCase())) throw new PackageError(`manifest.json localizationInfo names ${file} twice`);
    files.add(file.toLowerCase());
    if (what.endsWith('defaultLanguageFile')) continue;
    const tag = String(languageTag).toLowerCase();
    if (tag === defaultTag) {
      throw new PackageError(
        `manifest.json localizationInfo.additionalLanguages repeats the default language ${info.defaultLanguageTag}: its strings stay in manifest.json (or defaultLanguageFile)`,
      );
    }
    if (tags.has(tag)) throw new PackageError(`manifest.json localizationInfo.additionalLanguages has ${languageTag} twice`);
    tags.add(tag);
  }

  const out: LanguageFile[] = [];
  const problems: string[] = [];
  for (const { languageTag, file } of wanted) {
    const full = path.join(dir, file);
    if (!existsSync(full)) throw new PackageError(`the ${languageTag} language file ${file} is missing (looked for ${full})`);
    const text = readFileSync(full, 'utf8');
    let strings: Record<string, unknown>;
    try {
      strings = JSON.parse(text);
    } catch (err) {
      throw new PackageError(`${file} (${languageTag}) is not valid JSON: ${(err as Error).message}`);
    }
    if (strings === null || typeof strings !== 'object' || Array.isArray(strings)) {
      throw new PackageError(`${file} (${languageTag}) must hold a JSON object of translated strings`);
    }
    const name = `${file} (${languageTag})`;
    if (strings.$schema !== undefined && strings.$schema !== localizationSchemaUrl(version)) {
      problems.push(`${name}: $schema must be ${localizationSchemaUrl(version)} (the manifest is v${version}); got ${JSON.stringify(strings.$schema)}`);
    }
    const errors = await validateLanguageStrings(strings, version);
    if (errors.length) problems.push(`${name} does not match the localization schema (v${version}):\n    ${errors.join('\n    ')}`);
    const extra = stringsNotInManifest(strings, manifest);
    if (extra.length) problems.push(`${name} translates strings manifest.json does not have:\n    ${extra.join('\n    ')}`);
    const placeholders = [...new Set(text.match(/\$\{\{[^}]*\}\}/g) ?? [])];
    if (placeholders.length) problems.push(`${name} has placeholders, which are filled in manifest.json only: ${placeholders.join(', ')}`);
    out.push({ languageTag, file, strings });
  }
  if (problems.length) throw new PackageError(`language files are not valid:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Checks an icon file: a PNG of the size Teams requires; the outline icon only white, on transparency. */
export function checkIcon(kind: keyof typeof ICONS, file: string, bytes: Buffer): void {
  const name = path.basename(file);
  let header;
  try {
    header = readPngHeader(bytes);
  } catch {
    throw new PackageError(`${name} (the ${kind} icon) is not a PNG file`);
  }
  const size = ICONS[kind].size;
  if (header.width !== size || header.height !== size) {
    throw new PackageError(`${name} (the ${kind} icon) is ${header.width}x${header.height}; Teams requires ${size}x${size}`);
  }
  if (kind !== 'outline') return;
  let image;
  try {
    image = decodePng(bytes);
  } catch (err) {
    throw new PackageError(`${name} (the outline icon) could not be read: ${(err as Error).message}`);
  }
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
