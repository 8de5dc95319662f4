import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHelpCard } from '../../src/cards/renderCards';
import { messagesFor } from '../../src/i18n/messages';

describe('the help card, expanded once', () => {
  it('is the same card every time, and a change to one copy never reaches the next', () => {
    const m = messagesFor('en-US');
    const first = renderHelpCard(m);
    (first.body as unknown[]).length = 0;
    first.version = 'changed';
    const second = renderHelpCard(m);
    assert.notEqual(second.version, 'changed');
    assert.ok((second.body as unknown[]).length > 0);
    assert.deepEqual(renderHelpCard(m), second);
  });

  it('keeps each language and each lead apart', () => {
    const en = messagesFor('en-US');
    const pt = messagesFor('pt-BR');
    const plain = JSON.stringify(renderHelpCard(en));
    const led = JSON.stringify(renderHelpCard(en, en.t('help.notUnderstood')));
    assert.ok(!plain.includes(JSON.stringify(en.t('help.notUnderstood')).slice(1, -1)));
    assert.ok(led.includes(JSON.stringify(en.t('help.notUnderstood')).slice(1, -1)));
    assert.ok(JSON.stringify(renderHelpCard(pt)).includes(JSON.stringify(pt.t('help.title')).slice(1, -1)));
    assert.ok(!JSON.stringify(renderHelpCard(pt)).includes(JSON.stringify(en.t('help.title')).slice(1, -1)));
  });
});
