// Self-test of the FHIR sandbox, run by ../selftest (which makes the private
// temporary directory, checks Node and cleans up). Makes certificates, starts
// the sandbox on free ports through ../run, and checks the acceptance
// criteria, every conformance gap the sandbox fills, the fault modes, reset,
// the request log and the TLS refusals. Uses only node:test, node:https,
// node:zlib and curl. Writes only into $SANDBOX_SELFTEST_TMP.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const zlib = require('node:zlib');

const SANDBOX = path.resolve(__dirname, '..');
const OWN_TMP = !process.env.SANDBOX_SELFTEST_TMP; // run directly, not by ../selftest
const TMP = process.env.SANDBOX_SELFTEST_TMP || fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ehrterm-sandbox-selftest.'));
const CERTS = path.join(TMP, 'certs');
const PIDS = path.join(TMP, 'pids'); // read by ../selftest to kill leftovers
const READY_TIMEOUT_MS = 60000;

// A hard stop, so a hung test cannot hold `make check` forever.
setTimeout(() => {
  process.stderr.write('selftest: gave up after 110 s\n');
  process.exit(1);
}, 110000).unref();

let main; // { proc, base, port, control }
const pass = {}; // certificate name -> key passphrase
let loadedCounts; // resource counts right after start
let bookedSlot; // a slot the transaction test booked
const agents = {};

// --- helpers ---------------------------------------------------------------------------

/** Starts ../run with args; resolves { proc, base, port, control } once it is ready. */
function startSandbox(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(path.join(SANDBOX, 'run'), ['--certs', CERTS, '--port', '0', '--control-port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    fs.appendFileSync(PIDS, `${proc.pid}\n`);
    let out = '';
    let err = '';
    let control;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the sandbox did not print "ready https://localhost:N/fhir" within ${READY_TIMEOUT_MS / 1000} s; stderr:\n${err}`));
    }, READY_TIMEOUT_MS);
    proc.stderr.on('data', (d) => {
      err += d;
      control ??= /^control (http:\/\/127\.0\.0\.1:\d+)$/m.exec(err)?.[1];
    });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /^ready (https:\/\/localhost:(\d+)\/fhir)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        if (!control) {
          reject(new Error(`ready line came before the control line; stderr:\n${err}`));
        }
        resolve({ proc, base: m[1], port: Number(m[2]), control, stdout: () => out, stderr: () => err });
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited (${code ?? signal}) before it was ready; stderr:\n${err}`));
    });
  });
}

function stopSandbox(s) {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) {
      return resolve({ code: s.proc.exitCode, signal: s.proc.signalCode });
    }
    const timer = setTimeout(() => s.proc.kill('SIGKILL'), 5000);
    s.proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    s.proc.kill('SIGTERM');
  });
}

function agent(user) {
  agents[user] ??= new https.Agent({
    keepAlive: true,
    maxSockets: 4,
    ca: fs.readFileSync(path.join(CERTS, 'ca.pem')),
    cert: fs.readFileSync(path.join(CERTS, `${user}.pem`)),
    key: fs.readFileSync(path.join(CERTS, `${user}.key`)),
    passphrase: pass[user],
  });
  return agents[user];
}

/**
 * One FHIR request. Resolves { status, headers, raw (wire body), body (decoded
 * Buffer), json } or rejects on a transport error. opts: body, headers, user,
 * gzip (send Accept-Encoding: gzip), maxBytes (abort after that many), url.
 */
function fhir(method, pathAndQuery, opts = {}) {
  const url = opts.url ?? `${main.base}${pathAndQuery}`;
  const payload = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
  const headers = {
    Accept: 'application/fhir+json',
    ...(payload ? { 'Content-Type': 'application/fhir+json', 'Content-Length': payload.length } : {}),
    ...(opts.gzip ? { 'Accept-Encoding': 'gzip' } : {}),
    ...opts.headers,
  };
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, agent: opts.agent ?? agent(opts.user ?? 'frontdesk') }, (res) => {
      const parts = [];
      let n = 0;
      res.on('data', (d) => {
        parts.push(d);
        n += d.length;
        if (opts.maxBytes && n >= opts.maxBytes) {
          resolve({ status: res.statusCode, headers: res.headers, raw: Buffer.concat(parts), partial: true });
          res.destroy();
        }
      });
      res.on('error', reject);
      res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        const raw = Buffer.concat(parts);
        const result = { status: res.statusCode, headers: res.headers, raw, body: raw };
        if (res.headers['content-encoding'] === 'gzip' && !opts.noInflate) {
          result.body = zlib.gunzipSync(raw);
        }
        try {
          result.json = result.body.length ? JSON.parse(result.body.toString('utf8')) : undefined;
        } catch {
          result.json = undefined;
        }
        resolve(result);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A request to the control port; resolves { status, headers, json, text }. */
function control(method, p, body, ctl = main.control) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(`${ctl}${p}`, { method, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function fault(spec) {
  const r = await control('POST', '/fault', spec);
  assert.equal(r.status, 201, `POST /fault ${JSON.stringify(spec)}: ${r.text}`);
  return r.json.fault;
}

/** curl with the given extra arguments; resolves { code, stdout, stderr }. */
function curl(args) {
  return new Promise((resolve) => {
    const p = spawn('curl', ['-sS', '--max-time', '20', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const certArgs = (user) => ['--cert', path.join(CERTS, `${user}.pem`), '--key', path.join(CERTS, `${user}.key`), '--pass', pass[path.basename(user)]];
const ids = (bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
const link = (bundle, rel) => bundle.link?.find((l) => l.relation === rel)?.url;
const newPatient = (family, extra = {}) => ({ resourceType: 'Patient', name: [{ family, given: ['Test'] }], ...extra });

// A free slot of the clinician's, for booking tests.
async function freeSlot(offset = 0) {
  const r = await fhir('GET', `/Slot?schedule=Schedule/sched-clinician&status=free&_count=1&_offset=${offset}&start=gt${new Date().toISOString()}`);
  assert.equal(r.status, 200);
  assert.ok(r.json.entry?.length, 'a free future slot');
  return r.json.entry[0].resource;
}

function booking(slot, patientRef, ifMatch) {
  const apptUrl = 'urn:uuid:0b3c5a4e-0d5b-4f1e-9a9e-2f7a4e6b1c01';
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: apptUrl,
        resource: {
          resourceType: 'Appointment',
          status: 'booked',
          start: slot.start,
          end: slot.end,
          slot: [{ reference: `Slot/${slot.id}` }],
          description: `selftest booking of ${slot.id}`,
          participant: [
            { actor: { reference: patientRef }, status: 'accepted' },
            { actor: { reference: 'Practitioner/clinician' }, status: 'accepted' },
          ],
        },
        request: { method: 'POST', url: 'Appointment' },
      },
      {
        resource: { ...slot, status: 'busy' },
        request: { method: 'PUT', url: `Slot/${slot.id}`, ifMatch },
      },
    ],
  };
}

async function appointmentsFor(slot) {
  const r = await fhir('GET', `/Appointment?slot=Slot/${slot.id}`);
  assert.equal(r.status, 200);
  return r.json.entry ?? [];
}

// --- setup -------------------------------------------------------------------------------

before(async () => {
  const made = spawnSync('sh', [path.join(SANDBOX, 'make-certs'), CERTS], { encoding: 'utf8' });
  assert.equal(made.status, 0, `make-certs failed:\n${made.stderr}`);
  for (const line of fs.readFileSync(path.join(CERTS, 'PASSPHRASES'), 'utf8').trim().split('\n')) {
    const [name, value] = line.split(' ');
    pass[name] = value;
  }
  main = await startSandbox(['--log', path.join(TMP, 'requests.log')]);
  loadedCounts = (await control('GET', '/status')).json.resources;
});

after(async () => {
  for (const a of Object.values(agents)) {
    a.destroy();
  }
  if (main) {
    await stopSandbox(main);
  }
  if (smartBox) {
    await stopSandbox(smartBox);
  }
  if (OWN_TMP) {
    fs.rmSync(TMP, { recursive: true, force: true });
  }
});

// --- certificates ---------------------------------------------------------------------------

test('make-certs: modes, passphrases, really expired, SANs', () => {
  assert.equal(fs.statSync(CERTS).mode & 0o777, 0o700);
  const keys = ['ca.key', 'server.key', 'frontdesk.key', 'clinician.key', 'biller.key', ...['expired', 'wronghost', 'otherca', 'otherca-ca', 'user-otherca'].map((n) => `bad/${n}.key`)];
  for (const k of keys) {
    assert.equal(fs.statSync(path.join(CERTS, k)).mode & 0o777, 0o600, k);
  }
  assert.equal(fs.statSync(path.join(CERTS, 'PASSPHRASES')).mode & 0o777, 0o600);
  assert.match(pass.frontdesk, /^[0-9a-f]{16,}$/);
  assert.match(pass.clinician, /^[0-9a-f]{16,}$/);
  assert.match(pass.biller, /^[0-9a-f]{16,}$/);
  for (const u of ['frontdesk', 'clinician', 'biller']) {
    assert.match(fs.readFileSync(path.join(CERTS, `${u}.key`), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
  }
  const checkend = spawnSync('openssl', ['x509', '-checkend', '0', '-noout', '-in', path.join(CERTS, 'bad/expired.pem')]);
  assert.notEqual(checkend.status, 0, 'bad/expired.pem must be expired');
  const san = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', path.join(CERTS, 'server.pem')], { encoding: 'utf8' });
  assert.match(san.stdout, /DNS:localhost/);
  assert.match(san.stdout, /IP Address:127\.0\.0\.1/);
  assert.match(san.stdout, /IP Address:0:0:0:0:0:0:0:1/);
  const again = spawnSync('sh', [path.join(SANDBOX, 'make-certs'), CERTS], { encoding: 'utf8' });
  assert.notEqual(again.status, 0, 'make-certs refuses a non-empty directory');
});

// --- the main acceptance ---------------------------------------------------------------------

test('acceptance: ready line, and curl with frontdesk finds Chad Quigley', async () => {
  assert.match(main.stdout(), /^ready https:\/\/localhost:\d+\/fhir\n$/);
  const r = await curl(['--cacert', path.join(CERTS, 'ca.pem'), ...certArgs('frontdesk'), `${main.base}/Patient?name=Quigley`]);
  assert.equal(r.code, 0, r.stderr);
  const bundle = JSON.parse(r.stdout);
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.total, 1);
  const name = bundle.entry[0].resource.name[0];
  assert.equal(name.family, 'Quigley');
  assert.deepEqual(name.given, ['Chad']);
});

test('acceptance: curl without a client certificate fails the handshake', async () => {
  const before = (await control('GET', '/status')).json.tlsErrors.count;
  const r = await curl(['--cacert', path.join(CERTS, 'ca.pem'), '-o', '/dev/null', '-w', '%{http_code}', `${main.base}/Patient?name=Quigley`]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '000', 'no HTTP response at all');
  const tls12 = await curl(['--tls-max', '1.2', '--cacert', path.join(CERTS, 'ca.pem'), `${main.base}/Patient`]);
  assert.equal(tls12.code, 35, `TLS 1.2: curl reports a handshake failure: ${tls12.stderr}`);
  const status = (await control('GET', '/status')).json;
  assert.ok(status.tlsErrors.count >= before + 2, 'the server saw the failed handshakes');
  assert.ok(status.tlsErrors.recent.some((e) => /CERTIFICATE/i.test(e.error)));
});

test('acceptance: curl with bad/user-otherca fails the handshake', async () => {
  const before = (await control('GET', '/status')).json.tlsErrors.count;
  const args = ['--cacert', path.join(CERTS, 'ca.pem'), ...certArgs('bad/user-otherca')];
  const r = await curl([...args, '-o', '/dev/null', '-w', '%{http_code}', `${main.base}/Patient?name=Quigley`]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '000', 'no HTTP response at all');
  const tls12 = await curl(['--tls-max', '1.2', ...args, `${main.base}/Patient`]);
  assert.equal(tls12.code, 35, `TLS 1.2: curl reports a handshake failure: ${tls12.stderr}`);
  assert.ok((await control('GET', '/status')).json.tlsErrors.count >= before + 2);
});

test('a Node client without a certificate is refused too', async () => {
  const noCert = new https.Agent({ ca: fs.readFileSync(path.join(CERTS, 'ca.pem')) });
  await assert.rejects(fhir('GET', '/Patient', { agent: noCert }));
  noCert.destroy();
});

// --- conformance gaps ------------------------------------------------------------------------

test('metadata: an honest CapabilityStatement', async () => {
  const r = await fhir('GET', '/metadata');
  assert.equal(r.status, 200);
  const cs = r.json;
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  assert.equal(cs.kind, 'instance');
  assert.match(cs.software.name, /sandbox/);
  assert.match(cs.software.version, /fhir-router 4\.5\.2/);
  assert.equal(cs.implementation.url, main.base);
  assert.deepEqual(cs.format, ['json']);
  const rest = cs.rest[0];
  assert.equal(rest.mode, 'server');
  assert.deepEqual(rest.interaction.map((i) => i.code).sort(), ['batch', 'transaction']);
  const byType = Object.fromEntries(rest.resource.map((x) => [x.type, x]));
  for (const t of ['Patient', 'Appointment', 'Slot', 'Schedule', 'Coverage', 'ChargeItemDefinition', 'Practitioner']) {
    assert.ok(byType[t], `${t} listed`);
    assert.deepEqual(byType[t].interaction.map((i) => i.code).sort(), ['create', 'delete', 'history-instance', 'patch', 'read', 'search-type', 'update', 'vread']);
  }
  assert.ok(!byType.metadata);
  const patientParams = Object.fromEntries(byType.Patient.searchParam.map((p) => [p.name, p.type]));
  assert.equal(patientParams.name, 'string');
  assert.equal(patientParams.identifier, 'token');
  assert.equal(patientParams.birthdate, 'date');
  const slotParams = byType.Slot.searchParam.map((p) => p.name);
  for (const p of ['schedule', 'start', 'status']) {
    assert.ok(slotParams.includes(p), `Slot?${p}`);
  }
  // Honest: no parameter of a type the sandbox cannot evaluate is advertised.
  for (const res of rest.resource) {
    for (const p of res.searchParam) {
      assert.ok(['string', 'token', 'reference', 'date', 'uri'].includes(p.type), `${res.type}.${p.name}: ${p.type}`);
    }
  }
  assert.equal(byType.Patient.conditionalCreate, true);
  assert.equal(byType.Patient.versioning, 'versioned-update');
  // and the router's old behaviour (a search for type "metadata") is gone
  const unknown = await fhir('GET', '/NoSuchType');
  assert.equal(unknown.status, 404);
});

test('transaction is all-or-nothing: a stale If-Match on the Slot creates no Appointment', async () => {
  const slot = await freeSlot(0);
  const patient = 'Patient/f120016e-295c-48b8-a7be-34dc0127d7e6';
  const before = (await fhir('GET', '/Appointment?_summary=count')).json.total;
  const stale = `W/"${Number(slot.meta.versionId) + 5}"`;
  const r = await fhir('POST', '', { body: booking(slot, patient, stale) });
  assert.equal(r.status, 412, JSON.stringify(r.json));
  assert.equal(r.json.resourceType, 'OperationOutcome');
  assert.match(JSON.stringify(r.json), /Slot/);
  assert.equal((await fhir('GET', '/Appointment?_summary=count')).json.total, before, 'no Appointment was created');
  assert.equal((await appointmentsFor(slot)).length, 0);
  const after = await fhir('GET', `/Slot/${slot.id}`);
  assert.equal(after.json.status, 'free');
  assert.equal(after.json.meta.versionId, slot.meta.versionId, 'the slot is untouched');

  // ... and with the right version it books: 200, both entries applied
  const ok = await fhir('POST', '', { body: booking(slot, patient, `W/"${slot.meta.versionId}"`) });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(ok.json.type, 'transaction-response');
  assert.deepEqual(ok.json.entry.map((e) => e.response.status).sort(), ['200', '201']);
  for (const e of ok.json.entry) {
    assert.match(e.response.etag, /^W\/"\d+"$/);
    assert.match(e.response.location, /^(Appointment|Slot)\/[^/]+\/_history\/\d+$/);
  }
  assert.equal((await appointmentsFor(slot)).length, 1);
  assert.equal((await fhir('GET', `/Slot/${slot.id}`)).json.status, 'busy');
  bookedSlot = slot;
});

test('two clients racing for one slot: exactly one 200 and one 412, one Appointment', async () => {
  const slot = await freeSlot(3);
  const etag = `W/"${slot.meta.versionId}"`;
  const [a, b] = await Promise.all([
    fhir('POST', '', { body: booking(slot, 'Patient/e6d67197-97a1-499b-83f8-eea9ef95cf0c', etag), user: 'frontdesk' }),
    fhir('POST', '', { body: booking(slot, 'Patient/64f4649d-8d2e-40ae-811d-7316accdf5ee', etag), user: 'clinician' }),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [200, 412]);
  assert.equal((await appointmentsFor(slot)).length, 1);
});

test('paging: absolute self/next/previous links; walking next visits every result once', async () => {
  const first = await fhir('GET', '/Slot?schedule=Schedule/sched-clinician&_count=50');
  assert.equal(first.status, 200);
  const total = first.json.total;
  assert.ok(total > 100, `total ${total}`);
  assert.equal(first.json.entry.length, 50);
  assert.ok(!link(first.json, 'previous'), 'no previous on page 1');
  for (const l of first.json.link) {
    assert.ok(l.url.startsWith(main.base + '/'), `${l.relation} is under the base: ${l.url}`);
  }
  assert.match(link(first.json, 'self'), /schedule=Schedule\/sched-clinician/);
  const seen = new Set();
  let page = first.json;
  let pages = 0;
  for (;;) {
    pages++;
    for (const id of ids(page)) {
      assert.ok(!seen.has(id), `${id} seen twice`);
      seen.add(id);
    }
    const next = link(page, 'next');
    if (!next) {
      break;
    }
    const r = await fhir('GET', '', { url: next });
    assert.equal(r.status, 200);
    assert.ok(link(r.json, 'previous'), 'later pages have previous');
    page = r.json;
  }
  assert.equal(seen.size, total);
  assert.equal(pages, Math.ceil(total / 50));
  // without _count: a default page of 20, still with next
  const dflt = await fhir('GET', '/Slot');
  assert.equal(dflt.json.entry.length, 20);
  assert.ok(link(dflt.json, 'next'));
});

test('_elements returns only the named elements, tagged SUBSETTED', async () => {
  const r = await fhir('GET', '/Patient?_elements=name,birthDate&_count=5');
  assert.equal(r.status, 200);
  assert.ok(r.json.entry.length > 0);
  for (const { resource } of r.json.entry) {
    assert.deepEqual(Object.keys(resource).sort(), ['birthDate', 'id', 'meta', 'name', 'resourceType']);
    assert.ok(resource.meta.tag.some((t) => t.code === 'SUBSETTED'));
  }
  const read = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6?_elements=gender');
  assert.deepEqual(Object.keys(read.json).sort(), ['gender', 'id', 'meta', 'resourceType']);
});

test('_elements takes element paths below the root: the CapabilityStatement with types and interactions only', async () => {
  const whole = await fhir('GET', '/metadata');
  const r = await fhir('GET', '/metadata?_elements=fhirVersion,software,rest.mode,rest.interaction,rest.resource.type,rest.resource.interaction');
  assert.equal(r.status, 200);
  assert.ok(r.json.meta.tag.some((t) => t.code === 'SUBSETTED'));
  assert.equal(r.json.fhirVersion, '4.0.1');
  assert.equal(r.json.publisher, undefined);
  assert.deepEqual(Object.keys(r.json.rest[0]).sort(), ['interaction', 'mode', 'resource']);
  const patient = r.json.rest[0].resource.find((x) => x.type === 'Patient');
  assert.deepEqual(Object.keys(patient).sort(), ['interaction', 'type']);
  assert.deepEqual(patient.interaction, whole.json.rest[0].resource.find((x) => x.type === 'Patient').interaction);
  assert.equal(r.json.rest[0].resource.length, whole.json.rest[0].resource.length);
  assert.ok(JSON.stringify(r.json).length * 4 < JSON.stringify(whole.json).length, 'much smaller');
});

test('_summary=count returns only the total; _summary=true drops non-summary elements', async () => {
  const r = await fhir('GET', '/Observation?_summary=count');
  assert.equal(r.status, 200);
  assert.ok(r.json.total > 700);
  assert.equal(r.json.entry, undefined);
  const s = await fhir('GET', '/Patient?_summary=true&_count=3');
  for (const { resource } of s.json.entry) {
    assert.equal(resource.text, undefined, 'text is not a summary element');
    assert.equal(resource.extension, undefined);
    assert.ok(resource.name);
  }
});

test('search semantics: starts-with strings, bare-id references, _include, unknown and unsupported parameters', async () => {
  assert.equal((await fhir('GET', '/Patient?family=Quig')).json.total, 1, 'starts-with');
  assert.equal((await fhir('GET', '/Patient?family=uigley')).json.total, 0, 'not contains');
  assert.equal((await fhir('GET', '/Patient?family:contains=uigley')).json.total, 1);
  assert.equal((await fhir('GET', '/Patient?family:exact=quigley')).json.total, 0, ':exact is case-sensitive');
  const byRef = await fhir('GET', '/Schedule?actor=Practitioner/clinician');
  const bareRef = await fhir('GET', '/Schedule?actor=clinician');
  assert.deepEqual(ids(bareRef.json), ids(byRef.json));
  assert.ok(ids(byRef.json).includes('Schedule/sched-clinician'));
  const inc = await fhir('GET', '/Appointment?practitioner=clinician&_include=Appointment:patient&_count=50');
  assert.ok(inc.json.entry.some((e) => e.search.mode === 'include' && e.resource.resourceType === 'Patient'));
  const unknown = await fhir('GET', '/Patient?family=Quigley&nonsense=1');
  assert.equal(unknown.json.total, 1, 'unknown parameters are ignored');
  assert.ok(!link(unknown.json, 'self').includes('nonsense'), 'and left out of the self link');
  const strict = await fhir('GET', '/Patient?nonsense=1', { headers: { Prefer: 'handling=strict' } });
  assert.equal(strict.status, 400);
  const chained = await fhir('GET', '/Appointment?patient.name=Quigley');
  assert.equal(chained.status, 400);
  assert.match(JSON.stringify(chained.json), /not supported/);
});

test('gzip: compressed when the client sends Accept-Encoding: gzip', async () => {
  const plain = await fhir('GET', '/Observation?_count=100');
  const gz = await fhir('GET', '/Observation?_count=100', { gzip: true });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers.vary, /Accept-Encoding/);
  assert.equal(Number(gz.headers['content-length']), gz.raw.length);
  assert.ok(gz.raw.length < plain.raw.length / 3, `${gz.raw.length} vs ${plain.raw.length}`);
  assert.deepEqual(ids(gz.json), ids(plain.json));
});

test('read: ETag and Last-Modified; If-None-Match and If-Modified-Since give 304', async () => {
  const r = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6');
  assert.equal(r.status, 200);
  assert.equal(r.headers.etag, `W/"${r.json.meta.versionId}"`);
  assert.equal(r.headers['last-modified'], new Date(r.json.meta.lastUpdated).toUTCString());
  const again = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6', { headers: { 'If-None-Match': r.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.raw.length, 0);
  assert.equal(again.headers.etag, r.headers.etag);
  const since = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6', { headers: { 'If-Modified-Since': r.headers['last-modified'] } });
  assert.equal(since.status, 304);
  const other = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6', { headers: { 'If-None-Match': 'W/"999"' } });
  assert.equal(other.status, 200);
});

test('create: 201 with a versioned Location; the user is the author; ids are the server\'s', async () => {
  const r = await fhir('POST', '/Patient', { body: newPatient('Created', { id: 'f120016e-295c-48b8-a7be-34dc0127d7e6' }), user: 'clinician' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.notEqual(r.json.id, 'f120016e-295c-48b8-a7be-34dc0127d7e6', 'a client id does not overwrite Chad Quigley');
  assert.equal(r.headers.location, `${main.base}/Patient/${r.json.id}/_history/1`);
  assert.equal(r.headers.etag, 'W/"1"');
  assert.equal(r.json.meta.author.reference, 'Practitioner/clinician');
  assert.equal((await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6')).json.name[0].family, 'Quigley');
  const invalid = await fhir('POST', '/Appointment', { body: { resourceType: 'Appointment', participant: [] } });
  assert.equal(invalid.status, 400, 'resources are validated');
});

test('If-None-Exist returns the existing resource instead of creating a duplicate', async () => {
  const body = newPatient('Once', { identifier: [{ system: 'urn:selftest', value: 'once-1' }] });
  const first = await fhir('POST', '/Patient', { body, headers: { 'If-None-Exist': 'identifier=urn:selftest|once-1' } });
  assert.equal(first.status, 201);
  const second = await fhir('POST', '/Patient', { body, headers: { 'If-None-Exist': 'identifier=urn:selftest|once-1' } });
  assert.equal(second.status, 200);
  assert.equal(second.json.id, first.json.id);
  assert.equal((await fhir('GET', '/Patient?identifier=urn:selftest|once-1')).json.total, 1);
  const typo = await fhir('POST', '/Patient', { body, headers: { 'If-None-Exist': 'identifer=urn:selftest|once-1' } });
  assert.equal(typo.status, 400, 'a misspelt condition is an error, not a second Patient');
});

test('update: If-Match gives 412 on mismatch, 200 on match; PATCH and DELETE honour it; deleted reads are 410', async () => {
  const created = (await fhir('POST', '/Patient', { body: newPatient('Versioned') })).json;
  const url = `/Patient/${created.id}`;
  const stale = await fhir('PUT', url, { body: { ...created, gender: 'female' }, headers: { 'If-Match': 'W/"7"' } });
  assert.equal(stale.status, 412);
  const ok = await fhir('PUT', url, { body: { ...created, gender: 'female' }, headers: { 'If-Match': 'W/"1"' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.meta.versionId, '2');
  assert.equal(ok.headers.etag, 'W/"2"');
  const patch = [{ op: 'replace', path: '/gender', value: 'male' }];
  const badPatch = await fhir('PATCH', url, { body: patch, headers: { 'If-Match': 'W/"1"', 'Content-Type': 'application/json-patch+json' } });
  assert.equal(badPatch.status, 412);
  const goodPatch = await fhir('PATCH', url, { body: patch, headers: { 'If-Match': 'W/"2"', 'Content-Type': 'application/json-patch+json' } });
  assert.equal(goodPatch.status, 200);
  const cond = await fhir('PUT', `/Patient?_id=${created.id}`, { body: { resourceType: 'Patient', name: [{ family: 'Cond' }] }, headers: { 'If-Match': 'W/"1"' } });
  assert.equal(cond.status, 412, 'conditional update honours If-Match');
  const badDelete = await fhir('DELETE', url, { headers: { 'If-Match': 'W/"1"' } });
  assert.equal(badDelete.status, 412);
  const del = await fhir('DELETE', url, { headers: { 'If-Match': 'W/"3"' } });
  assert.equal(del.status, 200);
  assert.equal((await fhir('GET', url)).status, 410);
  const hist = await fhir('GET', `/Patient/${created.id}/_history`);
  assert.equal(hist.status, 410);
  const fresh = await fhir('PUT', '/Patient/selftest-upsert', { body: { resourceType: 'Patient', id: 'selftest-upsert' } });
  assert.equal(fresh.status, 201, 'update of a new id creates it');
});

test('users: each certificate CN maps to a Practitioner with a cert-cn identifier', async () => {
  for (const cn of ['frontdesk', 'clinician', 'biller']) {
    const r = await fhir('GET', `/Practitioner?identifier=urn:ehrterm:cert-cn|${cn}`, { user: cn });
    assert.equal(r.json.total, 1);
    assert.equal(r.json.entry[0].resource.id, cn);
  }
  // The biller works in the billing office: a role that says so, and no schedule.
  const role = await fhir('GET', '/PractitionerRole?practitioner=Practitioner/biller', { user: 'biller' });
  assert.equal(role.json.entry?.[0]?.resource.code[0].coding[0].code, 'billing');
  const sched = await fhir('GET', '/Schedule?actor=Practitioner/biller', { user: 'biller' });
  assert.equal(sched.json.entry?.length ?? 0, 0);
});

// --- data ------------------------------------------------------------------------------------------

test('data: sample patients with MRNs, a clinic with schedules, slots, today\'s appointments, coverage and fees', async () => {
  const patients = (await fhir('GET', '/Patient?_count=100&identifier=http://hospital.smarthealthit.org|')).json;
  assert.equal(patients.total, 9, 'the 9 Synthea patients');
  for (const { resource } of patients.entry) {
    assert.ok(resource.identifier.some((i) => i.type?.coding?.[0]?.code === 'MR' && i.value), `${resource.id} has an MRN`);
  }
  const practitioners = await fhir('GET', '/Schedule?identifier=urn:ehrterm:sandbox:schedule|&_count=50');
  assert.ok(practitioners.json.total >= 4, 'at least 4 practitioners with schedules');
  assert.ok((await fhir('GET', '/Location?_summary=count')).json.total >= 1);

  const today = new Date();
  const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const slots = (await fhir('GET', `/Slot?schedule=Schedule/sched-clinician&_count=1000&_sort=start`)).json;
  const days = new Set(slots.entry.map((e) => e.resource.start.slice(0, 10)));
  assert.equal(days.size, 14, 'slots on 14 days');
  assert.ok(days.has(ymd(today)), 'including today');
  for (const { resource } of slots.entry.slice(0, 5)) {
    assert.equal(Date.parse(resource.end) - Date.parse(resource.start), 15 * 60000, '15-minute slots');
  }
  assert.ok(slots.entry.some((e) => e.resource.status === 'free') && slots.entry.some((e) => e.resource.status === 'busy'));

  const appts = (await fhir('GET', `/Appointment?date=${ymd(today)}&status=booked&_count=100`)).json;
  assert.ok(appts.total >= 4, `booked appointments today: ${appts.total}`);
  for (const { resource } of appts.entry.filter((e) => !e.resource.description?.startsWith('selftest'))) {
    const patient = resource.participant.find((p) => p.actor.reference.startsWith('Patient/'));
    assert.equal((await fhir('GET', `/${patient.actor.reference}`)).status, 200, 'linked to a sample patient');
    const slot = await fhir('GET', `/${resource.slot[0].reference}`);
    assert.equal(slot.json.status, 'busy', 'its slot is busy');
  }

  const coverage = (await fhir('GET', '/Coverage?payor=Organization/payer-acme,Organization/payer-evergreen,Organization/payer-harbor,Organization/payer-silver&_count=100')).json;
  const insured = new Set(coverage.entry.map((e) => e.resource.beneficiary.reference));
  assert.ok(insured.size >= 5, `most patients have coverage (${insured.size})`);
  const c = coverage.entry[0].resource;
  for (const k of ['subscriberId', 'relationship', 'period', 'order', 'class', 'payor']) {
    assert.ok(c[k] !== undefined, `Coverage.${k}`);
  }
  // R4 has no code search parameter for ChargeItemDefinition: the url names the CPT code
  const fee = (await fhir('GET', '/ChargeItemDefinition?url=urn:ehrterm:sandbox:fee-schedule:99213')).json;
  assert.equal(fee.total, 1);
  assert.equal(fee.entry[0].resource.code.coding[0].code, '99213');
  assert.equal(fee.entry[0].resource.propertyGroup[0].priceComponent[0].amount.currency, 'USD');
  // HL7 examples are loaded with their references resolved or dropped
  const claim = (await fhir('GET', '/Claim/100150')).json;
  assert.equal((await fhir('GET', `/${claim.patient.reference}`)).status, 200);
});

// --- faults ---------------------------------------------------------------------------------------

test('fault delay: the next request waits, then it is cleared', async () => {
  await fault({ mode: 'delay', ms: 600, count: 1 });
  let t = Date.now();
  assert.equal((await fhir('GET', '/metadata?_elements=fhirVersion')).status, 200);
  assert.ok(Date.now() - t >= 550, 'delayed');
  t = Date.now();
  await fhir('GET', '/metadata?_elements=fhirVersion');
  assert.ok(Date.now() - t < 500, 'cleared after count');
  assert.deepEqual((await control('GET', '/fault')).json.faults, []);
});

test('fault rate: the response arrives at the byte rate', async () => {
  await fault({ mode: 'rate', bytesPerSecond: 40000, count: 1 });
  const t = Date.now();
  const r = await fhir('GET', '/Observation?_count=60');
  const ms = Date.now() - t;
  assert.equal(r.status, 200);
  const expected = (r.raw.length / 40000) * 1000;
  assert.ok(expected > 500, `body large enough (${r.raw.length})`);
  assert.ok(ms >= expected * 0.8, `${ms} ms for ${r.raw.length} bytes`);
  const t2 = Date.now();
  await fhir('GET', '/Observation?_count=60');
  assert.ok(Date.now() - t2 < expected / 2, 'cleared');
});

test('fault drop: only the matching PUT loses its connection mid-body (after it ran)', async () => {
  const p = (await fhir('POST', '/Patient', { body: newPatient('Dropped') })).json;
  await fault({ mode: 'drop', count: 1, match: 'PUT /fhir/Patient' });
  assert.equal((await fhir('GET', `/Patient/${p.id}`)).status, 200, 'a GET is not dropped');
  await assert.rejects(fhir('PUT', `/Patient/${p.id}`, { body: { ...p, gender: 'male' } }), (err) => /ECONNRESET|aborted|socket hang up/i.test(`${err.code} ${err.message}`));
  const now = (await fhir('GET', `/Patient/${p.id}`)).json;
  assert.equal(now.meta.versionId, '2', 'the dropped PUT was applied before the link dropped');
  assert.equal((await fhir('PUT', `/Patient/${p.id}`, { body: { ...now, gender: 'female' } })).status, 200, 'cleared');
});

test('faults 400, 500, 503 and 429: status, Retry-After, and the request is not run', async () => {
  for (const [mode, retry] of [['400'], ['500'], ['503', 3], ['429', 2]]) {
    const before = (await fhir('GET', '/Patient?family=Unrun&_summary=count')).json.total;
    await fault({ mode, count: 1, ...(retry ? { retryAfter: retry } : {}), match: 'POST /fhir/Patient' });
    const r = await fhir('POST', '/Patient', { body: newPatient('Unrun') });
    assert.equal(r.status, Number(mode));
    assert.equal(r.json.resourceType, 'OperationOutcome');
    if (retry) {
      assert.equal(r.headers['retry-after'], String(retry));
    }
    assert.equal((await fhir('GET', '/Patient?family=Unrun&_summary=count')).json.total, before, `${mode}: nothing created`);
  }
  const after = await fhir('POST', '/Patient', { body: newPatient('Unrun') });
  assert.equal(after.status, 201, 'cleared');
});

test('fault truncate: a complete HTTP response with cut-off JSON', async () => {
  await fault({ mode: 'truncate', count: 1 });
  const r = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6', { gzip: true });
  assert.equal(r.status, 200);
  assert.equal(Number(r.headers['content-length']), r.raw.length, 'framing is intact');
  assert.throws(() => JSON.parse(r.body.toString('utf8')));
  assert.ok(r.body.toString('utf8').startsWith('{"resourceType":"Patient"'));
  assert.ok((await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6')).json, 'cleared');
});

test('fault oversize: announces and streams a huge body', async () => {
  await fault({ mode: 'oversize', count: 1 });
  const r = await fhir('GET', '/Patient', { maxBytes: 2 * 1024 * 1024 });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-length'], String(2 * 1024 ** 3));
  assert.ok(r.raw.length >= 2 * 1024 * 1024);
  assert.ok(r.raw.toString('utf8', 0, 60).startsWith('{"resourceType":"Bundle"'));
  await fault({ mode: 'oversize', count: 1, bytes: 5000000, chunked: true });
  const c = await fhir('GET', '/Patient', { maxBytes: 1024 * 1024 });
  assert.equal(c.headers['content-length'], undefined);
  assert.equal(c.headers['transfer-encoding'], 'chunked');
  assert.equal((await fhir('GET', '/Patient?_count=1')).json.entry.length, 1, 'cleared');
});

test('fault hostile: escape sequences, invalid UTF-8, a 1 MB name, 10,000 combining characters', async () => {
  const chad = '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6';
  await fault({ mode: 'hostile', count: 1, variant: 'escapes' });
  const esc = await fhir('GET', chad);
  const family = esc.json.name[0].family;
  assert.ok(family.startsWith('Quigley'));
  for (const seq of ['\x1b]0;', '\x1b]2;', '\x1b]52;c;', '\x1b]8;;', '\x1b[21t', '\x1bP', '\u009b', '\u202e']) {
    assert.ok(family.includes(seq), `contains ${JSON.stringify(seq)}`);
  }
  assert.ok(esc.json.id === 'f120016e-295c-48b8-a7be-34dc0127d7e6', 'ids stay intact');

  await fault({ mode: 'hostile', count: 1, variant: 'invalid-utf8' });
  const bad = await fhir('GET', chad);
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bad.body));
  assert.ok(bad.body.includes(Buffer.from([0xff])) && bad.body.includes(Buffer.from([0x9b])));

  await fault({ mode: 'hostile', count: 1, variant: 'huge' });
  const huge = await fhir('GET', chad, { gzip: true });
  assert.ok(huge.json.name[0].family.length >= 1024 * 1024);

  await fault({ mode: 'hostile', count: 1, variant: 'combining' });
  const comb = await fhir('GET', chad);
  assert.equal((comb.json.name[0].given[0].match(/\u0301/g) ?? []).length, 10000);

  assert.equal((await fhir('GET', chad)).json.name[0].family, 'Quigley', 'cleared');
});

test('fault wrong-types: every element has the wrong JSON type', async () => {
  await fault({ mode: 'wrong-types', count: 2 });
  const r = await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6');
  assert.equal(r.json.resourceType, 'Patient');
  assert.equal(typeof r.json.id, 'number');
  assert.ok(!Array.isArray(r.json.name));
  assert.ok(Array.isArray(r.json.gender));
  const b = await fhir('GET', '/Patient?_count=2');
  assert.equal(typeof b.json.total, 'string');
  assert.ok(b.json.entry.includes(null));
  assert.equal(typeof (await fhir('GET', '/Patient/f120016e-295c-48b8-a7be-34dc0127d7e6')).json.id, 'string', 'cleared');
});

test('fault deep-nesting: a resource nested 100,000 deep', async () => {
  await fault({ mode: 'deep-nesting', count: 1 });
  const r = await fhir('GET', '/Patient');
  const text = r.body.toString('utf8');
  let depth = 0;
  let max = 0;
  for (const ch of text) {
    if (ch === '[' || ch === '{') {
      max = Math.max(max, ++depth);
    } else if (ch === ']' || ch === '}') {
      depth--;
    }
  }
  assert.ok(max >= 100000, `depth ${max}`);
  assert.equal(depth, 0, 'balanced');
});

test('fault gzip-bomb: a small gzip body that expands enormously', async () => {
  await fault({ mode: 'gzip-bomb', count: 1, expandedBytes: 256 * 1024 * 1024 });
  const r = await fhir('GET', '/Patient', { noInflate: true });
  assert.equal(r.headers['content-encoding'], 'gzip', 'even though the client did not ask for gzip');
  assert.ok(r.raw.length < 1024 * 1024, `${r.raw.length} bytes on the wire`);
  assert.throws(() => zlib.gunzipSync(r.raw, { maxOutputLength: 64 * 1024 * 1024 }), /maxOutputLength|too large|ERR_BUFFER_TOO_LARGE/i);
});

test('faults: match by path prefix, count, clearing by id and all, bad specs refused', async () => {
  const f = await fault({ mode: '500', match: '/fhir/Coverage' });
  assert.equal(f.remaining, null, 'no count: until cleared');
  assert.equal((await fhir('GET', '/Coverage?_count=1')).status, 500);
  assert.equal((await fhir('GET', '/Coverage?_count=1')).status, 500);
  assert.equal((await fhir('GET', '/Patient?_count=1')).status, 200, 'other paths are not affected');
  assert.equal((await control('DELETE', `/fault/${f.id}`)).status, 200);
  assert.equal((await fhir('GET', '/Coverage?_count=1')).status, 200);
  await fault({ mode: '503' });
  await fault({ mode: 'delay', ms: 10 });
  assert.equal((await control('GET', '/fault')).json.faults.length, 2);
  assert.equal((await control('DELETE', '/fault')).json.cleared, 2);
  assert.equal((await fhir('GET', '/Patient?_count=1')).status, 200);
  assert.equal((await control('POST', '/fault', { mode: 'explode' })).status, 400);
  assert.equal((await control('POST', '/fault', { mode: 'delay', ms: -1 })).status, 400);
  const help = await control('GET', '/');
  assert.match(help.json.note, /TEST ONLY/);
  assert.equal(help.headers['x-ehrterm-sandbox'], 'test-only control port');
});

// --- reset and log ---------------------------------------------------------------------------------

test('POST /reset restores the loaded data', async () => {
  const p = (await fhir('POST', '/Patient', { body: newPatient('Ephemeral') })).json;
  const slot = await freeSlot(7);
  await fhir('PUT', `/Slot/${slot.id}`, { body: { ...slot, status: 'busy-unavailable' } });
  const r = await control('POST', '/reset');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.resources, loadedCounts);
  assert.equal((await fhir('GET', `/Patient/${p.id}`)).status, 404);
  const s = (await fhir('GET', `/Slot/${slot.id}`)).json;
  assert.equal(s.status, 'free');
  assert.equal(s.meta.versionId, '1');
  assert.equal((await fhir('GET', `/Slot/${bookedSlot.id}`)).json.status, 'free', 'the test booking is gone');
  assert.equal((await appointmentsFor(bookedSlot)).length, 0);
});

test('request log: one tab-separated line per request with bytes and user', async () => {
  await control('POST', '/log/clear');
  const a = await fhir('GET', '/Patient?name=Quigley', { gzip: true });
  const b = await fhir('GET', '/Patient?name=Quigley');
  await fhir('GET', '/Patient/nope', { user: 'clinician' });
  const text = (await control('GET', '/log')).text;
  const lines = text.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => l[10]), ['-', '-', '-'], 'no Bundle posted');
  assert.deepEqual(lines.map((l) => l.slice(0, 3)), [
    ['GET', '/fhir/Patient?name=Quigley', '200'],
    ['GET', '/fhir/Patient?name=Quigley', '200'],
    ['GET', '/fhir/Patient/nope', '404'],
  ]);
  assert.deepEqual(lines.map((l) => l[5]), ['frontdesk', 'frontdesk', 'clinician']);
  for (const l of lines) {
    assert.ok(Number(l[3]) > 50, 'request bytes');
  }
  const [gzBytes, plainBytes] = [Number(lines[0][4]), Number(lines[1][4])];
  assert.ok(gzBytes >= a.raw.length && gzBytes < a.raw.length + 600, `gzip response bytes ${gzBytes} ~ ${a.raw.length} + headers`);
  assert.ok(plainBytes >= b.raw.length && plainBytes < b.raw.length + 600);
  assert.ok(gzBytes < plainBytes, 'bytes on the wire, after gzip');
  const json = (await control('GET', '/log?format=json')).json;
  assert.equal(json.entries.length, 3);
  assert.equal((await control('POST', '/log/clear')).json.cleared, 3);
  // A transaction and a batch are both POST /fhir: the last field tells them apart.
  await fhir('POST', '', { body: { resourceType: 'Bundle', type: 'batch', entry: [] } });
  await fhir('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [] } });
  const posted = (await control('GET', '/log')).text.trim().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(posted.map((l) => [l[0], l[1], l[10]]), [
    ['POST', '/fhir', 'batch'],
    ['POST', '/fhir', 'transaction'],
  ]);
  assert.equal((await control('POST', '/log/clear')).json.cleared, 2);
  // The file is written through a stream: on a loaded machine its last line lands a moment later.
  let file = '';
  for (let i = 0; i < 50 && !file.includes('/fhir/Patient/nope\t404'); i++) {
    file = fs.readFileSync(path.join(TMP, 'requests.log'), 'utf8');
    if (!file.includes('/fhir/Patient/nope\t404')) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(file.includes('/fhir/Patient/nope\t404'), '--log FILE has the lines too');
});

// --- --auth smart and --like openemr ------------------------------------------------------------

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** POST a form to the sandbox s's origin + p (the authorization server); { status, headers, json }. */
function oauth(s, p, form, user = 'frontdesk') {
  return fhir('POST', '', {
    url: `${new URL(s.base).origin}${p}`,
    body: new URLSearchParams(form).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    user,
  });
}

/** A GET on s with a bearer token (or none), through user's certificate. */
const bearerGet = (s, p, token, user = 'frontdesk') =>
  fhir('GET', '', { url: `${s.base}${p}`, user, headers: token ? { Authorization: `Bearer ${token}` } : {} });

const jwtPayload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const poll = (s, deviceCode, user) => oauth(s, '/oauth/token', { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'ehrterm' }, user);

/** The device flow through s's control port: { device, tokens, approval }. */
async function login(s, { scope, practitioner = 'clinician', grant, user = 'frontdesk' }) {
  const device = await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope }, user);
  assert.equal(device.status, 200, JSON.stringify(device.json));
  const approval = await control('POST', `/device/approve?${new URLSearchParams({ user_code: device.json.user_code, practitioner, ...(grant ? { scopes: grant } : {}) })}`, undefined, s.control);
  assert.equal(approval.status, 200, approval.text);
  const tokens = await poll(s, device.json.device_code, user);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
  return { device: device.json, tokens: tokens.json, approval: approval.json };
}

let smartBox; // a sandbox with --auth smart --interval 1

test('--auth smart: discovery (SMART configuration, RFC 8414 metadata, the CapabilityStatement); 401 without a token', async () => {
  smartBox = await startSandbox(['--auth', 'smart', '--interval', '1']);
  const origin = new URL(smartBox.base).origin;
  const status = (await control('GET', '/status', undefined, smartBox.control)).json;
  assert.deepEqual({ ...status.auth, issuer: undefined }, { mode: 'smart', issuer: undefined, clientId: 'ehrterm', codeTtl: 600, tokenTtl: 3600, refreshTtl: 86400, interval: 1 });
  assert.equal(status.auth.issuer, `${origin}/oauth`);
  const conf = await bearerGet(smartBox, '/.well-known/smart-configuration');
  assert.equal(conf.status, 200, 'open without a token');
  const c = conf.json;
  assert.equal(c.issuer, `${origin}/oauth`);
  assert.equal(c.token_endpoint, `${origin}/oauth/token`);
  assert.equal(c.device_authorization_endpoint, `${origin}/oauth/device/auth`);
  assert.equal(c.revocation_endpoint, `${origin}/oauth/token/revocation`);
  assert.ok(c.capabilities.includes('permission-v2'));
  assert.deepEqual(c.grant_types_supported.sort(), [DEVICE_GRANT, 'refresh_token'].sort());
  for (const scope of ['openid', 'fhirUser', 'offline_access', 'user/Patient.cruds', 'user/Slot.cruds']) {
    assert.ok(c.scopes_supported.includes(scope), scope);
  }
  assert.equal(c.tls_client_certificate_bound_access_tokens, true);
  const meta = await fhir('GET', '', { url: `${origin}/.well-known/oauth-authorization-server/oauth`, headers: { Accept: 'application/json' } });
  assert.equal(meta.status, 200);
  assert.equal(meta.json.issuer, c.issuer, 'RFC 8414: the issuer the path names');
  assert.equal(meta.json.device_authorization_endpoint, c.device_authorization_endpoint);
  assert.equal(meta.json.revocation_endpoint, c.revocation_endpoint);
  assert.equal(meta.json.tls_client_certificate_bound_access_tokens, true);
  const cs = (await bearerGet(smartBox, '/metadata')).json;
  const security = cs.rest[0].security;
  assert.ok(security.service.some((s) => s.coding[0].code === 'SMART-on-FHIR'));
  const uris = Object.fromEntries(security.extension.find((e) => /oauth-uris$/.test(e.url)).extension.map((e) => [e.url, e.valueUri]));
  assert.equal(uris.token, c.token_endpoint);
  assert.equal(uris.revoke, c.revocation_endpoint);
  const none = await bearerGet(smartBox, '/Patient?name=Quigley');
  assert.equal(none.status, 401);
  assert.match(none.headers['www-authenticate'], /^Bearer realm="/);
  assert.equal(none.json.resourceType, 'OperationOutcome');
  const junk = await bearerGet(smartBox, '/Patient?name=Quigley', 'not-a-token');
  assert.equal(junk.status, 401);
  assert.match(junk.headers['www-authenticate'], /error="invalid_token"/);
});

test('--auth smart: slow_down forced on the control port for a poll on time; every poll reported; a scope narrowed at approval (read, not write)', async () => {
  const s = smartBox;
  const scope = 'openid fhirUser offline_access user/Patient.rs user/Appointment.cruds';
  const d = (await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope })).json;
  assert.equal((await poll(s, d.device_code)).json.error, 'authorization_pending');
  assert.equal((await control('POST', '/device/slow-down', undefined, s.control)).json.slow_down, 1);
  await new Promise((r) => setTimeout(r, 1100)); // on time (--interval 1), yet told slow_down
  assert.equal((await poll(s, d.device_code)).json.error, 'slow_down');
  const polls = (await control('GET', '/device/polls', undefined, s.control)).json.polls.find((p) => p.user_code === d.user_code);
  assert.equal(polls.interval, 6, 'the forced slow_down added 5 s');
  assert.equal(polls.polled.length, 2);
  assert.deepEqual(polls.slowed, [polls.polled[1]]);
  assert.ok(polls.polled[1] - polls.polled[0] >= 1000);
  assert.equal((await control('POST', '/device/slow-down?count=0', undefined, s.control)).status, 400);
  // The person at the phone lets the app read appointments, not book them.
  const narrowed = 'openid fhirUser offline_access user/Patient.rs user/Appointment.rs';
  const bad = await control('POST', `/device/approve?user_code=${d.user_code}&practitioner=clinician&scopes=${encodeURIComponent('user/Appointment.rsx')}`, undefined, s.control);
  assert.equal(bad.status, 400, 'not a narrowing of what was asked');
  const approval = await control('POST', `/device/approve?user_code=${d.user_code}&practitioner=clinician&scopes=${encodeURIComponent(narrowed)}`, undefined, s.control);
  assert.equal(approval.status, 200, approval.text);
  assert.equal(approval.json.granted, narrowed);
  const t = (await poll(s, d.device_code)).json; // approved: no interval to keep any more
  assert.equal(t.scope, narrowed);
  assert.equal((await bearerGet(s, '/Appointment?_count=1', t.access_token)).status, 200);
  const book = await fhir('POST', '', { url: `${s.base}/Appointment`, body: { resourceType: 'Appointment', status: 'proposed', participant: [{ status: 'needs-action' }] }, headers: { Authorization: `Bearer ${t.access_token}` } });
  assert.equal(book.status, 403);
  assert.match(book.headers['www-authenticate'], /scope="user\/Appointment\.c"/);
});

test('--auth smart: a device login approved on the control port; the token reads, is bound to its certificate, and grants only its scopes', async () => {
  const s = smartBox;
  const scope = 'openid fhirUser offline_access user/Patient.cruds user/Observation.rs';
  const device = await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope });
  assert.equal(device.status, 200);
  const d = device.json;
  assert.match(d.user_code, /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
  assert.equal(d.interval, 1);
  assert.ok(d.expires_in > 500 && d.expires_in <= 600);
  assert.equal(d.verification_uri_complete, `${d.verification_uri}?user_code=${d.user_code}`);
  // Polled before the user acts: pending; polled again at once: slow_down, and 5 s more.
  assert.equal((await poll(s, d.device_code)).json.error, 'authorization_pending');
  const fast = await poll(s, d.device_code);
  assert.equal(fast.status, 400);
  assert.equal(fast.json.error, 'slow_down');
  const pending = (await control('GET', '/device/pending', undefined, s.control)).json.pending;
  const mine = pending.find((p) => p.user_code === d.user_code);
  assert.equal(mine.scope, scope);
  assert.equal(mine.interval, 6, 'slow_down added 5 s');
  // Approved as the clinician, granting less than asked (no Observation).
  const approval = await control('POST', `/device/approve?user_code=${d.user_code}&practitioner=clinician&scopes=${encodeURIComponent('openid fhirUser offline_access user/Patient.cruds')}`, undefined, s.control);
  assert.equal(approval.status, 200, approval.text);
  assert.equal(approval.json.not_granted, 'user/Observation.rs');
  assert.equal((await control('GET', '/device/pending', undefined, s.control)).json.pending.length, 0);
  const t = (await poll(s, d.device_code)).json;
  assert.equal(t.token_type, 'Bearer');
  assert.ok(t.access_token && t.refresh_token && t.id_token);
  assert.equal(t.scope, 'openid fhirUser offline_access user/Patient.cruds');
  const id = jwtPayload(t.id_token);
  assert.equal(id.sub, 'clinician');
  assert.equal(id.fhirUser, `${s.base}/Practitioner/clinician`);
  assert.equal(t.fhirUser, id.fhirUser);
  // The token reads, and a write is the token's user's, not the certificate's (frontdesk).
  const read = await bearerGet(s, '/Patient?name=Quigley', t.access_token);
  assert.equal(read.status, 200);
  assert.equal(read.json.total, 1);
  const created = await fhir('POST', '', { url: `${s.base}/Patient`, body: newPatient('Smartwrite'), headers: { Authorization: `Bearer ${t.access_token}` } });
  assert.equal(created.status, 201);
  assert.equal(created.json.meta.author.reference, 'Practitioner/clinician');
  // Another certificate (the clinician's own) with the frontdesk workstation's token: refused.
  const stolen = await bearerGet(s, '/Patient?name=Quigley', t.access_token, 'clinician');
  assert.equal(stolen.status, 401);
  assert.match(stolen.headers['www-authenticate'], /error="invalid_token"/);
  assert.match(stolen.json.issue[0].details.text, /another client certificate/);
  // A scope not granted: 403, for a search, and for a batch entry.
  const obs = await bearerGet(s, '/Observation?_count=1', t.access_token);
  assert.equal(obs.status, 403);
  assert.match(obs.headers['www-authenticate'], /error="insufficient_scope", scope="user\/Observation\.s"/);
  assert.equal(obs.json.issue[0].code, 'forbidden');
  const batch = await fhir('POST', '', {
    url: s.base,
    headers: { Authorization: `Bearer ${t.access_token}` },
    body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient?name=Q' } }, { request: { method: 'DELETE', url: 'Slot/x' } }] },
  });
  assert.equal(batch.status, 403);
  assert.match(batch.headers['www-authenticate'], /scope="user\/Slot\.d"/);
  const log = (await control('GET', '/log', undefined, s.control)).text.trim().split('\n').map((l) => l.split('\t'));
  assert.ok(log.some((l) => l[0] === 'POST' && l[1] === '/oauth/device/auth' && l[2] === '200'));
  assert.ok(log.some((l) => l[1] === '/fhir/Observation?_count=1' && l[2] === '403'));
});

test('--auth smart: refresh rotates the refresh token; revocation (RFC 7009) shows on the control port and ends the access token', async () => {
  const s = smartBox;
  const { tokens } = await login(s, { scope: 'openid fhirUser offline_access user/Patient.rs' });
  // The refresh token is bound to the certificate too: another one cannot use it.
  const other = await oauth(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'ehrterm' }, 'clinician');
  assert.equal(other.status, 400);
  assert.equal(other.json.error, 'invalid_grant');
  assert.equal((await control('GET', `/tokens?token=${tokens.refresh_token}`, undefined, s.control)).json.token.state, 'active');
  const r = await oauth(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'ehrterm' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.notEqual(r.json.refresh_token, tokens.refresh_token, 'rotated');
  assert.equal(r.json.scope, 'openid fhirUser offline_access user/Patient.rs');
  assert.equal((await control('GET', `/tokens?token=${tokens.refresh_token}`, undefined, s.control)).json.token.state, 'consumed');
  assert.equal((await bearerGet(s, '/Patient?_count=1', r.json.access_token)).status, 200);
  const rt = r.json.refresh_token;
  const before = (await control('GET', `/tokens?refresh_token=${rt}`, undefined, s.control)).json.token;
  assert.equal(before.state, 'active');
  assert.equal(before.accountId, 'clinician');
  const revoked = await oauth(s, '/oauth/token/revocation', { token: rt, token_type_hint: 'refresh_token', client_id: 'ehrterm' });
  assert.equal(revoked.status, 200);
  const after = (await control('GET', `/tokens?refresh_token=${rt}`, undefined, s.control)).json.token;
  assert.equal(after.state, 'revoked');
  assert.ok(after.revokedAt);
  assert.equal((await control('GET', `/tokens?token=${r.json.access_token}`, undefined, s.control)).json.token.state, 'revoked', 'the grant went with it');
  const login_ = (await control('GET', `/tokens?grant=${before.grant}`, undefined, s.control)).json;
  assert.deepEqual(login_.counts.Grant, { revoked: 1 });
  assert.ok(login_.tokens.every((x) => x.state === 'revoked' || x.state === 'consumed'), JSON.stringify(login_.tokens));
  const gone = await bearerGet(s, '/Patient?_count=1', r.json.access_token);
  assert.equal(gone.status, 401);
  assert.match(gone.headers['www-authenticate'], /invalid_token/);
  const again = await oauth(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: rt, client_id: 'ehrterm' });
  assert.equal(again.json.error, 'invalid_grant');
  assert.equal((await control('GET', '/tokens?token=never-issued', undefined, s.control)).json.token.state, 'unknown');
});

test('--auth smart: denial, refresh refused by the control port, a hostile token error', async () => {
  const s = smartBox;
  const d = (await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope: 'openid user/Patient.rs' })).json;
  assert.equal((await control('POST', '/device/deny', { user_code: d.user_code }, s.control)).status, 200);
  const denied = await poll(s, d.device_code);
  assert.equal(denied.status, 400);
  assert.equal(denied.json.error, 'access_denied');
  assert.equal((await control('POST', `/device/approve?user_code=${d.user_code}&practitioner=clinician`, undefined, s.control)).status, 409);
  assert.equal((await control('POST', '/device/approve?user_code=BBBB-BBBB&practitioner=clinician', undefined, s.control)).status, 404);

  const { tokens } = await login(s, { scope: 'openid fhirUser offline_access user/Patient.rs', practitioner: 'frontdesk' });
  assert.ok((await control('POST', '/tokens/refuse-refresh', undefined, s.control)).json.refused >= 1);
  const refused = await oauth(s, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'ehrterm' });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, 'invalid_grant');
  assert.equal((await control('GET', `/tokens?token=${tokens.refresh_token}`, undefined, s.control)).json.token.state, 'refused');
  assert.equal((await bearerGet(s, '/Patient?_count=1', tokens.access_token)).status, 200, 'the access token still works');
  assert.ok((await control('POST', '/tokens/expire-access', undefined, s.control)).json.expired >= 1);
  assert.match((await bearerGet(s, '/Patient?_count=1', tokens.access_token)).headers['www-authenticate'], /expired/);

  const h = (await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope: 'openid' })).json;
  await control('POST', '/fault', { mode: 'hostile', variant: 'escapes', count: 1, match: 'POST /oauth/token' }, s.control);
  const hostile = await poll(s, h.device_code);
  assert.equal(hostile.json.error, 'authorization_pending', 'the error code stays');
  assert.ok(hostile.json.error_description.includes('\x1b]52;c;'), 'its description is poisoned');
  assert.equal((await poll(s, h.device_code)).json.error_description.includes('\x1b'), false, 'once');
  // Hostile discovery and device answers: the strings a client shows are poisoned.
  await control('POST', '/fault', { mode: 'hostile', variant: 'escapes', count: 1, match: 'GET /fhir/.well-known/smart-configuration' }, s.control);
  const conf = (await bearerGet(s, '/.well-known/smart-configuration')).json;
  assert.ok(conf.token_endpoint.includes('\x1b]0;') && conf.device_authorization_endpoint.includes('\u202e'));
  await control('POST', '/fault', { mode: 'hostile', variant: 'escapes', count: 1, match: 'POST /oauth/device/auth' }, s.control);
  const dev = (await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope: 'openid' })).json;
  assert.ok(dev.user_code.includes('\x1b[2J') && dev.verification_uri_complete.includes('\x1b]8;;'));
  assert.equal(dev.interval, 1);
  // The verification pages say how a test approves: there is no sign-in here. The complete
  // URI submits its code to the confirmation page, which names it.
  const origin = new URL(s.base).origin;
  const page = await fhir('GET', '', { url: `${origin}/oauth/device`, headers: { Accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.ok(page.body.toString().includes(`${s.control}/device/approve?user_code=`), page.body.toString());
  const d2 = (await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope: 'openid' })).json;
  const jar = path.join(TMP, 'cookies');
  const browse = ['--cacert', path.join(CERTS, 'ca.pem'), ...certArgs('frontdesk'), '-c', jar, '-b', jar];
  const complete = await curl([...browse, d2.verification_uri_complete]);
  const xsrf = /name="xsrf" value="([0-9a-f]+)"/.exec(complete.stdout)?.[1];
  assert.ok(xsrf, complete.stdout);
  const confirm = await curl([...browse, '-d', `xsrf=${xsrf}`, '-d', `user_code=${d2.user_code}`, d2.verification_uri]);
  assert.ok(confirm.stdout.includes(`${s.control}/device/approve?user_code=${d2.user_code}&amp;practitioner=clinician`), confirm.stdout);
});

test('--auth smart: --code-ttl and --token-ttl: the code expires, then the token does', async () => {
  const s = await startSandbox(['--auth', 'smart', '--no-data', '--code-ttl', '2', '--token-ttl', '2', '--interval', '1']);
  try {
    const d = (await oauth(s, '/oauth/device/auth', { client_id: 'ehrterm', scope: 'openid user/Practitioner.rs' })).json;
    assert.equal(d.expires_in, 2);
    await new Promise((r) => setTimeout(r, 2300));
    const late = await poll(s, d.device_code);
    assert.equal(late.json.error, 'expired_token');
    assert.equal((await control('GET', '/device/pending', undefined, s.control)).json.pending.length, 0);
    assert.equal((await control('POST', `/device/approve?user_code=${d.user_code}&practitioner=clinician`, undefined, s.control)).status, 410);
    const { tokens } = await login(s, { scope: 'openid user/Practitioner.rs' });
    assert.equal(tokens.expires_in, 2);
    assert.equal((await bearerGet(s, '/Practitioner/clinician', tokens.access_token)).status, 200);
    await new Promise((r) => setTimeout(r, 2300));
    const expired = await bearerGet(s, '/Practitioner/clinician', tokens.access_token);
    assert.equal(expired.status, 401);
    assert.match(expired.headers['www-authenticate'], /error="invalid_token", error_description="the access token has expired"/);
  } finally {
    await stopSandbox(s);
  }
});

test('--like openemr: SMART required; create and update only for Patient, Practitioner, Organization; no Slot, no billing, no Bundles', async () => {
  const s = await startSandbox(['--like', 'openemr', '--interval', '1']);
  try {
    const cs = (await bearerGet(s, '/metadata')).json;
    const rest = cs.rest[0];
    assert.equal(rest.interaction, undefined, 'no batch, no transaction');
    assert.ok(rest.security.service.some((x) => x.coding[0].code === 'SMART-on-FHIR'));
    const byType = Object.fromEntries(rest.resource.map((r) => [r.type, r.interaction.map((i) => i.code).sort()]));
    for (const t of ['Patient', 'Practitioner', 'Organization']) {
      assert.deepEqual(byType[t], ['create', 'read', 'search-type', 'update'], t);
    }
    for (const t of ['Appointment', 'Encounter', 'Observation', 'Condition', 'Coverage', 'DocumentReference']) {
      assert.deepEqual(byType[t], ['read', 'search-type'], t);
    }
    for (const t of ['Slot', 'Schedule', 'ChargeItem', 'ChargeItemDefinition', 'Claim', 'ClaimResponse', 'Account', 'Invoice', 'PaymentReconciliation', 'PaymentNotice']) {
      assert.equal(byType[t], undefined, `${t} not offered`);
    }
    assert.equal((await bearerGet(s, '/Patient?_count=1')).status, 401, 'SMART required');
    const { tokens } = await login(s, { scope: 'openid fhirUser user/Patient.cruds user/Appointment.cruds user/Slot.rs', practitioner: 'frontdesk' });
    assert.equal(tokens.scope, 'openid fhirUser user/Patient.cruds user/Appointment.cruds', 'no Slot scope on this server');
    const auth = { Authorization: `Bearer ${tokens.access_token}` };
    const batch = await fhir('POST', '', { url: s.base, headers: auth, body: { resourceType: 'Bundle', type: 'batch', entry: [] } });
    assert.equal(batch.status, 400);
    assert.equal(batch.json.issue[0].code, 'not-supported');
    const tx = await fhir('POST', '', { url: s.base, headers: auth, body: { resourceType: 'Bundle', type: 'transaction', entry: [] } });
    assert.equal(tx.status, 400);
    const appt = await fhir('POST', '', {
      url: `${s.base}/Appointment`,
      headers: auth,
      body: { resourceType: 'Appointment', status: 'proposed', participant: [{ actor: { reference: 'Practitioner/clinician' }, status: 'needs-action' }] },
    });
    assert.equal(appt.status, 405);
    assert.equal(appt.json.resourceType, 'OperationOutcome');
    assert.equal((await bearerGet(s, '/Appointment?_count=1', tokens.access_token)).status, 200, 'appointments are readable');
    assert.equal((await bearerGet(s, '/Slot?_count=1', tokens.access_token)).status, 404);
    const p = await fhir('POST', '', { url: `${s.base}/Patient`, headers: auth, body: newPatient('Openemr') });
    assert.equal(p.status, 201);
    assert.equal((await fhir('PUT', '', { url: `${s.base}/Patient/${p.json.id}`, headers: auth, body: { ...p.json, gender: 'other' } })).status, 200);
    assert.equal((await fhir('DELETE', '', { url: `${s.base}/Patient/${p.json.id}`, headers: auth })).status, 405);
    const conf = (await bearerGet(s, '/.well-known/smart-configuration')).json;
    assert.ok(conf.scopes_supported.includes('user/Patient.crus'));
    assert.ok(conf.scopes_supported.includes('user/Appointment.rs'));
    assert.ok(!conf.scopes_supported.some((x) => /Slot|Schedule|ChargeItem|Claim/.test(x)));
  } finally {
    await stopSandbox(s);
  }
});

test('--like openemr --auth mtls (test-only): the shape without a login', async () => {
  const s = await startSandbox(['--like', 'openemr', '--auth', 'mtls']);
  try {
    assert.deepEqual((await control('GET', '/status', undefined, s.control)).json.auth, { mode: 'mtls' });
    const cs = (await fhir('GET', '', { url: `${s.base}/metadata` })).json;
    assert.equal(cs.rest[0].interaction, undefined, 'no batch, no transaction');
    assert.equal((await fhir('GET', '', { url: `${s.base}/Patient?_count=1` })).status, 200, 'the certificate is the user');
    assert.equal((await fhir('GET', '', { url: `${s.base}/Slot?_count=1` })).status, 404);
    assert.equal((await fhir('POST', '', { url: s.base, body: { resourceType: 'Bundle', type: 'batch', entry: [] } })).status, 400);
    assert.equal((await fhir('GET', '', { url: `${s.base}/.well-known/smart-configuration` })).status, 404, 'no SMART');
  } finally {
    await stopSandbox(s);
  }
});

test('--auth mtls (the default) is unchanged: no token needed, no SMART configuration', async () => {
  assert.equal((await fhir('GET', '/Patient?name=Quigley')).status, 200);
  const conf = await fhir('GET', '/.well-known/smart-configuration');
  assert.equal(conf.status, 404);
  const cs = (await fhir('GET', '/metadata?_elements=rest.security')).json;
  assert.deepEqual(cs.rest[0].security.service.map((x) => x.coding[0].code), ['Certificates']);
  assert.deepEqual((await control('GET', '/status')).json.auth, { mode: 'mtls' });
  assert.equal((await fhir('POST', '', { url: `${new URL(main.base).origin}/oauth/token`, body: 'grant_type=refresh_token', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status, 404, 'no /oauth');
  assert.equal((await stopSandbox(smartBox)).code, 0);
  smartBox = undefined;
});

// --- bad server certificates ------------------------------------------------------------------------

test('--server-cert expired, wronghost, otherca: curl with the CA refuses the server', async () => {
  for (const [name, why] of [
    ['expired', /expired/i],
    ['wronghost', /name|match|subject/i],
    ['otherca', /issuer|self.signed|unable to get local issuer|verify/i],
  ]) {
    const s = await startSandbox(['--no-data', '--server-cert', name]);
    try {
      const r = await curl(['--cacert', path.join(CERTS, 'ca.pem'), ...certArgs('frontdesk'), `${s.base}/metadata`]);
      assert.equal(r.code, 60, `${name}: curl exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, why, name);
      const insecure = await curl(['-k', '-o', '/dev/null', '-w', '%{http_code}', ...certArgs('frontdesk'), `${s.base}/metadata`]);
      assert.equal(insecure.stdout, '200', `${name}: the server itself works`);
    } finally {
      const { code } = await stopSandbox(s);
      assert.equal(code, 0);
    }
  }
});

test('--no-data starts empty except for the user Practitioners', async () => {
  const s = await startSandbox(['--no-data']);
  try {
    const status = (await control('GET', '/status', undefined, s.control)).json;
    assert.deepEqual(status.resources, { Practitioner: 3 });
  } finally {
    await stopSandbox(s);
  }
});

test('SIGTERM stops the sandbox cleanly and leaves no process behind', async () => {
  for (const a of Object.values(agents)) {
    a.destroy();
  }
  const pid = main.proc.pid;
  const { code, signal } = await stopSandbox(main);
  assert.equal(code, 0, `exit ${code ?? signal}`);
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  await assert.rejects(fhir('GET', '/metadata', { agent: new https.Agent({ ca: fs.readFileSync(path.join(CERTS, 'ca.pem')) }) }), /ECONNREFUSED/);
  main = undefined;
});
