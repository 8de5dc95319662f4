// The Teams app package's language files (localizationInfo in manifest.json): each one read, checked offline
// against the official localization schema of the manifest's version, and every string it translates found in the
// manifest. Used by scripts/package.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { bundledSchemaFile, PackageError, readSchemaFile } from './appPackageSchemas';

export interface LanguageFile {
  languageTag: string;
  /** File name beside manifest.json, and its entry name in the zip. */
  file: string;
  /** The translated strings, keyed as the localization schema keys them ("name.short", "bots[0].commandLists[0].commands[0].title"). */
  strings: Record<string, unknown>;
}

/** The $schema a language file for manifest v<version> carries (when it carries one). */
export const localizationSchemaUrl = (version: string) =>
  `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.Localization.schema.json`;

/** The official localization schema for manifest v<version>, from the copy inside @microsoft/app-manifest (never fetched). */
export function loadLocalizationSchema(version: string): Record<string, any> {
  return readSchemaFile(bundledSchemaFile(version, 'MicrosoftTeams.Localization.schema.json', 'localization schema'));
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
