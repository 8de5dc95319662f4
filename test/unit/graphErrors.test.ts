import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toGraphFailure } from '../../src/graph/graphErrors';

/** What the Graph client throws when the credential failed: a GraphError whose code is the credential error's name. */
const credentialFailure = (code: string, message: string) => Object.assign(new Error(message), { name: 'GraphError', code, statusCode: -1 });

describe('a failed sign-in of the app, for the log', () => {
  it('keeps Entra\'s reason on a refusal, with anything token-like masked', () => {
    const failure = toGraphFailure('findDevices', credentialFailure('AuthenticationRequiredError', 'invalid_client: AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. assertion eyJhbGciOi.eyJpc3Mi.c2lnbmF0dXJl'));
    assert.equal(failure.kind, 'unauthorized');
    assert.match(failure.message, /the app's sign-in failed: invalid_client: AADSTS700027: The certificate/);
    assert.ok(!failure.message.includes('eyJ'), failure.message);
    assert.match(failure.message, /assertion \[token\]/);
  });

  it('names an unreachable managed identity, which stays an unavailable Intune for the technician', () => {
    const failure = toGraphFailure('findDevices', credentialFailure('CredentialUnavailableError', 'ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.'));
    assert.equal(failure.kind, 'unavailable');
    assert.match(failure.message, /the app's sign-in failed: ManagedIdentityCredential: .*IMDS endpoint/);
  });

  it('adds nothing to a failure of Graph itself', () => {
    const failure = toGraphFailure('findDevices', Object.assign(new Error('Forbidden'), { statusCode: 403, code: 'Forbidden' }));
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.signInFailure, undefined);
    assert.equal(failure.message, 'Graph findDevices failed: 403 Forbidden');
  });
});
