// What scripts/package.ts and scripts/localization.ts share: the error meant for the person packaging, and the
// official Teams schema files shipped inside @microsoft/app-manifest (read from disk, never fetched).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** An error meant for the person running the script: its message says what to fix. */
export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

/** A schema file shipped inside @microsoft/app-manifest for manifest v<version>. */
export function bundledSchemaFile(version: string, name: string, what: string): string {
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
