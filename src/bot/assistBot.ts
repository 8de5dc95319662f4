import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type CloudAdapter,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import type { Caller } from '../assist/caller';
import type { SessionOutcome, StartOutcome } from '../assist/outcomes';
import type { LinkWatch, SessionCards } from '../assist/ports';
import type { SessionInputs } from '../assist/sessionInput';
import type { AskOutcome } from '../assist/askForHelp';
import type { ResumeOutcome } from '../assist/signedInStart';
import type { AssistUseCases } from '../assist/useCases';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  renderDeviceChoiceCard,
  renderHelpCard,
  renderPeopleChoiceCard,
  renderRequestCard,
  renderRequestListCard,
  renderSessionCard,
  renderSessionListCard,
  renderSessionRecordCard,
  withOwnViewFor,
  type AdaptiveCard,
} from '../cards/renderCards';
import { GraphFailure, type GraphFailureKind } from '../graph/graphErrors';
import type { CardAddress, Session } from '../sessions/session';
import { parseCommand, type Command } from '../commands/parseCommand';
import { MAX_NAME_MATCHES } from '../graph/intuneGraphService';
import { formatDateTime, safeTimeZone } from '../i18n/format';
import { messagesFor, verbatim, type Messages } from '../i18n/messages';
import { addLogFields, type Logger } from '../log';
import { noMetrics, type Metrics, type TurnOutcome } from '../telemetry/metrics';
import { describeFailure } from './errorText';

/**
 * What a turn answers: a card, a sentence, or a sign-in card for a request parked under `exchangeId`. A card
 * sent as a message may want to know where it was posted (`posted`), to be updated later; a new session's
 * card says what to watch for once it is posted (`watch`: Intune's session link).
 */
type Reply =
  | { card: AdaptiveCard; posted?: (address: CardAddress) => Promise<unknown>; watch?: Omit<LinkWatch, 'card'> }
  | { text: string }
  | { signIn: string }
  /** Universal Actions single sign-on: Teams gets the clicker's token and sends the same action again with it. */
  | { loginRequest: true };
/** `token`: the clicker's Teams token, when Teams sent one with the action (after a login request). */
type VerbHandler = (caller: Caller, data: Record<string, unknown>, card: CardAddress, token?: unknown) => Promise<Reply>;

/** Turn kinds of the card verbs whose agreed metric name is shorter (the others count under their verb). */
const TURN_KINDS: Record<string, string> = { submitReport: 'submit', cancelSession: 'cancel', retryReport: 'retry' };

/** Card verbs anyone in the chat may click: they decide themselves who may do what. */
const EVERYONE_VERBS = new Set(['askAbout', 'takeRequest', 'withdrawRequest', 'refreshSession']);

/** Invoke responses in the one shape Teams accepts (a flattened one shows "Unable to reach app"). */
const invokeResponse = {
  card: (card: AdaptiveCard): AdaptiveCardInvokeResponse => ({ statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card }),
  message: (text: string): AdaptiveCardInvokeResponse =>
    ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text }) as unknown as AdaptiveCardInvokeResponse,
  error: (statusCode: number, code: string, message: string): AdaptiveCardInvokeResponse =>
    ({ statusCode, type: 'application/vnd.microsoft.error', value: { code, message } }),
};

/**
 * The Teams edge of the product: turns activities into use-case calls and outcomes into cards and text.
 * No business rules live here.
 */
export class AssistBot extends TeamsActivityHandler {
  /** Card verbs ➜ handlers. Every Action.Execute in our templates names one of these. */
  /** Follow-ups of requests that waited for write budget, still being shown. */
  private readonly followUps = new Set<Promise<unknown>>();

  private readonly verbs: Record<string, VerbHandler> = {
    submitReport: async (caller, data, card) => this.sessionReply(caller, await this.useCases.submit.run(caller, data.sessionId, data, card), card),
    cancelSession: async (caller, data, card) => this.sessionReply(caller, await this.useCases.cancel.run(caller, data.sessionId), card),
    retryReport: async (caller, data, card) => {
      const outcome = await this.useCases.retry.run(caller, data.sessionId);
      // Clicked in the sessions list: the list, refreshed, stays in place.
      if (data.from === 'list' && outcome.kind === 'closed') return this.commands.sessions(caller, { kind: 'sessions' });
      return this.sessionReply(caller, outcome, card);
    },
    pickDevice: async (caller, data) => {
      const signedIn = this.useCases.signedIn;
      if (signedIn) return this.signInReply(caller, await signedIn.start.defer(caller, { kind: 'byId', deviceId: String(data.deviceId ?? '').slice(0, 64) }));
      return this.startReply(caller, await this.useCases.start.byId(caller, data.deviceId), 'clicker');
    },
    // Listing a person's devices asks Intune nothing: no sign-in needed yet.
    pickPerson: async (caller, data) => this.startReply(caller, await this.useCases.start.byPerson(data.userId)),
    askAbout: async (caller, data) => {
      const refused = await this.requestRefusal(caller);
      return refused ?? this.askReply(caller, await this.useCases.ask.byId(caller, data.deviceId, data.problem, this.postedIn(caller)));
    },
    takeRequest: async (caller, data, card, token) => {
      const m = messagesFor(caller.locale);
      // Shown to everyone on the shared card, so refused kindly to whoever is not a technician.
      if (!hasIdentity(caller)) return { text: m.t('identity.missing') };
      if (!(await this.useCases.access.mayAct(caller)).allowed) return { text: m.t('request.notTechnician') };
      // With single sign-on Intune is asked as the technician: signing in happens inside the card.
      const signedIn = this.useCases.signedIn;
      const asTechnician = signedIn && signedIn.start.graphFor(caller, token);
      if (signedIn && !asTechnician) return { loginRequest: true };
      const outcome = await this.useCases.take.run(caller, data.sessionId, card, asTechnician || undefined);
      switch (outcome.kind) {
        case 'started': {
          const { session, inputs } = outcome;
          return { card: withOwnViewFor(session, renderSessionCard(m, session, { inputs, errors: [] })), watch: linkWatchOf(session, inputs) };
        }
        case 'taken':
          return { text: m.t('request.takenAlready', { technician: outcome.session.technician.name }) };
        case 'withdrawn':
          return { text: m.t('request.withdrawnAlready') };
        case 'own':
          return { text: m.t('request.ownRequest') };
        case 'unknown':
          return { text: m.t('request.unknown') };
      }
    },
    // Answers only: never sends or updates a card while Teams refreshes one (trigger: automatic).
    refreshSession: async (caller, data) => {
      const m = messagesFor(caller.locale);
      const view = await this.useCases.view.run(caller, data.sessionId);
      if (view.kind === 'unknown') return { text: m.t('session.unknown') };
      if (view.kind === 'form') return { card: withOwnViewFor(view.session, renderSessionCard(m, view.session, { inputs: view.inputs, errors: [] })) };
      const { session } = view;
      if (session.requester && ['asked', 'withdrawn', 'requested'].includes(session.state)) return { card: renderRequestCard(m, session, caller.timeZone) };
      return { card: renderSessionRecordCard(m, session, failureText(m, session)) };
    },
    withdrawRequest: async (caller, data) => {
      const m = messagesFor(caller.locale);
      const outcome = await this.useCases.withdraw.run(caller, data.sessionId);
      switch (outcome.kind) {
        case 'withdrawn':
          return { card: renderRequestCard(m, outcome.session, caller.timeZone) };
        case 'taken':
          return { text: m.t('request.takenAlready', { technician: outcome.session.technician.name }) };
        case 'notRequester':
          return { text: m.t('request.onlyRequester', { name: outcome.session.requester?.name ?? '' }) };
        case 'unknown':
          return { text: m.t('request.unknown') };
      }
    },
  };

  /** Message commands ➜ handlers. */
  private readonly commands: { [K in Command['kind']]: (caller: Caller, command: Extract<Command, { kind: K }>) => Promise<Reply> } = {
    assist: async (caller, { target }) => {
      const signedIn = this.useCases.signedIn;
      if (signedIn) {
        const parked = target.kind === 'device' ? { deviceName: target.name } : { deviceName: target.text, anyone: true };
        return this.signInReply(caller, await signedIn.start.defer(caller, { kind: 'byName', ...parked }));
      }
      return this.startReply(caller, await this.useCases.start.byTarget(caller, target));
    },
    request: async (caller, { text }) => {
      const refused = await this.requestRefusal(caller);
      if (refused) return refused;
      return this.askReply(caller, await this.useCases.ask.byText(caller, text, this.postedIn(caller)));
    },
    requests: async (caller) => ({ card: renderRequestListCard(messagesFor(caller.locale), await this.useCases.requests.list(caller), caller.timeZone) }),
    help: async (caller) => ({ card: renderHelpCard(messagesFor(caller.locale)) }),
    sessions: async (caller) => ({ card: renderSessionListCard(messagesFor(caller.locale), await this.useCases.list.run(caller)) }),
    unknown: async (caller) => {
      const m = messagesFor(caller.locale);
      return { card: renderHelpCard(m, m.t('help.notUnderstood')) };
    },
  };

  constructor(
    private readonly useCases: AssistUseCases,
    /** Shared session cards, updated for everyone when the technician's click changes the session. */
    private readonly shared: TeamsSessionCards,
    private readonly log: Logger,
    /** Counts turns by kind and outcome (and names the turn's span). */
    private readonly metrics: Pick<Metrics, 'turn'> = noMetrics,
  ) {
    super();
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      const m = messagesFor(context.activity.locale);
      if (!this.useCases.access.tenantAllowed(callerOf(context.activity))) {
        await context.sendActivity(m.t('access.tenant'));
        return next();
      }
      // Teams often sends installation events without the installer's name.
      const name = context.activity.from?.name ?? '';
      const greeting = MessageFactory.text(m.t('greeting', { named: name ? 'yes' : 'no', name }));
      greeting.attachments = [CardFactory.adaptiveCard(renderHelpCard(m))];
      await context.sendActivity(greeting);
      await next();
    });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // In group chats and channels we answer only when spoken to.
    if (activity.conversation?.conversationType && activity.conversation.conversationType !== 'personal' && !this.mentionsMe(activity)) return;
    const caller = callerOf(activity);
    const command = parseCommand(TurnContext.removeRecipientMention(activity) ?? activity.text);
    const acts = command.kind === 'assist' || command.kind === 'sessions' || command.kind === 'requests';
    const typing = command.kind === 'assist' ? typingWhileSlow(context) : undefined;
    let reply: Reply;
    try {
      reply = await this.counted(command.kind, caller, acts, () => this.commands[command.kind](caller, command as never));
    } finally {
      // An indicator already on its way goes first, so the answer follows it.
      await typing?.stop();
    }
    await this.send(context, caller, reply);
  }

  /** Sends a turn's answer, then tells whoever wants to know where it was posted (to update it later). */
  private async send(context: TurnContext, caller: Caller, reply: Reply): Promise<void> {
    const sent = await context.sendActivity(this.toActivity(caller, reply));
    const address = { activityId: sent?.id, conversation: { ...TurnContext.getConversationReference(context.activity) } };
    if ('posted' in reply && reply.posted) {
      await reply.posted(address).catch((error) => this.log.warn({ err: error }, 'could not remember where a card was posted'));
    }
    this.watchLink(reply, address);
  }

  /**
   * A request that waited for Intune's write budget went (or failed, or was abandoned at shutdown): the
   * message that said it would go becomes its session card, or says what happened.
   */
  private followUp(caller: Caller, address: CardAddress, later: Promise<StartOutcome>): void {
    const done = later
      .then(async (outcome) => {
        const reply = this.startReply(caller, outcome);
        await this.shared.update(address, 'card' in reply ? { card: reply.card } : { text: 'text' in reply ? reply.text : messagesFor(caller.locale).t('error.generic') });
        this.watchLink(reply, address);
      })
      .catch((error) => this.log.warn({ err: error }, 'could not show the outcome of a request that waited for write budget'))
      .finally(() => this.followUps.delete(done));
    this.followUps.add(done);
  }

  /** Resolves once every follow-up under way has been shown (shutdown waits for it). */
  async settled(): Promise<void> {
    while (this.followUps.size) await Promise.allSettled([...this.followUps]);
  }

  /**
   * A new session's card is posted: Intune may soon say more about the session (its link, or an error), and
   * the card is updated once when it does, outside this turn. `card`: where the card was posted.
   */
  private watchLink(reply: Reply, card: CardAddress): void {
    if (!('card' in reply) || !reply.watch || !card.activityId) return;
    this.useCases.sessionLink.watch({ ...reply.watch, card });
  }

  /** Why this caller may not ask for help with their own device, if they may not. */
  private async requestRefusal(caller: Caller): Promise<Reply | undefined> {
    const m = messagesFor(caller.locale);
    if (!this.useCases.access.tenantAllowed(caller)) return { text: m.t('access.tenant') };
    if (!hasIdentity(caller)) return { text: m.t('identity.missing') };
    const access = await this.useCases.access.mayRequest(caller);
    if (!access.allowed) return { text: m.t(`request.${access.reason}`) };
    // From a personal chat a request goes to the helpdesk channel: without one there is nowhere to post it.
    if (caller.conversationType === 'personal' && !this.useCases.helpdeskChannel) return { text: m.t('request.noChannel') };
    return undefined;
  }

  /** Where a request made here is shown: this channel or group chat, or the helpdesk channel for a personal chat. */
  private postedIn(caller: Caller): string {
    return caller.conversationType === 'personal' ? (this.useCases.helpdeskChannel ?? '') : caller.conversationId.split(';')[0];
  }

  /** A request made: its card here (in a channel), or in the helpdesk channel with the requester's copy here. */
  private async askReply(caller: Caller, outcome: AskOutcome): Promise<Reply> {
    const m = messagesFor(caller.locale);
    switch (outcome.kind) {
      case 'pick': {
        const card = renderDeviceChoiceCard(m, m.t('request.pickTitle'), outcome.devices, caller.timeZone, MAX_NAME_MATCHES, {
          verb: 'askAbout', label: m.t('request.pick'), prompt: m.t('request.pickPrompt'), data: { problem: outcome.problem },
        });
        return { card };
      }
      case 'noDevices':
        return { text: m.t('request.noDevices') };
      case 'already':
        return { text: m.t('request.already', { deviceName: outcome.deviceName }) };
      case 'notYours':
        return { text: m.t('request.notYourDevice') };
      case 'repeated':
        return { text: m.t('find.repeated') };
      case 'asked':
        break;
    }
    const { session } = outcome;
    const ask = this.useCases.ask;
    if (caller.conversationType !== 'personal') return { card: renderRequestCard(m, session), posted: (card) => ask.posted(session.id, { card }) };
    const card = await this.useCases.notices.postToHelpdesk(session);
    if (card) await ask.posted(session.id, { card });
    const lead = m.t('request.posted', { deviceName: session.device.deviceName ?? '' });
    return { card: renderRequestCard(m, session, caller.timeZone, lead), posted: (requesterCard) => ask.posted(session.id, { requesterCard }) };
  }

  /** A sign-in card for the parked request, or nothing new when this message or card was parked already. */
  private signInReply(caller: Caller, exchangeId: string | undefined): Reply {
    return exchangeId ? { signIn: exchangeId } : { text: messagesFor(caller.locale).t('find.repeated') };
  }

  private toActivity(caller: Caller, reply: Reply) {
    if ('card' in reply) return MessageFactory.attachment(CardFactory.adaptiveCard(reply.card));
    if ('text' in reply) return MessageFactory.text(reply.text);
    // Only card actions ask for a login; a message never gets here with one.
    if ('loginRequest' in reply) return MessageFactory.text(messagesFor(caller.locale).t('error.generic'));
    // Teams answers this card silently with a signin/tokenExchange invoke carrying the technician's token.
    const m = messagesFor(caller.locale);
    const sso = this.useCases.signedIn!;
    return MessageFactory.attachment(
      CardFactory.oauthCard(sso.connectionName, m.t('signIn.title'), m.t('signIn.text'), undefined, { id: reply.signIn, uri: sso.appIdUri, providerId: undefined }),
    );
  }

  /**
   * The technician finished the sign-in button's flow (the fallback when the silent exchange failed). The
   * parked request was already answered, so they are asked to repeat it: it will now exchange silently.
   */
  protected async handleTeamsSigninVerifyState(context: TurnContext): Promise<void> {
    const caller = callerOf(context.activity);
    const signedIn = this.useCases.signedIn;
    if (!signedIn || !(await signedIn.start.signedIn(caller, (context.activity.value as { state?: unknown } | undefined)?.state))) return;
    await context.sendActivity(messagesFor(caller.locale).t('signIn.done'));
  }

  protected async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'signin/tokenExchange' || !this.useCases.signedIn) return super.onInvokeActivity(context);
    return this.tokenExchange(context);
  }

  /**
   * Teams exchanged the technician's token for the sign-in card: run the parked request as them. A 412
   * tells Teams the silent exchange failed, so it shows the card's sign-in button instead.
   */
  private async tokenExchange(context: TurnContext): Promise<InvokeResponse> {
    const caller = callerOf(context.activity);
    const { id, connectionName, token } = (context.activity.value ?? {}) as { id?: unknown; connectionName?: unknown; token?: unknown };
    const m = messagesFor(caller.locale);
    const sso = this.useCases.signedIn!;
    const refused = await this.guard(caller, async () => (await this.refusal(caller, true)) ?? { text: '' });
    if ('text' in refused && refused.text) {
      await context.sendActivity(refused.text);
      return { status: 200 };
    }
    let outcome: ResumeOutcome;
    try {
      outcome = await sso.start.resume(caller, id, token);
    } catch (error) {
      const failure = describeFailure(m, error);
      this.log.warn({ err: error }, 'single sign-on exchange did not go through');
      if (error instanceof GraphFailure && error.kind === 'unauthorized') {
        await context.sendActivity(m.t('signIn.failed', { consentUrl: verbatim(sso.consentUrl) }));
        return { status: 412, body: { id, connectionName, failureDetail: 'The token could not be exchanged on behalf of the user.' } };
      }
      await context.sendActivity(failure ?? m.t('error.generic'));
      return { status: 200 };
    }
    // A duplicate exchange of a request another instance already took ends here, quietly.
    if (outcome.kind === 'duplicate') return { status: 200 };
    if (outcome.kind === 'stale' || outcome.kind === 'wrongUser') {
      await context.sendActivity(m.t(outcome.kind === 'stale' ? 'signIn.stale' : 'signIn.wrongUser'));
      return { status: 200 };
    }
    await this.send(context, caller, this.startReply(caller, outcome));
    return { status: 200 };
  }

  protected async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const { verb, data } = invokeValue.action ?? {};
    const handler = typeof verb === 'string' && Object.hasOwn(this.verbs, verb) ? this.verbs[verb] : undefined;
    if (!handler) return invokeResponse.error(400, 'unknownVerb', messagesFor(context.activity.locale).t('error.unknownAction'));
    const caller = callerOf(context.activity);
    const payload = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    // The session the click is about, as the card says (the use case checks it is real); bounded, since a card can be forged.
    if (typeof payload.sessionId === 'string') addLogFields({ sessionId: payload.sessionId.slice(0, 64) });
    // The card being clicked: where the report worker will show the outcome once the turn is over.
    const activity = context.activity;
    const card = { activityId: activity.replyToId, conversation: { ...TurnContext.getConversationReference(activity) } };
    // The request verbs are for everyone in the chat (each refuses whom it must); the others act on Intune.
    const acts = !EVERYONE_VERBS.has(verb as string);
    const token = (invokeValue as { authentication?: { token?: unknown } }).authentication?.token;
    const reply = await this.counted(TURN_KINDS[verb as string] ?? (verb as string), caller, acts, () => handler(caller, payload, card, token));
    // A card answering an invoke replaces the card clicked (a device picked on the choice card).
    this.watchLink(reply, card);
    if ('card' in reply) return invokeResponse.card(reply.card);
    if ('text' in reply) return invokeResponse.message(reply.text);
    if ('loginRequest' in reply) return this.loginRequest(caller);
    await context.sendActivity(this.toActivity(caller, reply));
    return invokeResponse.message(messagesFor(caller.locale).t('signIn.pending'));
  }

  /** Asks Teams for the clicker's token for this action (Universal Actions single sign-on); it then repeats the action with it. */
  private loginRequest(caller: Caller): AdaptiveCardInvokeResponse {
    const m = messagesFor(caller.locale);
    const sso = this.useCases.signedIn!;
    const value = { text: m.t('signIn.title'), connectionName: sso.connectionName, tokenExchangeResource: { id: randomUUID(), uri: sso.appIdUri } };
    return { statusCode: 401, type: 'application/vnd.microsoft.activity.loginRequest', value } as unknown as AdaptiveCardInvokeResponse;
  }

  /**
   * Why this caller may not go on, if they may not: another tenant (no Graph call at all), no identity,
   * or, for anything that acts on Intune or sessions, not a member of the technicians' group.
   */
  private async refusal(caller: Caller, acts: boolean): Promise<Reply | undefined> {
    const m = messagesFor(caller.locale);
    if (!this.useCases.access.tenantAllowed(caller)) return { text: m.t('access.tenant') };
    if (!acts) return undefined;
    if (!hasIdentity(caller)) return { text: m.t('identity.missing') };
    const access = await this.useCases.access.mayAct(caller);
    if (access.allowed) return undefined;
    return { text: m.t(`access.${access.reason}`, { contact: this.useCases.access.contact ?? 'none' }) };
  }

  /** A turn of `kind`: refused, or answered by `work` (guarded), and counted with how it ended. */
  private async counted(kind: string, caller: Caller, acts: boolean, work: () => Promise<Reply>): Promise<Reply> {
    let outcome: TurnOutcome = 'ok';
    const reply = await this.guard(
      caller,
      async () => {
        const refusal = await this.refusal(caller, acts);
        if (refusal) outcome = 'refused';
        return refusal ?? work();
      },
      () => (outcome = 'failed'),
    );
    this.metrics.turn(kind, outcome);
    return reply;
  }

  /** Expected failures become a sentence for the technician; anything else is logged and answered generically. */
  private async guard(caller: Caller, work: () => Promise<Reply>, onFailure: () => void = () => undefined): Promise<Reply> {
    const m = messagesFor(caller.locale);
    try {
      return await work();
    } catch (error) {
      onFailure();
      const text = describeFailure(m, error);
      if (text) {
        this.log.warn({ err: error }, 'request not completed');
        return { text };
      }
      this.log.error({ err: error }, 'unexpected failure in a turn');
      return { text: m.t('error.generic') };
    }
  }

  /** `audience`: who sees the answer: everyone in the chat (a message), or only who clicked (an invoke). */
  private startReply(caller: Caller, outcome: StartOutcome, audience: 'everyone' | 'clicker' = 'everyone'): Reply {
    const m = messagesFor(caller.locale);
    switch (outcome.kind) {
      case 'notFound':
        return { text: outcome.deviceName ? m.t('find.notFound', { deviceName: outcome.deviceName }) : m.t('find.notFoundPicked') };
      case 'nobody':
        return { text: outcome.text ? m.t('find.nobody', { text: outcome.text }) : m.t('find.nobodyPicked') };
      case 'ambiguous': {
        const title = m.t(outcome.partial ? 'choice.titlePartial' : 'choice.title', { count: outcome.devices.length, deviceName: outcome.deviceName });
        return { card: renderDeviceChoiceCard(m, title, outcome.devices, caller.timeZone, MAX_NAME_MATCHES) };
      }
      case 'people':
        return { card: renderPeopleChoiceCard(m, outcome.text, outcome.people, MAX_NAME_MATCHES) };
      case 'personDevices': {
        const person = outcome.person.displayName || outcome.person.userPrincipalName || '';
        if (!outcome.devices.length) return { text: m.t('person.noDevices', { person }) };
        const title = m.t('choice.titlePerson', { count: outcome.devices.length, person });
        return { card: renderDeviceChoiceCard(m, title, outcome.devices, caller.timeZone, MAX_NAME_MATCHES) };
      }
      case 'started': {
        const { session, inputs } = outcome;
        const watch = linkWatchOf(session, inputs);
        const form = renderSessionCard(m, session, { inputs, errors: [] });
        if (caller.conversationType === 'personal') return { card: form, watch };
        // Shared: everyone sees where it stands, and Teams asks for the technician's own view (the form).
        return { card: withOwnViewFor(session, audience === 'clicker' ? form : renderSessionRecordCard(m, session)), watch };
      }
      case 'repeated':
        return { text: m.t('find.repeated') };
      case 'waiting': {
        const seconds = Math.max(1, Math.ceil((Date.parse(outcome.at) - Date.now()) / 1000));
        const text = m.t('budget.waiting', { deviceName: outcome.deviceName, time: formatDateTime(outcome.at, caller.timeZone, m) ?? outcome.at, seconds });
        return {
          text,
          posted: async (address) => {
            this.followUp(caller, address, outcome.later);
            await this.useCases.start.waitingPosted(outcome.sessionId, address);
          },
        };
      }
      case 'failed':
        return { text: describeFailure(m, outcome.error) ?? m.t('error.generic') };
      case 'abandoned':
        return { text: outcome.reason === 'timedOut' ? m.t('budget.gaveUp', { deviceName: outcome.deviceName }) : m.t('budget.abandoned') };
      case 'requestedNotSaved':
        return { text: m.t('store.requestedNotSaved', { deviceName: outcome.deviceName }) };
    }
  }

  /** `clicked`: the card acted on; in a shared chat, everyone else's view of it is brought up to date too. */
  private async sessionReply(caller: Caller, outcome: SessionOutcome, clicked?: CardAddress): Promise<Reply> {
    const m: Messages = messagesFor(caller.locale);
    if (outcome.kind === 'closed' && clicked?.activityId && caller.conversationType !== 'personal') {
      await this.shared.show({ ...outcome.session, card: clicked }).catch((error) => this.log.warn({ err: error }, 'could not update the shared session card'));
    }
    switch (outcome.kind) {
      case 'open':
        return {
          card: this.ownView(caller, outcome.session, renderSessionCard(m, outcome.session, {
            inputs: outcome.inputs,
            errors: outcome.errors,
            notice: outcome.failure && describeFailure(m, outcome.failure),
          })),
        };
      case 'closed':
        return { card: renderSessionRecordCard(m, outcome.session, failureText(m, outcome.session)) };
      case 'unknown':
        return { text: m.t('session.unknown') };
      case 'notYours':
        return { text: m.t('session.notYours', { name: outcome.session.technician.name }) };
    }
  }

  /** In a shared chat, the technician's form keeps asking Teams for their own view, so it survives a reload. */
  private ownView(caller: Caller, session: Session, card: AdaptiveCard): AdaptiveCard {
    return caller.conversationType === 'personal' ? card : withOwnViewFor(session, card);
  }

  private mentionsMe(activity: TurnContext['activity']): boolean {
    return (activity.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id === activity.recipient?.id);
  }
}

/** Why a session's report failed, in the technician's words. */
function failureText(m: Messages, session: Session): string {
  const failure = session.failure;
  if (!failure) return '';
  return describeFailure(m, new GraphFailure('report', failure.kind as GraphFailureKind, failure.status, failure.code, undefined)) ?? m.t('error.generic');
}

/** Updates a session's card in place from outside a turn, through the conversation reference stored with it. */
export class TeamsSessionCards implements SessionCards {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async show(session: Session): Promise<void> {
    const m = messagesFor(session.locale);
    await this.replace(session, renderSessionRecordCard(m, session, failureText(m, session)));
  }

  async showForm(session: Session, inputs: SessionInputs): Promise<void> {
    const m = messagesFor(session.locale);
    const reference = session.card?.conversation as Partial<ConversationReference> | undefined;
    if (!reference?.conversation?.conversationType || reference.conversation.conversationType === 'personal') {
      await this.replace(session, renderSessionCard(m, session, { inputs, errors: [] }));
      return;
    }
    // A shared card stays a status for everyone; the technician's refresh brings the form with the link.
    const status = session.requester ? renderRequestCard(messagesFor(session.requester.locale), session) : withOwnViewFor(session, renderSessionRecordCard(m, session));
    await this.replace(session, status);
  }

  async tellNotRequested(session: Session): Promise<void> {
    if (session.card) await this.update(session.card, { text: messagesFor(session.locale).t('budget.abandoned') });
  }

  /** Replaces a message the bot posted with a card or a sentence. */
  async update(address: CardAddress, message: { card: AdaptiveCard } | { text: string }): Promise<void> {
    const activity = 'card' in message ? MessageFactory.attachment(CardFactory.adaptiveCard(message.card)) : MessageFactory.text(message.text);
    await this.adapter.continueConversationAsync(this.botAppId, address.conversation as Partial<ConversationReference>, async (context) => {
      await context.updateActivity({ ...activity, id: address.activityId });
    });
  }

  private async replace(session: Session, card: AdaptiveCard): Promise<void> {
    if (!session.card) return;
    const { activityId, conversation } = session.card;
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    await this.adapter.continueConversationAsync(this.botAppId, conversation as Partial<ConversationReference>, async (context) => {
      // Without the card's id (a client that did not say which card was clicked) the record arrives as a new message.
      if (activityId) await context.updateActivity({ ...activity, id: activityId });
      else await context.sendActivity(activity);
    });
  }
}

/**
 * A lookup that answers within this time needs no typing indicator: the answer itself arrives first. Each
 * indicator is a Bot Connector round trip, about what a whole echo turn costs (docs/BENCHMARKS.md).
 */
const TYPING_AFTER_MS = 1000;

/** Sends a typing indicator once the turn has taken TYPING_AFTER_MS; `stop` waits for one already sent. */
function typingWhileSlow(context: TurnContext): { stop(): Promise<void> } {
  let sent: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    sent = context.sendActivity({ type: ActivityTypes.Typing }).catch(() => undefined);
  }, TYPING_AFTER_MS);
  return {
    async stop() {
      clearTimeout(timer);
      await sent;
    },
  };
}

/** What a new session's card waits for from Intune: its session link, for that device. */
const linkWatchOf = (session: Session, inputs: SessionInputs): Omit<LinkWatch, 'card'> => ({ sessionId: session.id, deviceId: session.device.id, inputs });

/** Acting on Intune needs an Entra user and tenant, which Teams always sends and other channels may not. */
const hasIdentity = (caller: Caller) => Boolean(caller.aadObjectId && caller.tenantId);

/** Who is asking, from the authenticated activity only. */
function callerOf(activity: TurnContext['activity']): Caller {
  return {
    aadObjectId: activity.from?.aadObjectId ?? '',
    name: activity.from?.name ?? '',
    teamsId: activity.from?.id ?? '',
    serviceUrl: activity.serviceUrl ?? '',
    conversationType: activity.conversation?.conversationType ?? 'personal',
    tenantId: activity.conversation?.tenantId ?? activity.channelData?.tenant?.id ?? '',
    conversationId: activity.conversation?.id ?? '',
    timeZone: safeTimeZone(activity.localTimezone),
    locale: activity.locale ?? '',
    activityId: activity.id ?? '',
    replyToId: activity.replyToId,
  };
}
