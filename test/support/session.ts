// Shortcuts for integration tests: start a session through the bot and fill its card as a technician would.
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { executeActions, inputs } from './cardValidation';
import type { ActivityRecord } from '../emulators/connector';
import { click, say, type PostResult, type TeamsChat } from './teams';
import type { World } from './world';

export interface StartedSession {
  sessionId: string;
  card: Record<string, unknown>;
  /** The id the Bot Connector gave the message carrying the card: clicks name it as replyToId. */
  cardActivityId: string;
  /** The card's prefilled input values. */
  prefilled: Record<string, string>;
  /** A click on this card, as Teams sends it. */
  click(verb: string, data: Record<string, unknown>, options?: { activityId?: string; chat?: TeamsChat }): Promise<PostResult>;
  /** Resolves when the card has been updated in place to show `title`. */
  updatedTo(title: string, timeoutMs?: number): Promise<ActivityRecord>;
}

export async function startSession(world: World, chat: TeamsChat, deviceName = 'LAPTOP-42'): Promise<StartedSession> {
  const result = await say(chat, `help me with device ${deviceName}`);
  const answer = world.connector.activities.find((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message');
  const card = answer?.body.attachments?.[0]?.content;
  assert.ok(card, `no session card for ${deviceName}: ${answer?.body.text ?? 'no answer'}`);
  const submit = executeActions(card).find((a) => a.verb === 'submitReport');
  assert.ok(submit);
  const prefilled = Object.fromEntries(Object.entries(inputs(card)).map(([id, input]) => [id, String(input.value ?? '')]));
  const cardActivityId = answer!.activityId!;
  return {
    sessionId: submit.data.sessionId as string,
    card,
    cardActivityId,
    prefilled,
    click: (verb, data, options = {}) => click(options.chat ?? chat, verb, data, { activityId: options.activityId, replyToId: cardActivityId }),
    updatedTo: (title, timeoutMs = 10_000) =>
      world.connector.waitFor((r) => r.kind === 'update' && r.activityId === cardActivityId && JSON.stringify(r.body).includes(title), timeoutMs),
  };
}

/**
 * Inputs for a session that ran from `startMinutesAgo` to `endMinutesAgo`, in the chat's time zone. By
 * default from a minute ago to now: a session cannot start before its request, which a test has just made.
 */
export function filledInputs(chat: TeamsChat, overrides: Record<string, string> = {}, startMinutesAgo = 1, endMinutesAgo = 0): Record<string, string> {
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
