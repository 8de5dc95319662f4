import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import enUS from '../../src/i18n/catalogues/en-US.json';
import { IntlMessageFormat } from 'intl-messageformat';
import { CATALOGUES, messagesFor, resolveLocale, verbatim, type MessageKey } from '../../src/i18n/messages';

const sample = { named: 'yes', contact: 'none', consentUrl: 'https://login.example/consent', name: 'Ana', deviceName: 'LAPTOP-42', count: 2, permission: 'P', seconds: 5, code: 'x', timeZone: 'UTC', hours: 1, minutes: 5, requestedAt: 'Nov 23, 2026, 10:30 AM', text: 'Maria', person: 'Maria Silva', technician: 'Alex', time: '10:42', details: 'Partner not onboarded.' };

describe('message catalogue', () => {
  it('formats every en-US message without leftover placeholders', () => {
    const m = messagesFor('en-US');
    for (const key of Object.keys(enUS) as MessageKey[]) {
      const text = m.t(key, sample);
      assert.ok(text.length > 0 || key === 'duration', key);
      assert.ok(!/[{}]/.test(text), `${key}: ${text}`);
    }
  });

  it('has every key of en-US in every language, with the same placeholders and the language\'s own plural forms', () => {
    assert.deepEqual(Object.keys(CATALOGUES).sort(), ['en-US', 'es-ES', 'pt-BR', 'ru-RU']);
    for (const [locale, catalogue] of Object.entries(CATALOGUES)) {
      assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(enUS).sort(), `${locale}: keys`);
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const key of Object.keys(enUS) as MessageKey[]) {
        const own = argumentsOf(new IntlMessageFormat(catalogue[key]!, locale, undefined, { ignoreTag: true }).getAst(), categories, `${locale} ${key}`);
        const english = argumentsOf(new IntlMessageFormat(enUS[key], 'en-US', undefined, { ignoreTag: true }).getAst(), [], `en-US ${key}`);
        assert.deepEqual(own, english, `${locale} ${key}: placeholders`);
        const text = messagesFor(locale).t(key, sample);
        assert.ok(!/[{}]/.test(text), `${locale} ${key}: ${text}`);
      }
    }
  });

  it('speaks each language to its own locale, with Russian plurals', () => {
    assert.match(messagesFor('pt-BR').t('help.assist.command'), /^ajude-me com o dispositivo/);
    assert.match(messagesFor('es-ES').t('help.assist.command'), /^ayúdame con el dispositivo/);
    assert.match(messagesFor('ru-RU').t('help.assist.command'), /^помоги с устройством/);
    const ru = messagesFor('ru-RU');
    const [one, few, many] = [1, 3, 5].map((seconds) => ru.t('graph.busy', { seconds }));
    assert.ok(new Set([one, few, many]).size === 3, `three Russian forms: ${one} | ${few} | ${many}`);
  });

  it('picks the closest catalogue: the exact locale, then the language, then en-US', () => {
    const locales = ['en-US', 'pt-BR', 'es-ES', 'ru-RU'];
    assert.equal(resolveLocale('pt-BR', locales), 'pt-BR');
    assert.equal(resolveLocale('PT-pt', locales), 'pt-BR');
    assert.equal(resolveLocale('es-MX', locales), 'es-ES');
    assert.equal(resolveLocale('ru', locales), 'ru-RU');
    assert.equal(resolveLocale('en-GB', locales), 'en-US');
    assert.equal(resolveLocale('xx-YY', locales), 'en-US');
    assert.equal(resolveLocale(undefined, locales), 'en-US');
    assert.equal(resolveLocale('es-ES', ['en-US', 'es-MX', 'es-ES']), 'es-ES', 'exact before language');
  });

  it('escapes data in sentences, and keeps verbatim what is ours', () => {
    const m = messagesFor('en-US');
    assert.equal(m.t('find.notFound', { deviceName: '[x](https://evil.example) *y*' }).includes('\\[x\\]\\(https://evil.example\\) \\*y\\*'), true);
    assert.match(m.t('signIn.failed', { consentUrl: verbatim('https://login.example/t/adminconsent?client_id=a_b') }), /client_id=a_b/);
  });

  it('greets by name only when Teams gave one', () => {
    const m = messagesFor('en-US');
    assert.match(m.t('greeting', { named: 'yes', name: 'Ana' }), /^Hi Ana! I'm AssistDesk/);
    assert.match(m.t('greeting', { named: 'no', name: '' }), /^Hi! I'm AssistDesk/);
  });

  it('pluralises', () => {
    const m = messagesFor('en-US');
    assert.equal(m.t('graph.busy', { seconds: 1 }), 'Intune is busy, try again in 1 second.');
    assert.equal(m.t('graph.busy', { seconds: 12 }), 'Intune is busy, try again in 12 seconds.');
  });
});

/** The argument names a message uses, checking on the way that each plural has every category the language needs. */
function argumentsOf(ast: unknown[], categories: string[], where: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: unknown[]) => {
    for (const node of nodes as Array<{ type: number; value?: string; options?: Record<string, { value: unknown[] }> }>) {
      if ([1, 2, 3, 4, 5, 6].includes(node.type) && node.value) names.add(node.value);
      if (node.type === 6) {
        const options = Object.keys(node.options ?? {}).filter((o) => !o.startsWith('='));
        for (const category of categories) assert.ok(options.includes(category), `${where}: plural {${node.value}} lacks "${category}"`);
      }
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(ast);
  return [...names].sort();
}
