import { IntlMessageFormat } from 'intl-messageformat';
import enUS from './catalogues/en-US.json';

export type MessageKey = keyof typeof enUS;
export type MessageValues = Record<string, string | number>;

/** The user-facing text of one locale. Every sentence a user reads comes from a catalogue through here. */
export interface Messages {
  locale: string;
  t(key: MessageKey, values?: MessageValues): string;
}

type Catalogue = Record<MessageKey, string>;

/** en-US is the source catalogue; other locales may omit keys and fall back to it. */
const CATALOGUES: Record<string, Partial<Catalogue>> = { 'en-US': enUS };
const DEFAULT_LOCALE = 'en-US';

/** The best catalogue for a Teams locale: exact ("pt-BR"), then by language ("pt-PT" ➜ "pt-BR"), then en-US. */
export function resolveLocale(requested: string | undefined): string {
  if (!requested) return DEFAULT_LOCALE;
  const wanted = requested.toLowerCase();
  const locales = Object.keys(CATALOGUES);
  return (
    locales.find((l) => l.toLowerCase() === wanted) ??
    locales.find((l) => l.split('-')[0].toLowerCase() === wanted.split('-')[0]) ??
    DEFAULT_LOCALE
  );
}

const cache = new Map<string, Messages>();

export function messagesFor(requested: string | undefined): Messages {
  const locale = resolveLocale(requested);
  let messages = cache.get(locale);
  if (!messages) {
    const formats = new Map<MessageKey, IntlMessageFormat>();
    const catalogue = CATALOGUES[locale];
    messages = {
      locale,
      t(key, values) {
        let format = formats.get(key);
        if (!format) {
          const source = catalogue[key] ?? enUS[key];
          // A key built from a value Graph may extend (an enum member) has no entry: the caller falls back.
          if (source === undefined) return key;
          format = new IntlMessageFormat(source, catalogue[key] ? locale : DEFAULT_LOCALE, undefined, { ignoreTag: true });
          formats.set(key, format);
        }
        return String(format.format(values));
      },
    };
    cache.set(locale, messages);
  }
  return messages;
}
