// Shortcuts for integration tests: start a session through the bot and fill its card as a technician would.
import assert from 'node:assert/strict';
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
  let card = answer?.body.attachments?.[0]?.content;
  // Past Intune's write budget the answer says when the request will go; the message then becomes the card.
  if (!card && answer && /budget for requests is used up/.test(answer.body.text ?? '')) {
    card = (await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === answer.activityId, 120_000)).body.attachments?.[0]?.content;
  }
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
 * What a technician sends from the card: by default the one click (full control, "since the request,
 * until now", not a managed device); `overrides` set other inputs, e.g. `endedMinutesAgo` and `lastedMinutes`.
 */
export function filledInputs(_chat: TeamsChat, overrides: Record<string, string> = {}): Record<string, string> {
  return { sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'none', ...overrides };
}
