import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/commands/parseCommand';

describe('parseCommand', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseCommand>]> = [
    ['help me with device LAPTOP-42', { kind: 'assist', target: { kind: 'device', name: 'LAPTOP-42' } }],
    ['Help With Device LAPTOP-42', { kind: 'assist', target: { kind: 'device', name: 'LAPTOP-42' } }],
    ['help me with LAPTOP-42', { kind: 'assist', target: { kind: 'anyone', text: 'LAPTOP-42' } }],
    ['HELP ME WITH DEVICE desk 7', { kind: 'assist', target: { kind: 'device', name: 'desk 7' } }],
    ["help me with device O'Brien-PC", { kind: 'assist', target: { kind: 'device', name: "O'Brien-PC" } }],
    ['help me with device "DESK 7"', { kind: 'assist', target: { kind: 'device', name: 'DESK 7' } }],
    ['help me with device “Ноутбук-5”', { kind: 'assist', target: { kind: 'device', name: 'Ноутбук-5' } }],
    ['help me with device José’s Mac', { kind: 'assist', target: { kind: 'device', name: 'José’s Mac' } }],
    ['  help me with device\u00a0LAPTOP-42  ', { kind: 'assist', target: { kind: 'device', name: 'LAPTOP-42' } }],
    ['help me with device', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['?', { kind: 'help' }],
    [undefined, { kind: 'help' }],
    ['', { kind: 'help' }],
    ['ajude-me com o dispositivo LAPTOP-42', { kind: 'assist', target: { kind: 'device', name: 'LAPTOP-42' } }],
    ['Me ajude com o dispositivo DESK 7', { kind: 'assist', target: { kind: 'device', name: 'DESK 7' } }],
    ['ajuda com dispositivo "Ноутбук-5"', { kind: 'assist', target: { kind: 'device', name: 'Ноутбук-5' } }],
    ['ajude-me com LAPTOP-42', { kind: 'assist', target: { kind: 'anyone', text: 'LAPTOP-42' } }],
    ['ayúdame con el dispositivo LAPTOP-42', { kind: 'assist', target: { kind: 'device', name: 'LAPTOP-42' } }],
    ['Ayudame con el dispositivo «DESK 7»', { kind: 'assist', target: { kind: 'device', name: 'DESK 7' } }],
    ['ayuda con LAPTOP-42', { kind: 'assist', target: { kind: 'anyone', text: 'LAPTOP-42' } }],
    ['помоги с устройством LAPTOP-42', { kind: 'assist', target: { kind: 'device', name: 'LAPTOP-42' } }],
    ['Помогите мне с устройством «Ноутбук-5»', { kind: 'assist', target: { kind: 'device', name: 'Ноутбук-5' } }],
    ['помоги с DESK 7', { kind: 'assist', target: { kind: 'anyone', text: 'DESK 7' } }],
    ['ajuda', { kind: 'help' }],
    ['Ayuda', { kind: 'help' }],
    ['помощь', { kind: 'help' }],
    ['minhas sessões', { kind: 'sessions' }],
    ['sesiones', { kind: 'sessions' }],
    ['Мои сеансы', { kind: 'sessions' }],
    ['ajude-me com o dispositivo', { kind: 'help' }],
    ['help me with maria.silva@contoso.example', { kind: 'assist', target: { kind: 'anyone', text: 'maria.silva@contoso.example' } }],
    ['help me with Maria Silva', { kind: 'assist', target: { kind: 'anyone', text: 'Maria Silva' } }],
    ['help me with device7', { kind: 'assist', target: { kind: 'anyone', text: 'device7' } }],
    // "my device" is always the writer asking for themselves, whatever follows.
    ['help me with my device', { kind: 'request', text: '' }],
    ['help me with my laptop: it will not start', { kind: 'request', text: 'it will not start' }],
    ['Help me with my phone PIXEL-7-MS, the screen is black', { kind: 'request', text: 'PIXEL-7-MS, the screen is black' }],
    ['me ajuda com meu notebook, não liga', { kind: 'request', text: 'não liga' }],
    ['ajude-me com o meu celular', { kind: 'request', text: '' }],
    ['ayúdame con mi portátil: no arranca', { kind: 'request', text: 'no arranca' }],
    ['помогите мне с моим ноутбуком — не включается', { kind: 'request', text: 'не включается' }],
    ['help me with mystery-box', { kind: 'assist', target: { kind: 'anyone', text: 'mystery-box' } }],
    ['requests', { kind: 'requests' }],
    ['Pedidos abertos', { kind: 'requests' }],
    ['solicitudes', { kind: 'requests' }],
    ['заявки', { kind: 'requests' }],
    ['reboot everything', { kind: 'unknown' }],
    ['ajudante', { kind: 'unknown' }],
    ['helpdesk', { kind: 'unknown' }],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseCommand(text), expected));
  }
});
