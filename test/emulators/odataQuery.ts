// The slice of OData query options the bot uses on managedDevices and users: $filter (only
// `deviceName eq '…'` and `contains(deviceName,'…')`, as Intune documents), $select, $top and the
// opaque $skiptoken of nextLinks. Anything else is rejected so the bot cannot rely on it by accident.
import { badRequest, type GraphErrorInfo } from './graphErrors';

export interface EntityShape { type: string; props: readonly string[] }

export interface QueryOptions {
  match?: (name: string) => boolean;
  /** Canonical property names requested by $select (undefined: all default properties). */
  select?: string[];
  top?: number;
  skip: number;
}

const isError = (v: unknown): v is GraphErrorInfo => typeof v === 'object' && v !== null && 'status' in v;
const ALLOWED_OPTIONS = new Set(['$filter', '$select', '$top', '$skiptoken']);

export function parseQuery(search: URLSearchParams, entity: EntityShape, allowCollectionOptions: boolean): QueryOptions | GraphErrorInfo {
  const out: QueryOptions = { skip: 0 };
  for (const key of search.keys()) {
    if (key.startsWith('$') && !ALLOWED_OPTIONS.has(key.toLowerCase())) return badRequest(`Query option '${key}' is not supported by the emulator.`);
    if (!allowCollectionOptions && ['$filter', '$top', '$skiptoken'].includes(key.toLowerCase())) {
      return badRequest(`Query option '${key}' is not allowed on a single entity.`);
    }
  }
  const get = (name: string): string | null => {
    for (const [k, v] of search) if (k.toLowerCase() === name) return v;
    return null;
  };
  const filter = get('$filter');
  if (filter !== null) {
    const m = parseDeviceNameFilter(filter);
    if (isError(m)) return m;
    out.match = m;
  }
  const select = get('$select');
  if (select !== null) {
    const s = parseSelect(select, entity);
    if (isError(s)) return s;
    out.select = s;
  }
  const top = get('$top');
  if (top !== null) {
    if (!/^\d+$/.test(top) || +top < 1 || +top > 999) return badRequest(`Invalid value '${top}' for $top query option found. The $top query option requires a non-negative integer value.`);
    out.top = +top;
  }
  const skiptoken = get('$skiptoken');
  if (skiptoken !== null) {
    const m = /^skip:(\d+)$/.exec(Buffer.from(skiptoken, 'base64url').toString('utf8'));
    if (!m) return badRequest('The specified $skiptoken is invalid or has expired.');
    out.skip = +m[1];
  }
  return out;
}

/** deviceName eq 'x' (case-insensitive, like Intune) or contains(deviceName,'x'). */
export function parseDeviceNameFilter(text: string): ((name: string) => boolean) | GraphErrorInfo {
  const eq = /^\s*deviceName\s+eq\s+/i.exec(text);
  const contains = /^\s*contains\s*\(\s*deviceName\s*,\s*/i.exec(text);
  const head = eq ?? contains;
  if (!head) return badRequest(`Invalid filter clause: the emulator supports only "deviceName eq '…'" and "contains(deviceName,'…')"; got '${text}'.`);
  const lit = readStringLiteral(text, head[0].length);
  if (isError(lit)) return lit;
  const tail = text.slice(lit.end);
  if (!(contains ? /^\s*\)\s*$/ : /^\s*$/).test(tail)) {
    return badRequest(`Invalid filter clause: Syntax error at position ${lit.end} in '${text}'.`);
  }
  const needle = lit.value.toLowerCase();
  return eq ? (name) => name.toLowerCase() === needle : (name) => name.toLowerCase().includes(needle);
}

/** OData string literal starting at `start`: '...' with '' standing for one quote. */
function readStringLiteral(text: string, start: number): { value: string; end: number } | GraphErrorInfo {
  if (text[start] !== "'") return badRequest(`Invalid filter clause: Expression expected at position ${start} in '${text}'.`);
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== "'") { value += text[i]; continue; }
    if (text[i + 1] === "'") { value += "'"; i++; continue; }
    return { value, end: i + 1 };
  }
  return badRequest(`Invalid filter clause: There is an unterminated string literal at position ${start} in '${text}'.`);
}

function parseSelect(text: string, entity: EntityShape): string[] | GraphErrorInfo {
  const names: string[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    const canonical = entity.props.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!canonical) return badRequest(`Could not find a property named '${name}' on type '${entity.type}'.`);
    if (!names.includes(canonical)) names.push(canonical);
  }
  return names;
}

/** Keeps only the selected properties (id always), like Graph. */
export function project(item: Record<string, unknown>, select: string[] | undefined, defaults: readonly string[]): Record<string, unknown> {
  const keys = select ? ['id', ...select.filter((k) => k !== 'id')] : defaults;
  return Object.fromEntries(keys.map((k) => [k, item[k] ?? null]));
}

/** One page of results plus an absolute @odata.nextLink that keeps the caller's other query options. */
export function paginate<T>(items: T[], q: QueryOptions, pageSize: number, requestUrl: URL, baseUrl: string): { value: T[]; nextLink?: string } {
  const size = q.top ?? pageSize;
  const value = items.slice(q.skip, q.skip + size);
  if (q.skip + size >= items.length) return { value };
  const keep = requestUrl.search.slice(1).split('&').filter((p) => p && !/^(\$|%24)skiptoken=/i.test(p));
  keep.push(`$skiptoken=${Buffer.from(`skip:${q.skip + size}`).toString('base64url')}`);
  return { value, nextLink: `${baseUrl}${requestUrl.pathname}?${keep.join('&')}` };
}
