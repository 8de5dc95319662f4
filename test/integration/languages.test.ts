// The helpdesk's four languages over the wire: commands in each (and English in every locale), and every
// reply, card, validation error, date and duration in the language of the activity's locale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertValidCard } from '../support/cardValidation';
import { filledInputs, startSession } from '../support/session';
import { say, type PostResult, type TeamsChat } from '../support/teams';
import { useWorld, type World } from '../support/world';

let world: World;
useWorld((w) => (world = w));

const answers = (result: PostResult) => world.connector.activities.filter((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message');
const cardOf = (result: PostResult) => answers(result)[0]?.body.attachments?.[0]?.content;

const LANGUAGES = [
  { locale: 'pt-BR', ask: 'ajude-me com o dispositivo LAPTOP-42', title: 'Assistência remota solicitada', error: 'O término precisa ser depois do início', reported: 'Sessão de assistência remota registrada', notFound: /Não encontrei nenhum dispositivo no Intune com o nome “NOPE”/, list: 'sessões', listTitle: 'Suas sessões recentes', month: /dez\./ },
  { locale: 'es-ES', ask: 'ayúdame con el dispositivo LAPTOP-42', title: 'Asistencia remota solicitada', error: 'El final debe ser posterior al inicio', reported: 'Sesión de asistencia remota registrada', notFound: /No he encontrado ningún dispositivo de Intune llamado “NOPE”/, list: 'mis sesiones', listTitle: 'Tus sesiones recientes', month: /dic/ },
  { locale: 'ru-RU', ask: 'помоги с устройством LAPTOP-42', title: 'Удалённая помощь запрошена', error: 'Окончание должно быть позже начала', reported: 'Сеанс удалённой помощи зарегистрирован', notFound: /Устройство с именем «NOPE» в Intune не найдено/, list: 'мои сеансы', listTitle: 'Ваши недавние сеансы', month: /дек/ },
];

describe('four languages', () => {
  for (const lang of LANGUAGES) {
    it(`${lang.locale}: the command, the card, its errors, the record and the list in ${lang.locale}`, async () => {
      const chat: TeamsChat = world.chat({ locale: lang.locale });
      const asked = await say(chat, lang.ask);
      const card = cardOf(asked);
      assertValidCard(card);
      assert.match(JSON.stringify(card), new RegExp(lang.title));
      assert.equal(world.graph.assistanceRequests.length, 1);

      const session = await startSession(world, chat, 'DESK 7');
      const wrong = await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat, { endedMinutesAgo: '90' }) });
      assert.match(JSON.stringify(wrong.body.value), new RegExp(lang.error));

      await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
      const record = (await session.updatedTo(lang.reported)).body.attachments[0].content;
      assertValidCard(record);
      // Dates in the language's own format (the month's name), e.g. "1 de dez. de 2026".
      assert.match(JSON.stringify(record), lang.month);

      const notFound = await say(chat, lang.ask.replace('LAPTOP-42', 'NOPE'));
      assert.match(answers(notFound)[0]?.body.text ?? '', lang.notFound);
      const listed = await say(chat, lang.list);
      assert.match(JSON.stringify(cardOf(listed)), new RegExp(lang.listTitle));
    });
  }

  it('understands the English commands in every locale, answering in the locale\'s language', async () => {
    const asked = await say(world.chat({ locale: 'ru-RU' }), 'help me with device LAPTOP-42');
    assert.match(JSON.stringify(cardOf(asked)), /Удалённая помощь запрошена/);
  });

  it('falls back by language, then to English', async () => {
    const brazilianForPortugal = await say(world.chat({ locale: 'pt-PT' }), 'ajuda');
    assert.match(JSON.stringify(cardOf(brazilianForPortugal)), /O que eu posso fazer/);
    const french = await say(world.chat({ locale: 'fr-FR' }), 'help');
    assert.match(JSON.stringify(cardOf(french)), /What I can do/);
    const garbage = await say(world.chat({ locale: '../../etc' }), 'help');
    assert.match(JSON.stringify(cardOf(garbage)), /What I can do/);
  });
});
