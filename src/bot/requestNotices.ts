import { CardFactory, MessageFactory, TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { RequestNotices } from '../assist/ports';
import { renderRequestCard } from '../cards/renderCards';
import { messagesFor } from '../i18n/messages';
import type { CardAddress, Session } from '../sessions/session';

/** Requests' cards and messages outside a turn, through the Bot Connector. */
export class TeamsRequestNotices implements RequestNotices {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    /** The helpdesk channel's conversation id (19:…@thread.tacv2); requests from personal chats are posted there. */
    private readonly helpdeskChannelId: string | undefined,
  ) {}

  async postToHelpdesk(session: Session): Promise<CardAddress | undefined> {
    if (!this.helpdeskChannelId || !session.requester) return undefined;
    // In the requester's language: the card is about them.
    const card = MessageFactory.attachment(CardFactory.adaptiveCard(renderRequestCard(messagesFor(session.requester.locale), session)));
    // A new post in a channel is a new conversation in it (what TeamsInfo.sendMessageToTeamsChannel does).
    const parameters = {
      isGroup: true,
      bot: { id: this.botAppId, name: '' },
      channelData: { channel: { id: this.helpdeskChannelId }, tenant: { id: session.tenantId } },
      tenantId: session.tenantId,
      // botbuilder types the activity as complete; a card message is all Teams needs.
      activity: card as Activity,
    };
    let address: CardAddress | undefined;
    await this.adapter.createConversationAsync(this.botAppId, 'msteams', session.requester.serviceUrl, undefined as unknown as string, parameters, async (context) => {
      address = { activityId: context.activity.id, conversation: { ...TurnContext.getConversationReference(context.activity) } };
    });
    return address;
  }

  async show(session: Session): Promise<void> {
    // A request's cards are about the requester: in their language, whoever took it.
    const m = messagesFor(session.requester?.locale ?? session.locale);
    for (const address of [session.card, session.requesterCard]) {
      if (!address?.activityId) continue;
      const card = MessageFactory.attachment(CardFactory.adaptiveCard(renderRequestCard(m, session)));
      await this.adapter.continueConversationAsync(this.botAppId, address.conversation as Partial<ConversationReference>, async (context) => {
        await context.updateActivity({ ...card, id: address.activityId });
      });
    }
  }

  async tellTaken(session: Session): Promise<void> {
    const requester = session.requester;
    if (!requester) return;
    await this.show(session);
    const m = messagesFor(requester.locale);
    const text = m.t('request.tellTaken', { technician: session.technician.name, deviceName: session.device.deviceName ?? '' });
    if (requester.chatId) {
      const chat = this.reference(requester.serviceUrl, session.tenantId, { id: requester.chatId, conversationType: 'personal' });
      await this.adapter.continueConversationAsync(this.botAppId, chat, async (context) => void (await context.sendActivity(text)));
      return;
    }
    // Asked in a channel: the personal chat is opened (or found again: Teams keeps one per user and bot).
    const parameters = { isGroup: false, bot: { id: this.botAppId, name: '' }, members: [{ id: requester.teamsId, name: requester.name }], tenantId: session.tenantId, channelData: { tenant: { id: session.tenantId } } };
    await this.adapter.createConversationAsync(this.botAppId, 'msteams', requester.serviceUrl, undefined as unknown as string, parameters, async (context) => void (await context.sendActivity(text)));
  }

  async remind(session: Session, waitedMinutes: number): Promise<void> {
    const card = session.card;
    if (!card?.activityId) return;
    const m = messagesFor(session.locale);
    const text = m.t('request.reminder', { name: session.requester?.name ?? '', deviceName: session.device.deviceName ?? '', minutes: waitedMinutes });
    // A reply in the request's own thread brings it back to the bottom of the channel, with one card to act on.
    const reference = card.conversation as Partial<ConversationReference>;
    const thread = `${String(reference.conversation?.id ?? '').split(';')[0]};messageid=${card.activityId}`;
    await this.adapter.continueConversationAsync(this.botAppId, { ...reference, conversation: { ...reference.conversation!, id: thread } }, async (context) => void (await context.sendActivity(text)));
  }

  private reference(serviceUrl: string, tenantId: string, conversation: { id: string; isGroup?: boolean; conversationType: string }): Partial<ConversationReference> {
    return { channelId: 'msteams', serviceUrl, conversation: { ...conversation, isGroup: conversation.isGroup ?? false, tenantId, name: '' }, bot: { id: this.botAppId, name: '' } };
  }
}
