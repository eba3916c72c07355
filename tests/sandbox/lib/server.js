// ehrterm FHIR sandbox: a TEST-ONLY FHIR R4 server over mutual TLS.
//
// Node https (requestCert, rejectUnauthorized) on loopback hands every request
// under /fhir to @medplum/fhir-router over an in-memory repository
// (repo.js), with the conformance fixes of conformance.js, the data of data.js
// and the fault modes and control port of faults.js. Started by ../run, which
// checks the Node version first. Usage: see ../README.md or --help.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http2 = require('node:http2');
const https = require('node:https');
const path = require('node:path');
const zlib = require('node:zlib');

const startedAt = new Date();
const deps = require('./deps');
const { core, definitions, sandboxDir } = deps;
const { SandboxRepository } = require('./repo');
const { createRouter, searchEtag } = require('./conformance');
const { loadData } = require('./data');
const { Faults, MODES, replacementResponse, damageBody, startControl } = require('./faults');
const { shape } = require('./like');

const VERSION = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'package.json'), 'utf8')).version;
const MAX_REQUEST_BYTES = 50 * 1024 * 1024;
const MAX_LOG_ENTRIES = 200000;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const USAGE = `usage: run --certs DIR [--port N] [--control-port M] [--server-cert NAME]
           [--scale N [--observations K] [--appointments-per-day A]] [--practitioners P]
           [--no-data] [--no-transactions] [--leave-out TYPES] [--seed S] [--log FILE]
           [--auth mtls|smart [--client-id ID] [--code-ttl S] [--token-ttl S]
            [--refresh-ttl S] [--interval S]] [--like openemr] [--http2]

  --certs DIR         certificates made by make-certs DIR (required)
  --port N            FHIR port on localhost (127.0.0.1 and ::1); 0 = any free port (default)
  --control-port M    plain-HTTP control port on 127.0.0.1; 0 = any free port (default)
  --server-cert NAME  serve DIR/bad/NAME.pem instead of DIR/server.pem (expired, wronghost, otherca)
  --scale N           add N synthetic patients with encounters, vitals, appointments
  --observations K    vital-sign Observations per --scale patient, five per past
                      Encounter (default 10: two encounters)
  --practitioners P   P more practitioners with a role, a schedule and slots like the
                      seeded four (default 0)
  --appointments-per-day A
                      book A appointments on each of the 14 schedule days across all
                      schedules, spread over the --scale patients (default: future
                      bookings up to about half of the free slots)
  --no-data           start empty except for the three user Practitioners
  --no-transactions   act as a server without transactions (OpenEMR's API, for one):
                      not in the CapabilityStatement, and a transaction Bundle gets 400
  --leave-out TYPES   leave the resource types TYPES (Slot,Appointment) out of the
                      CapabilityStatement, as a server that does not offer them; they
                      still answer, so a client that asks anyway is seen to
  --seed S            seed for the generated data (default ${require('./data').DEFAULT_SEED})
  --log FILE          also write the request log to FILE (truncated at start)
  --auth smart        SMART on FHIR over the mutual TLS: an OAuth 2.0 server (oidc-provider)
                      under https://localhost:N/oauth with the device authorization grant,
                      certificate-bound tokens, refresh and revocation; the FHIR endpoint
                      wants a bearer token with the right scopes (default: --auth mtls)
  --client-id ID      the public client's client_id (default ehrterm)
  --code-ttl S        device code lifetime in seconds (default 600)
  --token-ttl S       access token lifetime in seconds (default 3600)
  --refresh-ttl S     refresh token lifetime in seconds (default 86400)
  --interval S        the device flow's polling interval in seconds (default 5)
  --like openemr      shaped like OpenEMR's FHIR API: read and search only, but create and
                      update for Patient, Practitioner, Organization; no Schedule, Slot or
                      billing; no batch or transaction; implies --auth smart, but
                      --like openemr --auth mtls (test-only) keeps the shape without
                      a login

  --http2             also speak HTTP/2 (ALPN h2, HTTP/1.1 still offered), as a server
                      behind a TLS terminator or load balancer usually does: requests
                      then share the one connection side by side (the benchmarks)

Prints "control http://127.0.0.1:M" on stderr, then "ready https://localhost:N/fhir"
on stdout once requests are accepted. SIGTERM or SIGINT stops it. TEST USE ONLY.`;

function die(message, code = 1) {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  let authGiven = false; // --like openemr implies --auth smart unless --auth is given
  const opts = { port: 0, controlPort: 0, scale: 0, observations: undefined, practitioners: 0, appointmentsPerDay: undefined, noData: false, noTransactions: false, leaveOut: [], seed: undefined, log: undefined, serverCert: undefined, auth: 'mtls', clientId: 'ehrterm', codeTtl: 600, tokenTtl: 3600, refreshTtl: 86400, interval: 5, like: undefined, http2: false };
  const takesValue = new Set(['--certs', '--port', '--control-port', '--server-cert', '--scale', '--observations', '--practitioners', '--appointments-per-day', '--leave-out', '--seed', '--log', '--auth', '--client-id', '--code-ttl', '--token-ttl', '--refresh-ttl', '--interval', '--like']);
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    }
    if (takesValue.has(flag) && value === undefined) {
      value = argv[++i];
      if (value === undefined) {
        die(`${flag} needs a value\n${USAGE}`, 2);
      }
    }
    const int = (min, max) => {
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        die(`${flag} must be a whole number from ${min} to ${max}`, 2);
      }
      return Number(value);
    };
    switch (flag) {
      case '--certs':
        opts.certs = value;
        break;
      case '--port':
        opts.port = int(0, 65535);
        break;
      case '--control-port':
        opts.controlPort = int(0, 65535);
        break;
      case '--server-cert':
        if (!/^[A-Za-z0-9_-]+$/.test(value)) {
          die('--server-cert takes a name such as expired, wronghost or otherca', 2);
        }
        opts.serverCert = value;
        break;
      case '--scale':
        opts.scale = int(0, 1000000);
        break;
      case '--observations':
        opts.observations = int(0, 1000);
        break;
      case '--practitioners':
        opts.practitioners = int(0, 150);
        break;
      case '--appointments-per-day':
        opts.appointmentsPerDay = int(0, 100000);
        break;
      case '--no-data':
        opts.noData = true;
        break;
      case '--http2':
        opts.http2 = true;
        break;
      case '--no-transactions':
        opts.noTransactions = true;
        break;
      case '--leave-out':
        if (!/^[A-Z][A-Za-z]+(,[A-Z][A-Za-z]+)*$/.test(value)) {
          die('--leave-out takes resource types separated by commas, such as Slot,Appointment', 2);
        }
        opts.leaveOut = value.split(',');
        break;
      case '--seed':
        opts.seed = value;
        break;
      case '--log':
        opts.log = value;
        break;
      case '--auth':
        if (!['mtls', 'smart'].includes(value)) {
          die('--auth takes mtls or smart', 2);
        }
        opts.auth = value;
        authGiven = true;
        break;
      case '--client-id':
        if (!/^[A-Za-z0-9._~-]{1,64}$/.test(value)) {
          die('--client-id takes 1 to 64 of A-Z a-z 0-9 . _ ~ -', 2);
        }
        opts.clientId = value;
        break;
      case '--code-ttl':
        opts.codeTtl = int(1, 86400);
        break;
      case '--token-ttl':
        opts.tokenTtl = int(1, 86400);
        break;
      case '--refresh-ttl':
        opts.refreshTtl = int(1, 365 * 86400);
        break;
      case '--interval':
        opts.interval = int(1, 60);
        break;
      case '--like':
        if (!shape(value)) {
          die('--like takes openemr', 2);
        }
        opts.like = value;
        break;
      default:
        die(`unknown argument ${argv[i]}\n${USAGE}`, 2);
    }
  }
  if (!opts.certs) {
    die(`--certs DIR is required\n${USAGE}`, 2);
  }
  if (opts.like && !authGiven) {
    // OpenEMR's API wants SMART, as every server shaped like it here. An explicit
    // --auth mtls is test-only: the same shape without a login, a stage for testing how
    // the client degrades while its SMART login is not there to pass.
    opts.auth = 'smart';
  }
  if ((opts.observations !== undefined || opts.appointmentsPerDay !== undefined) && !opts.scale) {
    die(`--observations and --appointments-per-day describe the --scale patients: give --scale N too\n${USAGE}`, 2);
  }
  if (opts.noData && (opts.practitioners || opts.observations !== undefined || opts.appointmentsPerDay !== undefined)) {
    die(`--no-data leaves no clinic for --practitioners, --observations or --appointments-per-day\n${USAGE}`, 2);
  }
  return opts;
}

function readCerts(opts) {
  const file = (...p) => {
    const f = path.join(opts.certs, ...p);
    try {
      return fs.readFileSync(f);
    } catch (err) {
      die(`cannot read ${f} (${err.code}); make the certificates with: tests/sandbox/make-certs ${opts.certs}`);
    }
  };
  const name = opts.serverCert;
  return {
    ca: file('ca.pem'),
    cert: name ? file('bad', `${name}.pem`) : file('server.pem'),
    key: name ? file('bad', `${name}.key`) : file('server.key'),
  };
}

// --- the request log -------------------------------------------------------------

/** One line per FHIR request; the first six fields are the ones the tests count. */
class RequestLog {
  constructor(file) {
    this.fields = ['method', 'path', 'status', 'requestBytes', 'responseBytes', 'user', 'time', 'ms', 'faults', 'tls', 'bundle', 'http'];
    this.entries = [];
    this.dropped = 0;
    this.stream = file ? fs.createWriteStream(file, { flags: 'w', mode: 0o600 }) : undefined;
  }

  add(e) {
    this.entries.push(e);
    if (this.entries.length > MAX_LOG_ENTRIES) {
      this.entries.shift();
      this.dropped++;
    }
    this.stream?.write(RequestLog.line(e));
  }

  static line(e) {
    const clean = (s) => String(s).replace(/[\t\r\n\\]/g, (c) => ({ '\t': '\\t', '\r': '\\r', '\n': '\\n', '\\': '\\\\' })[c]);
    return `${[e.method, e.path, e.status, e.requestBytes, e.responseBytes, e.user, e.time, e.ms, e.faults || '-', e.tls, e.bundle || '-', e.http || '-'].map(clean).join('\t')}\n`;
  }

  text() {
    return this.entries.map(RequestLog.line).join('');
  }

  clear() {
    const n = this.entries.length;
    this.entries = [];
    this.dropped = 0;
    return n;
  }
}

// --- helpers -----------------------------------------------------------------------

/**
 * The type of the Bundle a POST to the base carries ("transaction", "batch"), for the log:
 * both are POST /fhir. Read before any fault replaces the request, so a transaction that
 * was failed or cancelled is named too. Undefined for anything else.
 */
function bundleType(req, bodyBuf) {
  if (req.method !== 'POST' || !/^\/fhir\/?(\?|$)/.test(req.url) || !bodyBuf?.length) {
    return undefined;
  }
  try {
    let raw = bodyBuf;
    if (String(req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
      raw = zlib.gunzipSync(bodyBuf, { maxOutputLength: MAX_REQUEST_BYTES });
    }
    const body = JSON.parse(raw.toString('utf8'));
    return body?.resourceType === 'Bundle' && typeof body.type === 'string' ? body.type : undefined;
  } catch {
    return undefined;
  }
}

/** Serialises async work: one FHIR request (or reset) touches the store at a time. */
function makeMutex() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

function readRequestBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let n = 0;
    req.on('data', (d) => {
      n += d.length;
      if (n <= MAX_REQUEST_BYTES) {
        parts.push(d);
      }
    });
    req.on('end', () => resolve(n > MAX_REQUEST_BYTES ? null : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Bytes of the request line and headers as received (rawHeaders keep their order and case). */
function requestHeaderBytes(req) {
  let n = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    n += Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`);
  }
  return n;
}

function outcomeBody(status, code, text) {
  return {
    status,
    headers: { 'Content-Type': FHIR_JSON },
    body: Buffer.from(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] })),
  };
}

function acceptsGzip(req) {
  const ae = String(req.headers['accept-encoding'] ?? '');
  return ae.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding.trim() === 'gzip' || coding.trim() === '*') && (!q || Number(q.slice(2)) > 0);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The status line and headers as sent (HTTP/1.1's _header); for HTTP/2, which keeps no
// such text, the same lines counted from the headers (before HPACK compresses them).
function responseHeaderBytes(res) {
  if (typeof res._header === 'string') return Buffer.byteLength(res._header);
  let n = `HTTP/2 ${res.statusCode}\r\n\r\n`.length;
  for (const [k, v] of Object.entries(res.getHeaders?.() ?? {})) n += Buffer.byteLength(`${k}: ${v}\r\n`);
  return n;
}

// --- main ----------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tls = readCerts(opts);

  // Index the R4 profiles and search parameters: the router's search, the
  // validator and the CapabilityStatement all read this one index.
  const t0 = Date.now();
  for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    core.indexStructureDefinitionBundle(definitions.readJson(f));
  }
  core.indexSearchParameterBundle(definitions.readJson('fhir/r4/search-parameters.json'));
  // R4's Resource parameters apply to Binary too, but Medplum's bundle gives Binary none:
  // _tag is what guards the create of a note's text (a Binary has no identifier).
  core.indexSearchParameter({
    resourceType: 'SearchParameter', id: 'Binary-tag', url: 'urn:ehrterm:sandbox:Binary-tag',
    name: '_tag', status: 'active', code: '_tag', base: ['Binary'], type: 'token',
    expression: 'Binary.meta.tag',
  });
  const schemaMs = Date.now() - t0;

  const repo = new SandboxRepository();
  const t1 = Date.now();
  const loaded = loadData(repo, { dataDir: path.join(sandboxDir, 'data'), noData: opts.noData, seed: opts.seed, scale: opts.scale, observations: opts.observations, practitioners: opts.practitioners, appointmentsPerDay: opts.appointmentsPerDay, certs: opts.certs });
  for (const w of loaded.warnings ?? []) {
    process.stderr.write(`sandbox: ${w}\n`);
  }
  repo.snapshot();
  repo.validateWrites = true;
  const loadMs = Date.now() - t1;

  let base = 'https://localhost:0/fhir';
  const like = shape(opts.like);
  let smart; // --auth smart: started once the port (and with it the issuer) is known
  const ctx = {
    base: () => base,
    version: VERSION,
    startedAt: startedAt.toISOString(),
    noTransactions: opts.noTransactions,
    leaveOut: opts.leaveOut,
    like,
    smart: opts.auth === 'smart' ? { uris: () => smart.uris() } : undefined,
  };
  const fhirRouter = createRouter(ctx);
  const exclusive = makeMutex();
  const faults = new Faults();
  const log = new RequestLog(opts.log);
  const tlsErrors = { count: 0, recent: [] };

  /** Runs one FHIR request through the router: { status, headers, body }. */
  async function runFhir(req, bodyBuf, user) {
    const url = new URL(req.url, base);
    if (url.pathname !== '/fhir' && !url.pathname.startsWith('/fhir/')) {
      return outcomeBody(404, 'not-found', `Nothing at ${url.pathname}; the FHIR base is ${base}`);
    }
    const accept = String(req.headers.accept ?? '*/*');
    const format = url.searchParams.get('_format');
    if (!/json|\*\/\*|application\/\*/i.test(accept) || (format && !/json/i.test(format))) {
      return outcomeBody(406, 'not-supported', 'This server speaks application/fhir+json only');
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      return outcomeBody(405, 'not-supported', `Method ${req.method} is not supported`);
    }

    let body;
    if (bodyBuf.length) {
      let raw = bodyBuf;
      const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (enc === 'gzip') {
        try {
          raw = zlib.gunzipSync(bodyBuf, { maxOutputLength: MAX_REQUEST_BYTES });
        } catch {
          return outcomeBody(400, 'invalid', 'Request body is not valid gzip (or too large)');
        }
      } else if (enc !== 'identity') {
        return outcomeBody(415, 'not-supported', `Content-Encoding ${enc} is not supported`);
      }
      const type = String(req.headers['content-type'] ?? '');
      if (type.startsWith('application/x-www-form-urlencoded')) {
        body = Object.fromEntries([...new URLSearchParams(raw.toString('utf8'))].reduce((m, [k, v]) => m.set(k, [...(m.get(k) ?? []), v]), new Map()));
      } else {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (err) {
          return outcomeBody(400, 'structure', `Request body is not valid JSON: ${err.message}`);
        }
      }
    }

    const fhirPath = url.pathname.slice('/fhir'.length) || '/';
    if (fhirPath === '/.well-known/smart-configuration' && method === 'GET') {
      if (!smart) {
        return outcomeBody(404, 'not-found', 'No SMART configuration: the sandbox runs with --auth mtls, the client certificate names the user');
      }
      return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(smart.smartConfiguration())) };
    }
    // --auth smart: a token bound to this connection's certificate (401), then what a
    // server shaped --like another does not offer (400, 404, 405), then the scopes (403).
    let forbidden;
    if (smart) {
      const a = await smart.authorize(req, method, fhirPath, body);
      if (a.response) {
        return a.response;
      }
      user = a.user ?? user;
      forbidden = a.forbidden;
    }
    const refusal = like?.refuse(method, fhirPath, body);
    if (refusal) {
      return outcomeBody(refusal.status, refusal.code, refusal.text);
    }
    if (forbidden) {
      return forbidden;
    }
    const fhirReq = { method, url: fhirPath + url.search, pathname: '', body, params: {}, query: {}, headers: req.headers, config: { transactions: true } };
    const [outcome, resource] = await exclusive(async () => {
      repo.author = user;
      try {
        return await fhirRouter.handleRequest(fhirReq, repo);
      } finally {
        repo.author = undefined;
      }
    });

    const status = core.getStatus(outcome);
    const headers = { 'Content-Type': FHIR_JSON };
    const single =
      resource?.id &&
      resource.meta?.versionId &&
      resource.resourceType !== 'OperationOutcome' &&
      !(resource.resourceType === 'Bundle' && ['searchset', 'history', 'batch-response', 'transaction-response'].includes(resource.type));
    if (single) {
      headers.ETag = `W/"${resource.meta.versionId}"`;
      headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
      if (status === 201) {
        headers.Location = `${base}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
      }
    }
    // A searchset has a tag of its own (searchEtag), which If-None-Match on the search matches.
    if (status === 200 && resource?.resourceType === 'Bundle' && resource.type === 'searchset') {
      headers.ETag = searchEtag(resource);
    }
    if (status === 304) {
      const etag = headers.ETag ?? (method === 'GET' ? req.headers['if-none-match'] : undefined);
      return { status, headers: { ETag: etag, 'Last-Modified': headers['Last-Modified'] }, body: Buffer.alloc(0) };
    }
    let payload = status >= 400 || !resource ? outcome : resource;
    const prefer = String(req.headers.prefer ?? '');
    const isWrite = (method === 'POST' && !/\/_search$/.test(fhirPath) && fhirPath !== '/') || method === 'PUT' || method === 'PATCH';
    if (isWrite && status < 300 && /return\s*=\s*minimal/i.test(prefer)) {
      return { status, headers: { ...headers, 'Content-Type': undefined }, body: Buffer.alloc(0) };
    }
    if (isWrite && status < 300 && /return\s*=\s*OperationOutcome/i.test(prefer)) {
      payload = outcome;
    }
    const pretty = url.searchParams.get('_pretty') === 'true';
    return { status, headers, body: Buffer.from(JSON.stringify(payload, null, pretty ? 2 : undefined)) };
  }

  /**
   * Sends a response: compression, then the rate limit and drop faults.
   * Counts the body bytes written in stats.bodyBytes.
   */
  async function send(req, res, resp, shaping, stats) {
    const headers = Object.fromEntries(Object.entries(resp.headers ?? {}).filter(([, v]) => v !== undefined));
    let body = resp.body ?? Buffer.alloc(0);
    if (!resp.noCompress && !resp.stream) {
      headers.Vary = 'Accept-Encoding';
      if (body.length && acceptsGzip(req)) {
        const gz = zlib.gzipSync(body);
        if (gz.length < body.length) {
          body = gz;
          headers['Content-Encoding'] = 'gzip';
        }
      }
    }
    if (!resp.stream) {
      headers['Content-Length'] = String(body.length);
    }
    res.writeHead(resp.status, headers);
    const head = req.method === 'HEAD';

    const closed = () => res.destroyed || res.socket?.destroyed;
    // write(chunk) -> false once the client has gone; paced when a rate is set.
    const started = Date.now();
    let paced = 0;
    const write = async (chunk) => {
      const slice = shaping.rate ? Math.max(1, Math.min(16384, Math.floor(shaping.rate / 20))) : chunk.length;
      for (let at = 0; at < chunk.length; at += slice) {
        if (closed()) {
          return false;
        }
        const part = chunk.subarray(at, at + slice);
        const flushed = new Promise((resolve) => res.write(part, () => resolve()));
        stats.bodyBytes += part.length;
        if (shaping.rate) {
          paced += part.length;
          await flushed;
          const due = started + (paced / shaping.rate) * 1000;
          if (due > Date.now()) {
            await sleep(due - Date.now());
          }
        } else if (res.writableNeedDrain) {
          await Promise.race([new Promise((r) => res.once('drain', r)), new Promise((r) => res.once('close', r))]);
        }
      }
      return !closed();
    };

    if (head) {
      res.end();
    } else if (resp.stream) {
      if (await resp.stream(res, write)) {
        res.end();
      }
    } else if (resp.dropAfter !== undefined) {
      const n = Math.min(resp.dropAfter ?? Math.floor(body.length / 2), Math.max(0, body.length - 1));
      if (n > 0) {
        await write(body.subarray(0, n));
      } else {
        await new Promise((r) => res.write('', () => r())); // headers out first
      }
      res.socket?.destroy(); // no close_notify, no rest of the body: a dropped link
    } else if (shaping.rate) {
      if (await write(body)) {
        res.end();
      }
    } else {
      stats.bodyBytes += body.length;
      res.end(body);
    }
  }

  async function onRequest(req, res) {
    const t = process.hrtime.bigint();
    const cn = req.socket.getPeerCertificate?.()?.subject?.CN ?? '-';
    const stats = { bodyBytes: 0 };
    const entry = { method: req.method, path: req.url, status: 0, requestBytes: 0, responseBytes: 0, user: cn, time: new Date().toISOString(), ms: 0, faults: '', tls: req.socket.isSessionReused?.() ? 'resumed' : 'full', http: req.httpVersion };
    res.on('close', () => {
      entry.status = res.statusCode;
      entry.responseBytes = responseHeaderBytes(res) + stats.bodyBytes;
      entry.ms = Number((process.hrtime.bigint() - t) / 1000000n);
      log.add(entry);
    });
    try {
      if (smart && /^\/(oauth(\/|\?|$)|\.well-known\/oauth-authorization-server\/oauth)/.test(req.url)) {
        return await onOAuth(req, res, cn, entry, stats);
      }
      const bodyBuf = await readRequestBody(req);
      entry.bundle = bundleType(req, bodyBuf);
      entry.requestBytes = requestHeaderBytes(req) + (bodyBuf?.length ?? MAX_REQUEST_BYTES);
      const shaping = faults.take(req.method, req.url);
      entry.faults = shaping.names.join(',');
      if (shaping.delay) {
        await sleep(shaping.delay);
      }
      let resp;
      const user = loaded.users.get(cn);
      if (bodyBuf === null) {
        resp = outcomeBody(413, 'too-costly', `Request bodies are limited to ${MAX_REQUEST_BYTES} bytes`);
      } else if (!user) {
        resp = outcomeBody(403, 'forbidden', `Certificate subject CN=${cn} is not a user of this server`);
      } else if (shaping.action && MODES[shaping.action.mode].kind === 'before') {
        resp = await replacementResponse(shaping.action);
      } else {
        resp = await runFhir(req, bodyBuf, user);
        const f = shaping.action;
        if (f?.mode === 'drop') {
          resp.dropAfter = f.afterBytes ?? null;
        } else if (f && resp.body?.length) {
          resp.body = damageBody(f, resp.body);
        }
      }
      await send(req, res, resp, shaping, stats);
    } catch (err) {
      process.stderr.write(`sandbox: error handling ${req.method} ${req.url}: ${err.stack ?? err}\n`);
      if (!res.headersSent) {
        await send(req, res, outcomeBody(500, 'exception', `Internal error: ${err.message}`), {}, stats);
      } else {
        res.destroy();
      }
    }
  }

  /**
   * A request for the authorization server (--auth smart): oidc-provider reads the body
   * and answers itself. The fault modes that replace an answer, delay and the ones that
   * damage JSON (hostile, truncate, wrong-types...) apply; rate and drop do not.
   */
  async function onOAuth(req, res, cn, entry, stats) {
    entry.requestBytes = requestHeaderBytes(req) + Number(req.headers['content-length'] ?? 0);
    const shaping = faults.take(req.method, req.url);
    entry.faults = shaping.names.join(',');
    if (shaping.delay) {
      await sleep(shaping.delay);
    }
    if (!loaded.users.get(cn)) {
      return send(req, res, outcomeBody(403, 'forbidden', `Certificate subject CN=${cn} is not a user of this server`), {}, stats);
    }
    const f = shaping.action;
    if (f && MODES[f.mode].kind === 'before') {
      return send(req, res, await replacementResponse(f), shaping, stats);
    }
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = (chunk, ...rest) => {
      stats.bodyBytes += chunk && typeof chunk !== 'function' ? Buffer.byteLength(chunk) : 0;
      return write(chunk, ...rest);
    };
    res.end = (chunk, ...rest) => {
      stats.bodyBytes += chunk && typeof chunk !== 'function' ? Buffer.byteLength(chunk) : 0;
      return end(chunk, ...rest);
    };
    await smart.handle(req, res, f && f.mode !== 'drop' ? f : undefined);
  }

  // --- listen ------------------------------------------------------------------------
  const tlsOptions = { ...tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  // HTTP/2 sessions, so that close-idle and a stop reach them (an HTTP/2 server has no
  // closeIdleConnections).
  const sessions = new Set();
  const makeServer = () => {
    let s;
    if (opts.http2) {
      s = http2.createSecureServer({ ...tlsOptions, allowHTTP1: true }, onRequest);
      s.on('session', (session) => {
        sessions.add(session);
        session.on('close', () => sessions.delete(session));
      });
      s.closeIdleConnections = () => {
        for (const session of sessions) session.destroy();
      };
      s.closeAllConnections = s.closeIdleConnections;
    } else {
      s = https.createServer(tlsOptions, onRequest);
    }
    s.keepAliveTimeout = 65000; // one kept-alive connection per client, as ehrterm uses
    s.headersTimeout = 66000;
    s.on('tlsClientError', (err) => {
      tlsErrors.count++;
      tlsErrors.recent.push({ time: new Date().toISOString(), error: err.code ?? err.message, message: err.message });
      tlsErrors.recent.splice(0, tlsErrors.recent.length - 20);
    });
    return s;
  };
  const listen = (server, port, host) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: host === '::1' }, () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });

  const servers = [];
  let port;
  for (let attempt = 0; ; attempt++) {
    const v4 = makeServer();
    try {
      port = await listen(v4, opts.port, '127.0.0.1');
    } catch (err) {
      die(`cannot listen on 127.0.0.1:${opts.port}: ${err.code ?? err.message}`);
    }
    // localhost is also ::1: listen there on the same port, or clients that
    // try IPv6 first could reach some other program.
    const v6 = makeServer();
    try {
      await listen(v6, port, '::1');
      servers.push(v4, v6);
      break;
    } catch (err) {
      if (err.code === 'EADDRINUSE' && opts.port === 0 && attempt < 10) {
        v4.close();
        continue;
      }
      if (err.code === 'EADDRINUSE') {
        die(`[::1]:${port} is in use by another program; clients of https://localhost:${port} might reach it`);
      }
      process.stderr.write(`sandbox: note: not listening on [::1]:${port} (${err.code ?? err.message}); IPv4 only\n`);
      servers.push(v4);
      break;
    }
  }
  base = `https://localhost:${port}/fhir`;

  if (opts.auth === 'smart') {
    const { startSmart } = require('./smart');
    const types = {};
    for (const t of like ? like.types : core.getResourceTypes()) {
      if ((opts.leaveOut ?? []).includes(t)) {
        continue;
      }
      const offered = like ? like.interactions(t) : ['create', 'read', 'update', 'delete', 'search-type'];
      types[t] = ['create', 'read', 'update', 'delete', 'search-type'].filter((i) => offered.includes(i)).map((i) => i[0]).join('');
    }
    try {
      smart = await startSmart(base, {
        oidcProviderPath: deps.oidcProviderPath(),
        clientId: opts.clientId,
        codeTtl: opts.codeTtl,
        tokenTtl: opts.tokenTtl,
        refreshTtl: opts.refreshTtl,
        interval: opts.interval,
        types,
        damage: damageBody,
        controlUrl: () => `http://127.0.0.1:${control?.address().port}`,
        // A user is any Practitioner of the server; meta.author names them as the
        // certificate's user is named without --auth smart.
        account: (id) => {
          const p = typeof id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? repo.peek('Practitioner', id) : undefined;
          if (!p) {
            return undefined;
          }
          const n = p.name?.[0];
          const display = [...(n?.prefix ?? []), ...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
          return { reference: `Practitioner/${id}`, ...(display ? { display } : {}) };
        },
      });
    } catch (err) {
      die(`cannot start the SMART authorization server: ${err.stack ?? err}`);
    }
  }

  const api = {
    faults,
    log,
    smart: () => smart?.control,
    closeIdle: (forget) => {
      for (const s of servers) {
        s.closeIdleConnections();
        // New ticket keys: every session a client holds can no longer be resumed.
        if (forget) {
          s.setTicketKeys(crypto.randomBytes(48));
        }
      }
      return true;
    },
    reset: async () => {
      const t = Date.now();
      await exclusive(async () => repo.reset());
      return { reset: true, ms: Date.now() - t, resources: repo.counts() };
    },
    status: async () => ({
      base,
      version: VERSION,
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      startupMs: startupMs,
      schemaMs,
      loadMs,
      loadTimings: loaded.timings,
      uptimeSeconds: Math.round(process.uptime()),
      resources: repo.counts(),
      faults: faults.list(),
      log: { entries: log.entries.length, dropped: log.dropped },
      tlsErrors,
      auth: smart
        ? { mode: 'smart', issuer: smart.issuer, clientId: opts.clientId, codeTtl: opts.codeTtl, tokenTtl: opts.tokenTtl, refreshTtl: opts.refreshTtl, interval: opts.interval }
        : { mode: 'mtls' },
      like: opts.like ?? null,
      memory: process.memoryUsage(),
    }),
  };
  let control;
  try {
    control = await startControl(opts.controlPort, api);
  } catch (err) {
    die(`cannot listen on 127.0.0.1:${opts.controlPort} for the control port: ${err.code ?? err.message}`);
  }
  const startupMs = Math.round(process.uptime() * 1000);

  // --- stop on SIGTERM / SIGINT ---------------------------------------------------------
  let stopping = false;
  const stop = (signal) => {
    if (stopping) {
      return;
    }
    stopping = true;
    process.stderr.write(`sandbox: ${signal}, stopping\n`);
    for (const s of [...servers, control]) {
      s.close();
      s.closeAllConnections?.();
    }
    setTimeout(() => process.exit(0), 2000).unref();
    const done = () => process.exit(0);
    if (log.stream) {
      log.stream.end(done);
    } else {
      done();
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const total = Object.values(loaded.counts).reduce((a, b) => a + b, 0);
  process.stderr.write(`control http://127.0.0.1:${control.address().port}\n`);
  process.stdout.write(`ready ${base}\n`);
  process.stderr.write(
    `sandbox: TEST ONLY; ${total} resources; schema ${schemaMs} ms, data ${loadMs} ms, ready ${startupMs} ms after start; ` +
      `rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB\n`
  );
}

main().catch((err) => die(err.stack ?? String(err)));
