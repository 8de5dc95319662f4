import type { SessionStore, StoredSession } from '../store/ports';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  if (!stored || !session || session.tenantId !== caller.tenantId || (!options.anyConversation && session.conversationId !== caller.conversationId)) {
    return { kind: 'unknown' };
  }
  if (session.technician.aadObjectId !== caller.aadObjectId) return { kind: 'notYours', session };
  return { kind: 'ok', stored };
}
