// Checks an expanded card the way a client would: schema version, every binding resolved, and the
// Adaptive Cards SDK's own parse and validation.
import assert from 'node:assert/strict';

// The package's main entry cannot load under Node; its UMD bundle can (TOOLING-NOTES.md).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

export function assertValidCard(card: Record<string, unknown>): void {
  assert.equal(card.version, '1.5', 'cards target schema 1.5');
  const text = JSON.stringify(card);
  assert.ok(!text.includes('${'), `unresolved template binding in ${text.slice(0, 300)}`);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const events = [...Array(context.eventCount).keys()].map((i) => context.getEventAt(i).message);
  assert.deepEqual(events, [], 'parse events');
  const validation = parsed.validateProperties();
  assert.deepEqual(validation.validationEvents.map((e: { message: string }) => e.message), [], 'validation events');
}

/** Every Action.Execute in a card, wherever it sits. */
export function executeActions(card: unknown): Array<{ verb: string; title: string; data: Record<string, unknown> }> {
  const found: Array<{ verb: string; title: string; data: Record<string, unknown> }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.Execute') found.push({ verb: n.verb as string, title: n.title as string, data: (n.data ?? {}) as Record<string, unknown> });
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** Every Action.OpenUrl in a card, wherever it sits (an ActionSet in the body, the card's actions). */
export function openUrlActions(card: unknown): Array<{ title: string; url: string }> {
  const found: Array<{ title: string; url: string }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.OpenUrl') found.push({ title: n.title as string, url: n.url as string });
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** All inputs of a card by id. */
export function inputs(card: unknown): Record<string, Record<string, unknown>> {
  const found: Record<string, Record<string, unknown>> = {};
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.type === 'string' && n.type.startsWith('Input.')) found[n.id as string] = n;
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
}
