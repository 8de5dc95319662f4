import { IntlMessageFormat } from 'intl-messageformat';
import enUS from './catalogues/en-US.json';
import esES from './catalogues/es-ES.json';
import ptBR from './catalogues/pt-BR.json';
import ruRU from './catalogues/ru-RU.json';
import { escapeMarkdown } from './markdown';

export type MessageKey = keyof typeof enUS;
/** A value of ours that must reach the text as it is (a link); everything else passed in is data. */
export interface Verbatim { verbatim: string }
export type MessageValues = Record<string, string | number | Verbatim>;

export const verbatim = (text: string): Verbatim => ({ verbatim: text });

/** The user-facing text of one locale. Every sentence a user reads comes from a catalogue through here. */
export interface Messages {
  locale: string;
  t(key: MessageKey, values?: MessageValues): string;
}

type Catalogue = Record<MessageKey, string>;

/** en-US is the source catalogue; the others have every key (a test checks), en-US covers one missed anyway. */
export const CATALOGUES: Record<string, Partial<Catalogue>> = { 'en-US': enUS, 'pt-BR': ptBR, 'es-ES': esES, 'ru-RU': ruRU };
const DEFAULT_LOCALE = 'en-US';

/** The best catalogue for a Teams locale: exact ("pt-BR"), then by language ("pt-PT" ➜ "pt-BR"), then en-US. */
export function resolveLocale(requested: string | undefined, locales: string[] = Object.keys(CATALOGUES)): string {
  if (!requested) return DEFAULT_LOCALE;
  const wanted = requested.toLowerCase();
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
        // Every sentence is rendered as markdown by Teams: data goes in escaped, so it shows as data.
        return String(format.format(values && escapeValues(values)));
      },
    };
    cache.set(locale, messages);
  }
  return messages;
}

function escapeValues(values: MessageValues): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, typeof value === 'object' ? value.verbatim : typeof value === 'string' ? escapeMarkdown(value) : value]),
  );
}
