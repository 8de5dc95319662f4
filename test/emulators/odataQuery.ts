// The slice of OData query options the bot uses on managedDevices and users: $filter (`eq`, `startswith`
// and `contains` joined by `or`, on the properties each service documents them for), $select, $top and the
// opaque $skiptoken of nextLinks. Anything else is rejected so the bot cannot rely on it by accident.
import { badRequest, type GraphErrorInfo } from './graphErrors';

export interface EntityShape { type: string; props: readonly string[]; filters: FilterRules; resource: string }

export interface QueryOptions {
  match?: (item: Record<string, unknown>) => boolean;
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
    const m = parseFilter(filter, entity.filters, entity.resource);
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

/** Which functions each filterable property allows: `eq`, `startswith`, `contains`. */
export type FilterRules = Record<string, readonly ('eq' | 'startswith' | 'contains')[]>;

/**
 * `prop eq 'x'`, `startswith(prop,'x')` and `contains(prop,'x')` joined by `or`, for the properties and
 * functions `rules` allows (case-insensitive on both sides, like Intune and Entra); anything else is refused.
 */
export function parseFilter(text: string, rules: FilterRules, resource: string): ((item: Record<string, unknown>) => boolean) | GraphErrorInfo {
  const clauses: ((item: Record<string, unknown>) => boolean)[] = [];
  let at = 0;
  for (;;) {
    const head = /^\s*(?:(?<prop>\w+)\s+eq\s+|(?<fn>startswith|contains)\s*\(\s*(?<arg>\w+)\s*,\s*)/i.exec(text.slice(at));
    if (!head?.groups) return badRequest(`Invalid filter clause: Syntax error at position ${at} in '${text}'.`);
    const fn = (head.groups.fn?.toLowerCase() ?? 'eq') as 'eq' | 'startswith' | 'contains';
    const named = head.groups.prop ?? head.groups.arg;
    const prop = Object.keys(rules).find((p) => p.toLowerCase() === named.toLowerCase());
    if (!prop || !rules[prop].includes(fn)) {
      return badRequest(`Unsupported or invalid query filter clause specified for property '${named}' of resource '${resource}'.`);
    }
    const lit = readStringLiteral(text, at + head[0].length);
    if (isError(lit)) return lit;
    at = lit.end;
    if (fn !== 'eq') {
      const close = /^\s*\)/.exec(text.slice(at));
      if (!close) return badRequest(`Invalid filter clause: ')' expected at position ${at} in '${text}'.`);
      at += close[0].length;
    }
    const needle = lit.value.toLowerCase();
    clauses.push((item) => {
      const value = String(item[prop] ?? '').toLowerCase();
      return fn === 'eq' ? value === needle : fn === 'startswith' ? value.startsWith(needle) : value.includes(needle);
    });
    const or = /^\s+or\s+/i.exec(text.slice(at));
    if (or) { at += or[0].length; continue; }
    if (!/^\s*$/.test(text.slice(at))) return badRequest(`Invalid filter clause: Syntax error at position ${at} in '${text}'.`);
    return (item) => clauses.some((c) => c(item));
  }
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
