import { GraphFailure } from '../graph/graphErrors';
import type { IntuneGraph, RemoteAssistanceSessionState } from '../graph/types';
import type { Logger } from '../log';
import type { AssistanceFound } from '../sessions/session';
import { SessionConflictError, StoreUnavailableError, type SessionStore, type StoredSession } from '../store/ports';
import { checkSessionUrl } from './links';
import type { LinkWatch, SessionCards } from './ports';

/** What one look at the device led to: nothing more to do, or look again (after Graph's Retry-After, if it said). */
export type LinkLook = { kind: 'done' } | { kind: 'again'; afterSec?: number };

/** Intune's error text is shown on the card: a sentence or two, not a page. */
const MAX_ERROR_DETAILS = 500;
/** Writers that may race this one on a requested session: a submit, a cancel. A few re-reads settle it. */
const WRITE_ATTEMPTS = 3;
/** Failures that may pass: Graph busy, down or silent. Anything else (a permission, a deleted device) will not. */
const TRANSIENT = new Set(['busy', 'unavailable', 'timeout']);
const DONE: LinkLook = { kind: 'done' };

/**
 * One look, after a request, at what Intune computed for the device's session: when the link or an error has
 * appeared, it is stored on the session and the live card is shown again with it, once. Only a session still
 * `requested` is touched: the write is conditional on the version read, so a card the technician submitted
 * or cancelled meanwhile is never turned back into a form.
 */
export class ShowSessionLink {
  constructor(
    private readonly graph: Pick<IntuneGraph, 'getRemoteAssistanceSession'>,
    private readonly store: SessionStore,
    private readonly cards: SessionCards,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(watch: LinkWatch): Promise<LinkLook> {
    let stored: StoredSession | undefined;
    let state: RemoteAssistanceSessionState;
    try {
      stored = await this.store.get(watch.sessionId);
      // Submitted, cancelled, gone or already shown: Graph need not be asked at all.
      if (!stored || !stillOpen(stored)) return DONE;
      state = await this.graph.getRemoteAssistanceSession(watch.deviceId);
    } catch (error) {
      return this.failed(watch, error);
    }
    const found = this.interpret(watch.sessionId, state);
    if (!found) return { kind: 'again' };
    let written: StoredSession | undefined;
    try {
      written = await this.record(stored, found, watch);
    } catch (error) {
      return this.failed(watch, error);
    }
    if (written) await this.show(written, watch);
    return DONE;
  }

  /** Intune's answer, checked: undefined while it has said nothing (both properties are empty until then). */
  private interpret(sessionId: string, state: RemoteAssistanceSessionState): AssistanceFound | undefined {
    const url = state.sessionUrl?.trim() ?? '';
    const details = state.errorDetails?.trim() ?? '';
    if (!url && !details) return undefined;
    const found: AssistanceFound = { at: this.now().toISOString() };
    if (url) {
      const checked = checkSessionUrl(url);
      if (checked.ok) found.sessionUrl = checked.url;
      else {
        found.linkRefused = true;
        this.log.warn({ sessionId, reason: checked.reason }, 'Intune gave a session link that is not a plain https URL: not offered');
      }
    }
    if (details) found.errorDetails = Array.from(details).slice(0, MAX_ERROR_DETAILS).join('');
    this.log.info({ sessionId, link: Boolean(found.sessionUrl), errorDetails: found.errorDetails }, 'Intune answered about the remote assistance session');
    return found;
  }

  /** Stores what was found while the session is still open; undefined if it moved on first. */
  private async record(stored: StoredSession, found: AssistanceFound, watch: LinkWatch): Promise<StoredSession | undefined> {
    let current: StoredSession | undefined = stored;
    for (let attempt = 1; current && stillOpen(current); attempt++) {
      const { session, etag } = current;
      try {
        return await this.store.replace({ ...session, assistance: found, card: session.card ?? watch.card, updatedAt: this.now().toISOString() }, etag);
      } catch (error) {
        if (!(error instanceof SessionConflictError) || attempt >= WRITE_ATTEMPTS) throw error;
        current = await this.store.get(session.id);
      }
    }
    this.log.info({ sessionId: watch.sessionId }, 'session moved on before its link could be shown: card left as it is');
    return undefined;
  }

  private async show(written: StoredSession, watch: LinkWatch): Promise<void> {
    try {
      await this.cards.showForm(written.session, watch.inputs);
    } catch (error) {
      // Shown once or not at all: a chat that cannot be reached now is not worth a second form update.
      this.log.warn({ err: error, sessionId: watch.sessionId }, 'could not show the session link on the card');
      return;
    }
    // A submit can land between the write above and the card update reaching Teams: then the form just
    // replaced the record. Read again and put the record back.
    try {
      const after = await this.store.get(watch.sessionId);
      if (after && after.session.state !== 'requested') {
        this.log.info({ sessionId: watch.sessionId, state: after.session.state }, 'session moved on while its link was shown: showing its record again');
        await this.cards.show(after.session);
      }
    } catch (error) {
      this.log.warn({ err: error, sessionId: watch.sessionId }, 'could not check the card after showing the session link');
    }
  }

  private failed(watch: LinkWatch, error: unknown): LinkLook {
    if (error instanceof StoreUnavailableError || error instanceof SessionConflictError) {
      this.log.warn({ err: error, sessionId: watch.sessionId }, 'could not read or save the session while watching for its link; will look again');
      return { kind: 'again' };
    }
    if (!(error instanceof GraphFailure)) throw error;
    const detail = { sessionId: watch.sessionId, kind: error.kind, status: error.status, code: error.code, requestId: error.requestId };
    if (TRANSIENT.has(error.kind)) {
      this.log.warn(detail, 'Intune did not say whether the session has a link; will look again');
      return { kind: 'again', afterSec: error.retryAfterSec };
    }
    this.log.warn(detail, 'Intune refused to say whether the session has a link: stopped watching');
    return DONE;
  }
}

/** Still the live form, and nothing shown on it yet: the one update this watch makes. */
const stillOpen = (stored: StoredSession) => stored.session.state === 'requested' && !stored.session.assistance;
