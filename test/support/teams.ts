// Speaks to the bot as Teams does: activities POSTed to /api/messages, with the shapes Teams sends.
import { randomUUID } from 'node:crypto';

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
}

export interface TeamsChat {
  botUrl: string;
  serviceUrl: string;
  tenantId: string;
  conversationId: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  user: TeamsUser;
  timeZone?: string;
  locale?: string;
}

export const BOT_ACCOUNT = { id: '28:assistdesk-bot', name: 'AssistDesk' };

export interface PostResult {
  status: number;
  body: any;
  activity: Record<string, unknown>;
}

/** The fields Teams puts on every activity in this chat. */
export function baseActivity(chat: TeamsChat, type: string): Record<string, unknown> {
  return {
    type,
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    localTimezone: chat.timeZone ?? 'Europe/Lisbon',
    locale: chat.locale ?? 'en-US',
    channelId: 'msteams',
    serviceUrl: chat.serviceUrl,
    from: chat.user,
    recipient: BOT_ACCOUNT,
    conversation: { id: chat.conversationId, conversationType: chat.conversationType, tenantId: chat.tenantId, isGroup: chat.conversationType !== 'personal' },
    channelData: { tenant: { id: chat.tenantId } },
  };
}

export async function post(botUrl: string, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<PostResult> {
  const response = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, body, activity };
}

/** A message as Teams sends it; in group chats and channels, `mention` puts the bot's @mention first. */
export function say(chat: TeamsChat, text: string, options: { mention?: boolean; activityId?: string } = {}): Promise<PostResult> {
  const activity = baseActivity(chat, 'message');
  // Teams sends a retry of a turn with the same id.
  if (options.activityId) activity.id = options.activityId;
  if (options.mention) {
    const tag = `<at>${BOT_ACCOUNT.name}</at>`;
    activity.text = `${tag} ${text}`;
    activity.entities = [{ type: 'mention', text: tag, mentioned: BOT_ACCOUNT }];
  } else {
    activity.text = text;
  }
  activity.textFormat = 'plain';
  return post(chat.botUrl, activity);
}

/** An Adaptive Card Action.Execute click: invoke `adaptiveCard/action`, inputs merged into `data`. */
export function click(chat: TeamsChat, verb: string, data: Record<string, unknown>, options: { activityId?: string; replyToId?: string; trigger?: 'manual' | 'automatic'; token?: string } = {}): Promise<PostResult> {
  const activity = baseActivity(chat, 'invoke');
  if (options.activityId) activity.id = options.activityId;
  activity.replyToId = options.replyToId ?? 'card-activity-1';
  activity.name = 'adaptiveCard/action';
  // `automatic`: Teams refreshing a card (Universal Actions `refresh`) as it comes into view.
  activity.value = { action: { type: 'Action.Execute', verb, data }, trigger: options.trigger ?? 'manual' };
  // Teams repeats an action with the user's token after the bot asked for a login (Universal Actions SSO).
  if (options.token) Object.assign(activity.value as object, { authentication: { id: randomUUID(), connectionName: 'sso', token: options.token } });
  return post(chat.botUrl, activity);
}

/** The app was installed in this conversation. */
export function install(chat: TeamsChat): Promise<PostResult> {
  const activity = baseActivity(chat, 'installationUpdate');
  activity.action = 'add';
  return post(chat.botUrl, activity);
}

/** An invoke activity by name, as Teams sends it. */
export function invokeActivity(chat: TeamsChat, name: string, value: unknown): Record<string, unknown> {
  return { ...baseActivity(chat, 'invoke'), name, value };
}

/** Teams' silent answer to a sign-in card: the technician's token for the card's exchange id. */
export function exchangeToken(chat: TeamsChat, value: { id: string; connectionName: string; token: string }): Promise<PostResult> {
  return post(chat.botUrl, invokeActivity(chat, 'signin/tokenExchange', value));
}
