// redirector: a TEST-ONLY mutual-TLS server that answers with redirects, and a trap
// listener on another port that records every connection made to it.
//
//   node redirector.js --certs DIR --log FILE
//
// Prints "ready P T" on stdout once both listen: P the HTTPS port (localhost, with
// DIR/server.pem, client certificates checked against DIR/ca.pem), T the trap port
// (plain TCP on 127.0.0.1 and ::1; it reads what it is sent and answers nothing).
//
// GET /r/STATUS/TARGET/... answers STATUS (301, 302, 303, 307, 308) with a Location
// from the table below; GET /ok/... answers a small CapabilityStatement, so that a
// followed same-origin redirect can be told from one not followed.
// Every HTTPS request and every trap connection is one line in FILE, tab-separated:
//   tls         SNI     CLIENT-CN       (each TLS connection, once the handshake is done;
//                                        SNI is - when the client sent none, as for an IP)
//   req         METHOD  PATH  HOST  CLIENT-CN
//   trap        REMOTE                  (as the connection is accepted)
//   trap-closed REMOTE  BYTES-RECEIVED  (when it closes)
// SIGTERM stops it.
'use strict';

const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');

function die(message) {
  process.stderr.write(`redirector: ${message}\n`);
  process.exit(2);
}

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const flag = process.argv[i];
  if (flag !== '--certs' && flag !== '--log') die(`unknown option ${flag}`);
  if (process.argv[i + 1] === undefined) die(`${flag} needs a value`);
  args[flag.slice(2)] = process.argv[i + 1];
}
if (!args.certs || !args.log) die('usage: redirector.js --certs DIR --log FILE');

const logFd = fs.openSync(args.log, 'w', 0o600);
function log(...fields) {
  fs.writeSync(logFd, fields.map((f) => String(f).replace(/[\t\n\\]/g, ' ')).join('\t') + '\n');
}

const read = (name) => fs.readFileSync(path.join(args.certs, name));
const capability = JSON.stringify({
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2024-01-01',
  kind: 'instance',
  fhirVersion: '4.0.1',
  format: ['json'],
  software: { name: 'ehrterm redirector (test only)', version: '1' },
  rest: [{ mode: 'server', resource: [{ type: 'Patient', interaction: [{ code: 'read' }, { code: 'search-type' }] }] }],
});

// Listen on 127.0.0.1 and, on the same port, ::1 (where the host has IPv6), as the
// sandbox does: "localhost" may resolve to either, and a connection must not be
// missed because it went to the other address.
function listenBoth(server4, server6, port, done) {
  server4.listen(port, '127.0.0.1', () => {
    const p = server4.address().port;
    server6.once('error', () => done(p));
    server6.listen(p, '::1', () => done(p));
  });
}

let httpsPort = 0;
let trapPort = 0;

function targets() {
  return {
    // A plain-http address: a downgrade, and the trap would see the request in clear.
    http: `http://127.0.0.1:${trapPort}/fhir/metadata`,
    // A file on the client's own disk.
    file: 'file:///etc/passwd',
    // https on another port of the same host name: another origin.
    'other-port': `https://localhost:${trapPort}/fhir/metadata`,
    // https to another host (and port).
    'other-host': `https://127.0.0.1:${trapPort}/fhir/metadata`,
    // A scheme-relative address to another host.
    'scheme-relative': `//127.0.0.1:${trapPort}/fhir/metadata`,
    // This very server by another host name: any request it gets there is logged.
    'same-port-other-host': `https://127.0.0.1:${httpsPort}/ok/fhir/metadata`,
    // Same origin: followed, and answered with a CapabilityStatement.
    same: '/ok/fhir/metadata',
  };
}

// A redirect to the very address asked for, for ever (LOOP is filled in per request).
const LOOP = 'loop';

function handler(req, res) {
  const cert = req.socket.getPeerCertificate();
  log('req', req.method, req.url, req.headers.host || '-', (cert && cert.subject && cert.subject.CN) || '-');
  const m = /^\/r\/(\d{3})\/([a-z-]+)\//.exec(req.url);
  if (m) {
    const location = m[2] === LOOP ? req.url : targets()[m[2]];
    if (location === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`no target ${m[2]}\n`);
      return;
    }
    res.writeHead(Number(m[1]), { Location: location, 'Content-Type': 'text/plain' });
    res.end(`see ${location}\n`);
    return;
  }
  if (req.url.startsWith('/ok/')) {
    res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
    res.end(capability);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
}

const tlsOptions = {
  cert: read('server.pem'),
  key: read('server.key'),
  ca: read('ca.pem'),
  requestCert: true,
  rejectUnauthorized: true,
};
const servers = [https.createServer(tlsOptions, handler), https.createServer(tlsOptions, handler)];
for (const s of servers) {
  s.on('secureConnection', (socket) => {
    const cert = socket.getPeerCertificate();
    log('tls', socket.servername || '-', (cert && cert.subject && cert.subject.CN) || '-');
  });
}

function trap(socket) {
  let bytes = 0;
  const remote = `${socket.remoteAddress}:${socket.remotePort}`;
  log('trap', remote);
  socket.on('data', (d) => (bytes += d.length));
  socket.on('error', () => {});
  socket.on('close', () => log('trap-closed', remote, bytes));
  // Read what comes at once (a request in clear), then hang up: a client that did
  // follow should fail fast, not wait for a handshake that never comes.
  setTimeout(() => socket.destroy(), 200);
}
const traps = [net.createServer(trap), net.createServer(trap)];

listenBoth(traps[0], traps[1], 0, (t) => {
  trapPort = t;
  listenBoth(servers[0], servers[1], 0, (p) => {
    httpsPort = p;
    process.stdout.write(`ready ${httpsPort} ${trapPort}\n`);
  });
});

function stop() {
  for (const s of [...servers, ...traps]) s.close();
  fs.closeSync(logFd);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
