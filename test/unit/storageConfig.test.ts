import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient } from '@azure/storage-blob';
import { storageClients, storageTarget } from '../../src/store/azure/storageConfig';

describe('storage target', () => {
  it('names no account when nothing is configured (the embedded SQLite store is used)', () => {
    assert.equal(storageTarget({}), undefined);
    assert.equal(storageTarget({ connectionString: '  ', accountUrl: '' }), undefined);
  });

  it('uses a connection string as given', () => {
    const connectionString = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    assert.deepEqual(storageTarget({ connectionString }), { kind: 'connectionString', connectionString });
  });

  it("finds the queue endpoint beside an account URL's blob endpoint, in any cloud", () => {
    assert.deepEqual(storageTarget({ accountUrl: 'https://acct.blob.core.windows.net/' }), {
      kind: 'accountUrl', accountUrl: 'https://acct.blob.core.windows.net', queueUrl: 'https://acct.queue.core.windows.net',
    });
    assert.equal((storageTarget({ accountUrl: 'https://acct.blob.core.chinacloudapi.cn' }) as { queueUrl: string }).queueUrl, 'https://acct.queue.core.chinacloudapi.cn');
  });

  it('takes an explicit queue URL where none can be derived, and says so when it is missing', () => {
    const accountUrl = 'http://127.0.0.1:10000/devstoreaccount1';
    assert.throws(() => storageTarget({ accountUrl }), /queue URL/);
    assert.deepEqual(storageTarget({ accountUrl, queueUrl: 'http://127.0.0.1:10001/devstoreaccount1' }), {
      kind: 'accountUrl', accountUrl, queueUrl: 'http://127.0.0.1:10001/devstoreaccount1',
    });
  });

  it('refuses both a connection string and an account URL', () => {
    assert.throws(() => storageTarget({ connectionString: 'AccountName=a;AccountKey=a2V5', accountUrl: 'https://a.blob.core.windows.net' }), /not both/);
  });

  it('builds clients for the account URL with the credential given', () => {
    const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };
    const { blobService, queueService } = storageClients(storageTarget({ accountUrl: 'https://acct.blob.core.windows.net' })!, credential);
    assert.ok(blobService instanceof BlobServiceClient);
    assert.equal(new URL(blobService.url).host, 'acct.blob.core.windows.net');
    assert.equal(new URL(queueService.url).host, 'acct.queue.core.windows.net');
  });
});
