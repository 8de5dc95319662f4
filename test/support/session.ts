// Shortcuts for integration tests: start a session through the bot and fill its card as a technician would.
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { executeActions, inputs } from '../unit/cardValidation';
import { say, type TeamsChat } from './teams';
import type { World } from './world';

export interface StartedSession {
  sessionId: string;
  card: Record<string, unknown>;
  /** The card's prefilled input values. */
  prefilled: Record<string, string>;
}

export async function startSession(world: World, chat: TeamsChat, deviceName = 'LAPTOP-42'): Promise<StartedSession> {
  const result = await say(chat, `help me with device ${deviceName}`);
  const answer = world.connector.activities.find((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message');
  const card = answer?.body.attachments?.[0]?.content;
  assert.ok(card, `no session card for ${deviceName}: ${answer?.body.text ?? 'no answer'}`);
  const submit = executeActions(card).find((a) => a.verb === 'submitReport');
  assert.ok(submit);
  const prefilled = Object.fromEntries(Object.entries(inputs(card)).map(([id, input]) => [id, String(input.value ?? '')]));
  return { sessionId: submit.data.sessionId as string, card, prefilled };
}

/** Inputs for a session that ran from `startMinutesAgo` to `endMinutesAgo`, in the chat's time zone. */
export function filledInputs(chat: TeamsChat, overrides: Record<string, string> = {}, startMinutesAgo = 50, endMinutesAgo = 5): Record<string, string> {
  const zone = chat.timeZone ?? 'UTC';
  const start = DateTime.now().setZone(zone).minus({ minutes: startMinutesAgo });
  const end = DateTime.now().setZone(zone).minus({ minutes: endMinutesAgo });
  return {
    sessionType: 'fullControl',
    startDate: start.toISODate()!,
    startTime: start.toFormat('HH:mm'),
    endDate: end.toISODate()!,
    endTime: end.toFormat('HH:mm'),
    helperDeviceId: 'none',
    ...overrides,
  };
}
