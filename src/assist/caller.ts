/** Who is asking, as the authenticated Teams activity says (never as a card says). */
export interface Caller {
  aadObjectId: string;
  name: string;
  /** Their Teams id (29:…), and where Teams reached the bot from: for messages outside the turn. */
  teamsId: string;
  serviceUrl: string;
  /** `personal`, `groupChat` or `channel`. */
  conversationType: string;
  tenantId: string;
  conversationId: string;
  /** IANA time zone of the Teams client; UTC when Teams did not say or said something unknown. */
  timeZone: string;
  locale: string;
  /** The activity being answered, and the message it answers (a card that was clicked). */
  activityId: string;
  replyToId?: string;
}
