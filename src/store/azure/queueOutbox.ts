import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { OutboxMessage, OutboxStats, ReportOutbox } from '../ports';
import { statusOf, storageCodeOf, storageDeadline, unavailableOnFailure } from './storageCall';

export const REPORTS_QUEUE = 'reports';
/** Azure Storage's limits: 32 messages per receive, visibility of at most 7 days. */
const MAX_RECEIVE = 32;
const MAX_VISIBILITY_SEC = 7 * 24 * 3600;
/** Never expire: the 7-day default would silently drop a report held back by a long outage. */
const NO_EXPIRY = -1;

/**
 * The durable queue of reports to send (Azure Storage queue `reports`). A received message stays hidden
 * for the visibility timeout; if its worker dies, it comes back with its attempt count raised.
 */
export class QueueOutbox implements ReportOutbox {
  constructor(private readonly queue: QueueClient, private readonly log: (message: string) => void = () => {}) {}

  async enqueue(sessionId: string, delaySec = 0): Promise<void> {
    await unavailableOnFailure(() =>
      this.queue.sendMessage(encode(sessionId), {
        visibilityTimeout: delaySec > 0 ? clampSec(delaySec, 0) : undefined,
        messageTimeToLive: NO_EXPIRY,
        abortSignal: storageDeadline(),
      }),
    );
  }

  async receive(max: number, visibilityTimeoutSec: number): Promise<OutboxMessage[]> {
    const abortSignal = storageDeadline();
    let items: DequeuedMessageItem[] = [];
    await unavailableOnFailure(async () => {
      const response = await this.queue.receiveMessages({
        numberOfMessages: Math.min(Math.max(1, Math.floor(max)), MAX_RECEIVE),
        visibilityTimeout: clampSec(visibilityTimeoutSec, 1),
        abortSignal,
      });
      items = response.receivedMessageItems;
    });
    const messages: OutboxMessage[] = [];
    for (const item of items) {
      const sessionId = decode(item.messageText);
      if (sessionId) messages.push({ sessionId, attempt: item.dequeueCount, messageId: item.messageId, popReceipt: item.popReceipt });
      else await this.drop(item, abortSignal);
    }
    return messages;
  }

  /** The report is settled: remove its message. Already gone (or taken by another worker) is fine. */
  async complete(message: OutboxMessage): Promise<void> {
    await unavailableOnFailure(() => this.queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal: storageDeadline() }), messageGone);
  }

  /** Hides the message again for `delaySec`; it then comes back as the next attempt. */
  async retryLater(message: OutboxMessage, delaySec: number): Promise<void> {
    // The text is sent again (the normalised form): not every service version keeps it on a bare update.
    await unavailableOnFailure(
      () => this.queue.updateMessage(message.messageId, message.popReceipt, encode(message.sessionId), clampSec(delaySec, 0), { abortSignal: storageDeadline() }),
      messageGone,
    );
  }

  /** The queue's approximate count, and the age of the first visible message (a peek sees no hidden ones). */
  async stats(): Promise<OutboxStats> {
    let stats: OutboxStats = { depth: 0, oldestAgeSec: 0 };
    await unavailableOnFailure(async () => {
      const [properties, peeked] = await Promise.all([
        this.queue.getProperties({ abortSignal: storageDeadline() }),
        this.queue.peekMessages({ numberOfMessages: 1, abortSignal: storageDeadline() }),
      ]);
      const oldest = peeked.peekedMessageItems[0]?.insertedOn;
      stats = {
        depth: properties.approximateMessagesCount ?? 0,
        oldestAgeSec: oldest ? Math.max(0, Math.round((Date.now() - oldest.getTime()) / 1000)) : 0,
      };
    });
    return stats;
  }

  /** A message we cannot read would come back forever: delete it and say so. */
  private async drop(item: DequeuedMessageItem, abortSignal: AbortSignal): Promise<void> {
    this.log(`report outbox: dropped malformed message ${item.messageId} (attempt ${item.dequeueCount}): ${JSON.stringify(item.messageText.slice(0, 200))}`);
    try {
      await this.queue.deleteMessage(item.messageId, item.popReceipt, { abortSignal });
    } catch (error) {
      // It comes back after its visibility timeout and is dropped then.
      if (!messageGone(error)) this.log(`report outbox: could not delete malformed message ${item.messageId}: ${String(error)}`);
    }
  }
}

/** Base64 of `{"sessionId":"…"}`, the encoding Azure Functions' queue trigger expects by default. */
function encode(sessionId: string): string {
  return Buffer.from(JSON.stringify({ sessionId })).toString('base64');
}

/** The session id from base64 or plain JSON text; undefined when the message is not ours to read. */
function decode(text: string): string | undefined {
  const trimmed = text.trim();
  const json = trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8');
  try {
    const sessionId = (JSON.parse(json) as { sessionId?: unknown } | null)?.sessionId;
    return typeof sessionId === 'string' && sessionId.length > 0 ? sessionId : undefined;
  } catch {
    return undefined;
  }
}

function clampSec(seconds: number, min: number): number {
  return Number.isFinite(seconds) ? Math.min(Math.max(min, Math.ceil(seconds)), MAX_VISIBILITY_SEC) : min;
}

/**
 * The message was deleted, or came back and was received again (our pop receipt is stale): either way
 * it is no longer ours to settle. A missing queue is not this: that is a broken deployment.
 */
function messageGone(error: unknown): boolean {
  const status = statusOf(error), code = storageCodeOf(error);
  return (status === 404 && code !== 'QueueNotFound') || (status === 400 && code === 'PopReceiptMismatch');
}
