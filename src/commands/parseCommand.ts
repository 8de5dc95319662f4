// Text ➜ command. Patterns sit in one table so each language adds rows, not branches.

export type Command =
  | { kind: 'assist'; deviceName: string }
  | { kind: 'help' }
  | { kind: 'sessions' }
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
  const deviceName = unquote(m.groups?.name ?? '');
  return deviceName ? { kind: 'assist', deviceName } : { kind: 'help' };
};

/** "help", "sessions" and "help me with device X" in each language we speak; every form works in every locale. */
const RULES: Rule[] = [
  { pattern: /^(?:\/)?(?:help|ajuda|ayuda|помощь|справка|\?)$/iu, build: () => ({ kind: 'help' }) },
  { pattern: /^(?:(?:my\s+)?sessions|(?:minhas\s+)?sess(?:õ|o)es|(?:mis\s+)?sesiones|(?:мои\s+)?(?:сеансы|сессии))$/iu, build: () => ({ kind: 'sessions' }) },
  // en: "help me with device X", "help with device X", "help me with X"
  { pattern: /^help\s+(?:me\s+)?with(?:\s+(?:the\s+)?device)?(?:\s+(?<name>.+))?$/isu, build: assist },
  // pt-BR: "ajude-me com o dispositivo X", "me ajude com o dispositivo X", "ajuda com o dispositivo X", "ajude-me com X"
  { pattern: /^(?:ajude-me|me\s+ajude|ajude|ajuda)\s+com(?:\s+(?:o\s+)?dispositivo)?(?:\s+(?<name>.+))?$/isu, build: assist },
  // es-ES: "ayúdame con el dispositivo X", "ayuda con el dispositivo X", "ayúdame con X"
  { pattern: /^(?:ay[uú]dame|ayuda(?:\s+me)?)\s+con(?:\s+(?:el\s+)?dispositivo)?(?:\s+(?<name>.+))?$/isu, build: assist },
  // ru-RU: "помоги с устройством X", "помогите мне с устройством X", "помоги с X"
  { pattern: /^помоги(?:те)?(?:\s+мне)?\s+с(?:\s+устройством)?(?:\s+(?<name>.+))?$/isu, build: assist },
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
