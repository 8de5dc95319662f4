import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticatedAdapter, BotAuthentication } from '../../src/authenticatedAdapter';

// Local mode (no app id): authentication accepts the request and the clients carry no credentials, so
// nothing here leaves the process. The turn sends nothing; only the clients it was given are compared.
function activity(serviceUrl: string): Activity {
  return { type: 'event', name: 'probe', channelId: 'msteams', serviceUrl, conversation: { id: 'c1' }, from: { id: 'u1' }, recipient: { id: 'b1' } } as Activity;
}

describe('the adapter keeps its Bot Framework clients', () => {
  it('gives every turn of one service URL the same Connector and user token clients, and another URL its own Connector', async () => {
    const auth = new BotAuthentication({});
    const adapter = new AuthenticatedAdapter(auth);
    const clientsOf = async (serviceUrl: string) => {
      const turn = activity(serviceUrl);
      let seen: { connector: unknown; userTokens: unknown } | undefined;
      await adapter.runTurn(await auth.authenticateRequest(turn, ''), turn, async (context: TurnContext) => {
        seen = { connector: context.turnState.get(adapter.ConnectorClientKey), userTokens: context.turnState.get(adapter.UserTokenClientKey) };
      });
      assert.ok(seen?.connector && seen.userTokens, 'the turn had both clients');
      return seen;
    };
    const first = await clientsOf('https://smba.trafficmanager.net/emea/');
    const second = await clientsOf('https://smba.trafficmanager.net/emea/');
    const elsewhere = await clientsOf('https://smba.trafficmanager.net/amer/');
    assert.equal(second.connector, first.connector);
    assert.equal(second.userTokens, first.userTokens);
    assert.notEqual(elsewhere.connector, first.connector);
    assert.equal(elsewhere.userTokens, first.userTokens, 'the user token client depends on the bot identity only');
  });
});
