// Test-only preload for the bot process (NODE_OPTIONS="--require <this file>"); never used in production.
//
// Before MSAL (behind botframework-connector's MicrosoftAppCredentials) trusts an authority host it does not
// know, such as a loopback Entra emulator named by ToChannelFromBotLoginUrl, it asks
// https://login.microsoftonline.com/common/discovery/instance. Offline that fails and MSAL refuses the
// authority (endpoints_resolution_error); botbuilder 4.23.3 gives no setting to skip the check (its
// ValidateAuthority is read but never reaches MSAL). This preload sends that one GET to the Entra emulator's
// /common/discovery/instance instead (ASSISTDESK_TEST_INSTANCE_DISCOVERY_ORIGIN), like a hosts-file entry
// for one URL. Every other request is left alone.
'use strict';
const https = require('node:https');

const origin = process.env.ASSISTDESK_TEST_INSTANCE_DISCOVERY_ORIGIN;
if (origin) {
  const target = new URL(origin);
  const request = https.request;
  https.request = function redirectedRequest(options, ...rest) {
    const isDiscovery = options && typeof options === 'object' && !(options instanceof URL)
      && options.hostname === 'login.microsoftonline.com'
      && String(options.method ?? 'GET').toUpperCase() === 'GET'
      && String(options.path ?? '').startsWith('/common/discovery/instance?');
    if (isDiscovery) options = { ...options, hostname: target.hostname, host: target.hostname, port: target.port };
    return request.call(this, options, ...rest);
  };
}
