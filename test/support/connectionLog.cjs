// Test-only preload for the bot process (NODE_OPTIONS="--require <this file>"); never used in production.
//
// Writes the host and port of every outgoing TCP connection the process opens (plain, TLS, fetch: all go
// through net.Socket.prototype.connect) and every DNS lookup, one JSON line each, to the file named by
// ASSISTDESK_TEST_CONNECTION_LOG, so a test can show that nothing left the machine.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');

const file = process.env.ASSISTDESK_TEST_CONNECTION_LOG;
if (file) {
  const note = (entry) => fs.appendFileSync(file, JSON.stringify(entry) + '\n');
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function loggedConnect(...args) {
    // net.connect and tls.connect call this with their normalised arguments: [options, callback].
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const options = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
    if (!options.path) note({ kind: 'connect', host: options.host ?? 'localhost', port: Number(options.port) });
    return connect.apply(this, args);
  };
  const lookup = dns.lookup;
  dns.lookup = function loggedLookup(hostname, ...rest) {
    note({ kind: 'lookup', host: hostname });
    return lookup.call(this, hostname, ...rest);
  };
}
