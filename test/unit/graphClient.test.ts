import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { cachedTokenProvider } from '../../src/graph/graphClient';

const SCOPE = 'https://graph.microsoft.com/.default';

/** A credential handing out token-1, token-2… each valid for an hour from `clock.now`, or failing when told to. */
function countingCredential(clock: { now: number }) {
  const asked: string[][] = [];
  let failNext: Error | undefined;
  const credential: TokenCredential = {
    async getToken(scopes) {
      asked.push([...(Array.isArray(scopes) ? scopes : [scopes])]);
      await new Promise((resolve) => setImmediate(resolve));
      if (failNext) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      return { token: `token-${asked.length}`, expiresOnTimestamp: clock.now + 3600_000 } satisfies AccessToken;
    },
  };
  return { credential, asked, failOnce: (error: Error) => (failNext = error) };
}

describe('Graph access tokens', () => {
  it('asks the credential once for many calls, including calls at the same moment', async () => {
    const clock = { now: 0 };
    const { credential, asked } = countingCredential(clock);
    const provider = cachedTokenProvider(credential, SCOPE, () => clock.now);
    const tokens = await Promise.all([...Array(5).keys()].map(() => provider.getAccessToken()));
    clock.now += 30 * 60_000;
    tokens.push(await provider.getAccessToken());
    assert.deepEqual(tokens, Array(6).fill('token-1'));
    assert.deepEqual(asked, [[SCOPE]]);
  });

  it('renews the token five minutes before it expires, as MSAL does', async () => {
    const clock = { now: 0 };
    const { credential, asked } = countingCredential(clock);
    const provider = cachedTokenProvider(credential, SCOPE, () => clock.now);
    await provider.getAccessToken();
    clock.now = 55 * 60_000 - 1;
    assert.equal(await provider.getAccessToken(), 'token-1');
    clock.now = 55 * 60_000;
    assert.equal(await provider.getAccessToken(), 'token-2');
    assert.equal(asked.length, 2);
  });

  it("passes the credential's failure on, and asks again on the next call", async () => {
    const clock = { now: 0 };
    const { credential, failOnce } = countingCredential(clock);
    const provider = cachedTokenProvider(credential, SCOPE, () => clock.now);
    const refused = Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), { name: 'AuthenticationError' });
    failOnce(refused);
    await assert.rejects(provider.getAccessToken(), (error) => error === refused);
    assert.equal(await provider.getAccessToken(), 'token-2');
  });
});

describe('Graph access tokens Entra asks to renew early', () => {
  it('renews once the refresh time Entra gave has come', async () => {
    let n = 0;
    let now = 0;
    const credential: TokenCredential = {
      async getToken() {
        n++;
        return { token: `token-${n}`, expiresOnTimestamp: now + 24 * 3600_000, refreshAfterTimestamp: now + 12 * 3600_000 };
      },
    };
    const provider = cachedTokenProvider(credential, SCOPE, () => now);
    assert.equal(await provider.getAccessToken(), 'token-1');
    now = 12 * 3600_000 - 1;
    assert.equal(await provider.getAccessToken(), 'token-1');
    now = 12 * 3600_000;
    assert.equal(await provider.getAccessToken(), 'token-2');
  });
});
