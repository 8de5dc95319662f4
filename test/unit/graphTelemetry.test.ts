import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphOperationOf } from '../../src/graph/graphTelemetry';

describe('Graph operations as the metrics name them', () => {
  it('names every call the bot makes from its method and path, ids and query aside', () => {
    const g = 'https://graph.microsoft.com';
    const cases: Array<[string, string, string]> = [
      ['GET', `${g}/v1.0/deviceManagement/managedDevices?$filter=deviceName%20eq%20'X'`, 'findDevices'],
      ['GET', `${g}/v1.0/deviceManagement/managedDevices?$skiptoken=abc`, 'findDevices'],
      ['GET', `${g}/v1.0/deviceManagement/managedDevices/d1?$select=id,deviceName`, 'getDevice'],
      ['GET', `${g}/v1.0/deviceManagement/managedDevices/d1?$select=remoteAssistanceSessionUrl,remoteAssistanceSessionErrorDetails`, 'getAssistanceSession'],
      ['POST', `${g}/v1.0/deviceManagement/managedDevices/d1/requestRemoteAssistance`, 'requestRemoteAssistance'],
      ['POST', `${g}/v1.0/users/u1/managedDevices/d1/requestRemoteAssistance`, 'requestRemoteAssistance'],
      ['POST', `${g}/beta/deviceManagement/reportRemoteAssistance`, 'reportRemoteAssistance'],
      ['POST', `${g}/v1.0/users/u1/checkMemberGroups`, 'checkMemberGroups'],
      ['GET', `${g}/v1.0/users/u1`, 'getUser'],
      ['GET', `${g}/v1.0/users?$filter=startswith(displayName,'A')`, 'findUsers'],
      ['GET', `${g}/v1.0/users/u1/managedDevices`, 'listUserDevices'],
      // Behind a proxy with a path of its own.
      ['GET', 'https://proxy.example/graph/v1.0/users/u1', 'getUser'],
      ['DELETE', `${g}/v1.0/users/u1`, 'other'],
    ];
    assert.deepEqual(cases.map(([method, url]) => graphOperationOf(method, new URL(url))), cases.map(([, , operation]) => operation));
  });
});
