import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import enUS from '../../src/i18n/catalogues/en-US.json';
import { messagesFor, resolveLocale, type MessageKey } from '../../src/i18n/messages';

const sample = { named: 'yes', contact: 'none', consentUrl: 'https://login.example/consent', name: 'Ana', deviceName: 'LAPTOP-42', count: 2, permission: 'P', seconds: 5, code: 'x', timeZone: 'UTC', hours: 1, minutes: 5 };

describe('message catalogue', () => {
  it('formats every en-US message without leftover placeholders', () => {
    const m = messagesFor('en-US');
    for (const key of Object.keys(enUS) as MessageKey[]) {
      const text = m.t(key, sample);
      assert.ok(text.length > 0 || key === 'duration', key);
      assert.ok(!/[{}]/.test(text), `${key}: ${text}`);
    }
  });

  it('picks the closest catalogue and falls back to en-US', () => {
    assert.equal(resolveLocale('en-GB'), 'en-US');
    assert.equal(resolveLocale(undefined), 'en-US');
    assert.equal(resolveLocale('xx'), 'en-US');
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
