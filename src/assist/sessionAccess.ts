import type { Session } from '../sessions/session';
import type { SessionStore, StoredSession } from '../store/ports';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';

export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads a session for a card action, trusting nothing the card sent: the id must be well formed, the
 * session must belong to this tenant and to the technician who clicked, and, unless `anyConversation`
 * (the technician's own list, shown in any chat), to this conversation.
 */
export async function loadForCaller(
  store: SessionStore,
  caller: Caller,
  sessionId: unknown,
  options: { anyConversation?: boolean } = {},
): Promise<{ kind: 'ok'; stored: StoredSession } | Extract<SessionOutcome, { kind: 'unknown' | 'notYours' }>> {
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return { kind: 'unknown' };
  const stored = await store.get(sessionId);
  const session = stored?.session;
  if (!stored || !session || session.tenantId !== caller.tenantId || (!options.anyConversation && !sameConversation(session.conversationId, caller.conversationId))) {
    return { kind: 'unknown' };
  }
  if (session.technician.aadObjectId !== caller.aadObjectId) return { kind: 'notYours', session };
  return { kind: 'ok', stored };
}

/**
 * A channel's conversation id names the thread (`19:…@thread.tacv2;messageid=…`): a card posted as a new
 * post in the channel is clicked from its own thread, so channels compare without it.
 */
export function sameConversation(a: string, b: string): boolean {
  return a.split(';')[0] === b.split(';')[0];
}

/**
 * Loads a request for a card action: well-formed id, this tenant, and clicked in the conversation the
 * request was posted to, or in the requester's own chat.
 */
export async function loadRequest(store: SessionStore, caller: Caller, sessionId: unknown): Promise<StoredSession | undefined> {
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return undefined;
  const stored = await store.get(sessionId);
  const session = stored?.session;
  if (!session?.requester || session.tenantId !== caller.tenantId) return undefined;
  return postedHere(session, caller) ? stored : undefined;
}

/** The caller is in the chat the session's card was posted to, or (a request) in the requester's own chat. */
export function postedHere(session: Session, caller: Caller): boolean {
  return sameConversation(session.conversationId, caller.conversationId) || session.requester?.chatId === caller.conversationId;
}
