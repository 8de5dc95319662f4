// Text ➜ command. Patterns sit in one table so each language adds rows, not branches.
import type { Target } from '../assist/startAssistance';

export type Command =
  | { kind: 'assist'; target: Target }
  /** "help me with my device …": the writer asks for help for themselves; `text` is what follows (a device name, the problem, or both). */
  | { kind: 'request'; text: string }
  | { kind: 'help' }
  | { kind: 'sessions' }
  /** The open requests, for technicians. */
  | { kind: 'requests' }
  | { kind: 'unknown' };

interface Rule {
  pattern: RegExp;
  build(match: RegExpMatchArray): Command;
}

/** Quote pairs a device name may be wrapped in; the quotes are not part of the name. */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '«': '»', '„': '“', '`': '`' };

function unquote(name: string): string {
  const trimmed = name.trim();
  const close = QUOTES[trimmed[0]];
  return close && trimmed.length > 1 && trimmed.endsWith(close) ? trimmed.slice(1, -1).trim() : trimmed;
}

const assist = (m: RegExpMatchArray): Command => {
  const text = unquote(m.groups?.name ?? '');
  if (!text) return { kind: 'help' };
  return { kind: 'assist', target: m.groups?.device ? { kind: 'device', name: text } : { kind: 'anyone', text } };
};
const request = (m: RegExpMatchArray): Command => ({ kind: 'request', text: (m.groups?.rest ?? '').replace(/^[\s:,;.\-–—]+/u, '').trim() });

/** "help me with", in each language; every form works in every locale. */
const HELP_WITH = [
  'help\\s+(?:me\\s+)?with', // en
  '(?:ajude-me|me\\s+ajud[ea]|ajude|ajuda)\\s+com', // pt-BR
  '(?:ay[uú]dame|ayuda(?:\\s+me)?)\\s+con', // es-ES
  'помоги(?:те)?(?:\\s+мне)?\\s+с', // ru-RU
].join('|');
/** "device", and "my device" with its everyday names (laptop, phone…), in each language. */
const DEVICE = '(?:the\\s+)?device|(?:o\\s+)?dispositivo|(?:el\\s+)?dispositivo|устройством';
const MY_DEVICE = [
  'my\\s+(?:device|laptop|computer|pc|desktop|phone|mobile|tablet|mac|macbook|ipad|iphone)',
  '(?:o\\s+)?meu\\s+(?:dispositivo|notebook|laptop|computador|pc|celular|telefone|tablet|mac|ipad|iphone)|(?:a\\s+)?minha\\s+m[aá]quina',
  'mi\\s+(?:dispositivo|port[aá]til|ordenador|equipo|pc|m[oó]vil|tel[eé]fono|tableta|mac|ipad|iphone)',
  'моим\\s+(?:устройством|ноутбуком|компьютером|телефоном|планшетом|маком|айфоном)',
].join('|');

/** "help", "sessions" and "help me with …"; the "my device" rule goes before the others, which would take "my" for a name. */
const RULES: Rule[] = [
  { pattern: /^(?:\/)?(?:help|ajuda|ayuda|помощь|справка|\?)$/iu, build: () => ({ kind: 'help' }) },
  { pattern: /^(?:(?:my\s+)?sessions|(?:minhas\s+)?sess(?:õ|o)es|(?:mis\s+)?sesiones|(?:мои\s+)?(?:сеансы|сессии))$/iu, build: () => ({ kind: 'sessions' }) },
  { pattern: /^(?:(?:open\s+)?requests|pedidos(?:\s+abertos)?|solicitudes(?:\s+abiertas)?|(?:открытые\s+)?заявки)$/iu, build: () => ({ kind: 'requests' }) },
  { pattern: new RegExp(`^(?:${HELP_WITH})\\s+(?:${MY_DEVICE})(?=$|[\\s:,;.!?])(?<rest>.*)$`, 'isu'), build: request },
  { pattern: new RegExp(`^(?:${HELP_WITH})(?:\\s+(?<device>${DEVICE}))?(?:\\s+(?<name>.+))?$`, 'isu'), build: assist },
];

export function parseCommand(text: string | undefined): Command {
  // Card submits and some events carry no text at all. Inner spaces are kept: they may be part of a name.
  const normalized = (text ?? '').replace(/\u00a0/gu, ' ').trim();
  if (!normalized) return { kind: 'help' };
  for (const rule of RULES) {
    const match = normalized.match(rule.pattern);
    if (match) return rule.build(match);
  }
  return { kind: 'unknown' };
}
