// Makes the fuzzers' seed corpora and table-made dictionaries from the sample data.
//
// node make-seeds.mjs SRCDIR OUTDIR writes OUTDIR/NAME/ (one seed per file, named by
// its SHA-1, as libFuzzer names its own) for each target, and OUTDIR/cfg.dict and
// OUTDIR/keys.dict from the config option table and keymaps/actions.def. It reads
// only SRCDIR: the source tree may be read-only (make distcheck).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [srcdir, out] = process.argv.slice(2);
if (!srcdir || !out) {
  console.error('usage: node make-seeds.mjs SRCDIR OUTDIR');
  process.exit(2);
}
const base = 'https://fhir.example.org/r4'; // FUZZ_BASE in fuzz_fhir.c
const counts = {};

function put(target, content) {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const dir = path.join(out, target);
  fs.mkdirSync(dir, { recursive: true });
  const name = crypto.createHash('sha1').update(buf).digest('hex');
  if (!fs.existsSync(path.join(dir, name))) counts[target] = (counts[target] || 0) + 1;
  fs.writeFileSync(path.join(dir, name), buf);
}

function src(...parts) {
  return path.join(srcdir, ...parts);
}

function files(dir, ext) {
  return fs.readdirSync(src(dir)).filter((f) => f.endsWith(ext)).sort().map((f) => src(dir, f));
}

// libFuzzer dictionary syntax: "text" with \\, \" and \xNN escapes.
function dictLine(s) {
  let q = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x5c || b === 0x22) q += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) q += String.fromCharCode(b);
    else q += '\\x' + b.toString(16).padStart(2, '0');
  }
  return `"${q}"`;
}

function writeDict(name, words) {
  const unique = [...new Set(words)].filter((w) => w.length > 0);
  fs.writeFileSync(path.join(out, name), unique.map(dictLine).join('\n') + '\n');
}

// --- fhir: every resource of every Synthea bundle, the HL7 examples, and what a server sends.
const strings = []; // names and addresses for the safe-text seeds
const searches = []; // what a clerk types to find these patients
for (const f of files('tests/sandbox/data/synthea', '.json')) {
  const bundle = JSON.parse(fs.readFileSync(f, 'utf8'));
  const entries = bundle.entry || [];
  for (const e of entries) {
    put('fhir', JSON.stringify(e.resource));
    if (e.resource.resourceType === 'Patient') {
      for (const n of e.resource.name || [])
        strings.push([...(n.prefix || []), ...(n.given || []), n.family].join(' '));
      for (const a of e.resource.address || [])
        strings.push([...(a.line || []), a.city, a.state, a.postalCode].join(', '));
      const p = e.resource;
      // The same patient as a search row asks for it (_elements): small, so mutations land
      // on the fields the banner and the patient view read.
      put('fhir', JSON.stringify({
        resourceType: 'Patient', id: p.id, name: p.name, gender: p.gender,
        birthDate: p.birthDate, identifier: p.identifier, telecom: p.telecom,
      }));
      const n = (p.name || [])[0] || {};
      const given = (n.given || [])[0] || '';
      searches.push(n.family || '', `${n.family},${given.slice(0, 1)}`, `${n.family}, ${given}`,
        `${given} ${n.family}`.toLowerCase(), p.birthDate || '');
      if (p.birthDate) searches.push(p.birthDate.replace(/^(\d+)-(\d+)-(\d+)$/, '$2/$3/$1'));
      for (const t of p.telecom || []) searches.push(t.value || '');
      for (const id of p.identifier || []) {
        searches.push(id.value || '');
        const digits = (id.value || '').replace(/\D/g, '');
        if (digits.length >= 4 && n.family) searches.push(n.family[0] + digits.slice(-4));
      }
    }
  }
  // A search answer: the first entries as matches, with paging links under the base.
  const type = entries.length ? entries[0].resource.resourceType : 'Patient';
  put('fhir', JSON.stringify({
    resourceType: 'Bundle',
    type: 'searchset',
    total: entries.length,
    link: [
      { relation: 'self', url: `${base}/${type}?_count=3` },
      { relation: 'next', url: `${base}/${type}?_count=3&_offset=3` },
    ],
    entry: entries.slice(0, 3).map((e) => ({
      fullUrl: `${base}/${e.resource.resourceType}/${e.resource.id}`,
      resource: e.resource,
      search: { mode: 'match' },
    })),
  }, null, 1));
}
for (const f of files('tests/sandbox/data/hl7-r4-examples', '.json'))
  put('fhir', fs.readFileSync(f));

const caps = {
  resourceType: 'CapabilityStatement',
  status: 'active',
  kind: 'instance',
  fhirVersion: '4.0.1',
  format: ['json'],
  software: { name: 'ehrterm sandbox', version: '1.0.0' },
  rest: [{
    mode: 'server',
    interaction: [{ code: 'transaction' }, { code: 'batch' }],
    resource: ['Patient', 'Coverage', 'Schedule', 'Slot', 'Appointment', 'Encounter',
      'Condition', 'Observation', 'AllergyIntolerance', 'MedicationRequest',
      'DocumentReference', 'ChargeItem', 'Claim', 'Account'].map((t) => ({
      type: t,
      interaction: ['read', 'vread', 'update', 'create', 'search-type', 'delete']
        .map((code) => ({ code })),
    })),
  }],
};
put('fhir', JSON.stringify(caps));
caps.rest[0].resource = caps.rest[0].resource.slice(0, 3);
caps.rest.push({ mode: 'client', resource: [{ type: 'Patient', interaction: [{ code: 'read' }] }] });
put('fhir', JSON.stringify(caps));
const outcome = {
  resourceType: 'OperationOutcome',
  issue: [
    { severity: 'error', code: 'invalid', details: { text: 'Patient.birthDate: not a date' } },
    { severity: 'error', code: 'processing', diagnostics: 'If-Match W/"3" failed' },
    { severity: 'warning', code: 'informational' },
    { severity: 'error', code: 'exception', details: { text: '\u001b[2Jcleared' } },
    { severity: 'error', code: 'too-costly' },
  ],
};
put('fhir', JSON.stringify(outcome));
put('fhir', JSON.stringify({
  resourceType: 'Bundle',
  type: 'searchset',
  link: [
    { relation: 'next', url: 'https://evil.example.com/r4/Patient?page=2' },
    { relation: 'previous', url: `${base}/../admin` },
    { relation: 'self', url: 'https://fhir.example.org@evil.example.com/r4/Patient' },
    { relation: 'last', url: 'HTTPS://FHIR.EXAMPLE.ORG:443/r4/Patient?page=9' },
  ],
  entry: [{ resource: outcome, search: { mode: 'outcome' } }],
}));
put('fhir', '{"resourceType":"Patient","id":"a","name":[{"family":"O\\u0027Brien\\u202e"}]}');
// Patients a careless or hostile server could send: partial and impossible dates, names
// in other scripts, with controls and bidi, identifiers and phones of every length.
const mrType = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };
for (const [name, birthDate, gender, mrn] of [
  [{ family: '\u5c71\u7530', given: ['\u592a\u90ce'] }, '1980', 'male', '\u0661\u0662\u0663\u0664'],
  [{ use: 'old', family: 'Old' }, '1980-02', 'female', 'A'.repeat(600)],
  [{ text: '\u001b[31mRed\u001b[0m \u202eeman' }, '2026-02-29', 'other', ''],
  [{ family: 'e\u0301\u0301\u0301\u0301\u0301\u0301', given: ['\ud83d\ude00', '', 'x', 'y', 'z'] }, '2026-03-02', 'unknown', '8013'],
  [{ use: 'official', given: ['Solo'] }, '1850-01-01', 'nonsense', '\t8013\n'],
  [{ family: 'W'.repeat(300) }, '2026-02-28', null, '1'],
]) {
  const pt = { resourceType: 'Patient', id: 'p1', name: [name], birthDate };
  if (gender) pt.gender = gender;
  pt.identifier = [{ use: 'usual', type: mrType, value: mrn }, { value: '99-8013' }];
  pt.telecom = [{ system: 'phone', value: '555-0101' }, { system: 'email', value: 'a@b.org' }];
  put('fhir', JSON.stringify(pt));
}

// --- cfg: the examples of ehrterm.conf(5), each profile alone, and every key of the table.
function unroff(text) {
  return text.replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\\(aq/g, "'")
    .replace(/\\\(dq/g, '"').replace(/\\&/g, '').replace(/\\\(em/g, '\u2014');
}
const man = fs.readFileSync(src('man/ehrterm.conf.5'), 'utf8');
for (const m of man.matchAll(/^\.EX\n([\s\S]*?)^\.EE$/gm)) {
  const example = unroff(m[1]);
  put('cfg', example);
  put('cfg', example.replace(/\n/g, '\r\n'));
  put('cfg', '\ufeff' + example);
  for (const section of example.split(/^(?=\[profile )/m)) put('cfg', section);
}
const table = fs.readFileSync(src('src/cfg/cfg-table.c'), 'utf8');
const options = [...table.matchAll(/\.name = "([a-z_]+)"/g)].map((m) => m[1]);
put('cfg', [
  'default_profile = all-keys',
  '',
  '[profile all-keys]',
  'base_url = https://ehr.example.org:8443/fhir/R4/',
  'ca_file = /etc/ehrterm/ca.pem',
  'client_cert = ~/.config/ehrterm/desk.pem',
  'client_key = ~/.config/ehrterm/desk.key',
  'pin_sha256 = sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=;sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  'keymap = ~/.config/ehrterm/my.keys',
  'idle_lock = 1h30m',
  'timeout = 90',
  'page_size = 200',
  'user_label = "Front desk \\"A\\" \\\\ Zo\u00eb"',
  'auth = smart',
  'client_id = a4b3c2d1-0000-4e5f-8a9b-0c1d2e3f4a5b',
  'scopes = openid fhirUser offline_access user/Patient.rs patient/*.cruds user/Observation.rs?category=laboratory',
  'token_store = keyring',
  '',
].join('\n'));
put('cfg', options.map((o) => `${o} = x`).join('\n') + '\n');

// --- keymap: the built-in keymaps, and lines a user writes; the first line is also read as a key name.
for (const f of files('keymaps', '.keys')) put('keymap', fs.readFileSync(f));
for (const seed of [
  'bind global M-x command\n',
  'unbind list j\nunbind list j\n',
  'bind form U+00E9 none\n',
  'bind global Key-410 redraw\r\nbind pager F12 help\r\n',
  '\ufeffbind list ^? back\n',
  '# comment\n\n  bind\tdialog  Enter select  \n',
  '^C\nbind global ^C quit\n',
  'M-Esc\n',
  'U+200E\n',
  'BTab\nbind prompt BTab back\n',
  'F63\nbind global F63 lock\n',
  'Key-0\n',
  'bind patients / search\nbind schedule q back\n',
]) put('keymap', seed);
const actions = [...fs.readFileSync(src('keymaps/actions.def'), 'utf8')
  .matchAll(/^ACTION\(\w+, "([^"]+)"/gm)].map((m) => m[1]);

// --- safe: a column limit byte, then text: names and addresses, and every trick a server could try.
const hostile = [
  'plain ASCII',
  '\u001b[31mred\u001b[0m and \u001b]0;new title\u0007',
  '\u001b[2J\u001b[H\u001bP+q\u001b\\',
  'C1 CSI: \u009b31m, C1 OSC: \u009d0;x\u009c',
  'Trojan \u202eesrever\u202c and \u2066isolate\u2069 \u200f\u061c',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301 a\u0308',
  '\u0301leading mark',
  '\u65e5\u672c\u8a9e\u30c6\u30ad\u30b9\u30c8 \ud83d\ude00 \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67',
  'tab\there\nnew line\r\u2028\u2029end',
  'Zo\u00eb M\u00fcller-\u00c5str\u00f6m, Jos\u00e9',
  '\u00ad\u200b\ufeff\ufff9\ue000\udb80\udc00',
];
const raw = [
  Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0x61, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98]),
  Buffer.from([0x1b, 0x5b, 0x00, 0x7f, 0x9b, 0x41]),
];
for (const limit of [0, 1, 3, 10, 40]) {
  for (const flag of [0, 0x80]) {
    const pre = Buffer.from([limit | flag]);
    for (const s of [...hostile, ...strings.slice(0, 12)]) put('safe', Buffer.concat([pre, Buffer.from(s)]));
    for (const r of raw) put('safe', Buffer.concat([pre, r]));
  }
}

// --- field: which parser, which clock, then what a clerk typed (see fuzz_field.c's tables).
const NDEFS = 17; // entries of defs[] in fuzz_field.c
const field = [
  [0, ['12345', '12345-6789', ' 1234 ', '123456']],
  [1, ['Patient called about\ttheir refill', '\u202eevil', 'ok\u0007']],
  [2, ['O\'Brien', 'M\u00fcller-\u00c5str\u00f6m', 'x'.repeat(36)]],
  [3, ['03/01/1980', '1980-3-1', 'T-30Y', 'today', '02/29/2023', '2/29/2024', '1849-12-31']],
  [4, ['T+7', 't+2w', 'T+3M', 'T+1Y', 'N', '12/31/2200', '01/01/1850']],
  [5, ['T@9am', '03/01/2026 14:30', '2026-03-01T14:30:15', 'NOW', 'T+1 2:30 PM', '2026-03-01 1430']],
  [6, ['2024-02-29 23:59:59', 'T-1@12am', 'now']],
  [7, ['T@0000', '12/31/2199 11:59 pm', '2026-03-01 930']],
  [8, ['(555) 010-1234', '+1 555 010 1234', '555.0101', '+0 123 4567', '1234567890123456']],
  [9, ['name@example.com', 'First.Last+tag@Sub.Example.ORG', 'a@b.c', 'x@123.45', '"q"@example.com']],
  [10, ['m', 'Male', 'FEMALE', 'o', 'unknown', 'x']],
  [11, ['M', 'married', 'N', 'un', 'UNK', 'Widowed', '']],
  [12, ['y', 'YES', 'No', 'n ', 'maybe']],
  [13, ['12', '12.5', '$1,234.56', '.50', '-3.10', '1,000,000.00', '$12,34']],
  [14, ['12.50 EUR', '-1,234.56 eur', '12.50 USD', '0']],
  [15, ['1', '200', '201', '-0', '+7', '99999999999999999999']],
  [16, ['-9223372036854775808', '9223372036854775807', '42']],
  [NDEFS + 0, ['2026-03-01', '3/1/2026', 'T-1', 'T+99999', '03/01/26', '2026-02-30']],
  [NDEFS + 1, ['T@2pm', '03/01/2026 14:30:15', 'N', '2026-03-01T24:00']],
  [NDEFS + 2, ['$92,233,720,368,547,758.07', '-$0.01', '1,2345']],
  [NDEFS + 3, ['92,233,720,368,547,758.07 EUR', '5 EUR']],
  [NDEFS + 4, ['100.00', '1e2', '1.5E+1', '-3.1', '100.005', '1e-2', '9.2233720368547758e16', '0e999999999999']],
  [NDEFS + 5, ['12.50|3', '-$92,233,720,368,547,758.07|1', '92233720368547758.07|-2', '0.01|9223372036854775807']],
];
for (const [what, inputs] of field)
  for (const text of inputs)
    for (const clock of [0, 1, 3, 4])
      put('field', Buffer.concat([Buffer.from([what, clock]), Buffer.from(text)]));

// --- patient: the search field, from the sample patients and the forms patient.h lists.
for (const text of [
  ...searches,
  'quig', 'quigley chad', "O'Brien", 'Smith-Jones', 'Zo\u00eb M\u00fcller', 'a b c d e', 'x,y,z',
  'Q8013', 'q8013', '555-0101', '(555) 010-1234', '+1 555 010 1234', '15550101234',
  '1952-06-19', '06/19/1952', '2026-02-30', '13/01/1952', '19520619', 'T', 'T-30Y',
  'MRN-00-4711', 'urn:oid:1.2|8013', '999-99-9999', '  lots   of   spaces  ', 'tab\there',
]) put('patient', text);

// --- billing: a reader byte (0 money, 1 fee schedule, 2 charge, 3 remittance, 4 visits,
// 5 providers, 6 the claim to post to, 7 the ledger, the claim queue and the aging), then JSON.
function bill(which, value) {
  put('billing', Buffer.concat([Buffer.from([which]), Buffer.from(JSON.stringify(value))]));
}
// Every Money of the sample data, and amounts a careless server sends.
const monies = [];
function findMoney(v) {
  if (Array.isArray(v)) v.forEach(findMoney);
  else if (v && typeof v === 'object') {
    if ('value' in v && 'currency' in v && monies.length < 200) monies.push(v);
    Object.values(v).forEach(findMoney);
  }
}
const examples = files('tests/sandbox/data/hl7-r4-examples', '.json')
  .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
examples.forEach(findMoney);
for (const m of monies) bill(0, m);
for (const text of ['{"value":12.5,"currency":"USD"}', '{"value":112.41600000000001}',
  '{"value":"12.50","currency":"USD"}', '{"value":1e309}', '{"value":100,"currency":"JPY"}',
  '{"value":-0.01,"currency":"usd"}', '{"value":92233720368547758.07}', '{"currency":"USD"}',
  '{"value":1.5E+1,"currency":7}', '{"value":0.1}'])
  put('billing', Buffer.concat([Buffer.from([0]), Buffer.from(text)]));
// The fee schedule: the sandbox's, as a searchset and alone, the HL7 examples, and broken entries.
const cpt = 'http://www.ama-assn.org/go/cpt';
const fee = (code, text, value, extra = {}) => ({
  resourceType: 'ChargeItemDefinition', id: `fee-${code}`, meta: { versionId: '1' },
  url: `urn:ehrterm:sandbox:fee-schedule:${code}`, status: 'active', title: text,
  code: { coding: [{ system: cpt, code, display: text }] },
  propertyGroup: [{ priceComponent: [{ type: 'base', amount: { value, currency: 'USD' } }] }],
  ...extra,
});
const fees = [
  fee('99213', 'Established patient visit, low complexity', 92.5),
  fee('99214', 'Established patient visit, moderate complexity', 131.15),
  fee('36415', 'Routine venipuncture', 12),
  fee('J1100', 'Injection, dexamethasone sodium phosphate, 1 mg', 0.25, {
    code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.285', code: 'J1100' }] } }),
  fee('99999', 'Retired code', 10, { status: 'retired' }),
  fee('99215', 'No price', 0, { propertyGroup: [] }),
  fee('80053', 'Negative', -3),
  fee('85025', 'Not in cents', 112.41600000000001),
  fee('LOCAL1', 'Local code', 5, { code: { coding: [{ system: 'urn:local', code: 'LOCAL1' }] } }),
  fee('99213', 'Established patient visit, twice', 'x'),
];
const searchset = (rs) => ({ resourceType: 'Bundle', type: 'searchset', total: rs.length,
  entry: rs.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } })) });
bill(1, searchset(fees));
for (const f of fees) bill(1, f);
for (const r of examples.filter((r) => r.resourceType === 'ChargeItemDefinition')) {
  bill(1, r);
  bill(1, searchset([r]));
}
bill(1, { resourceType: 'Bundle', type: 'searchset', total: 5000, entry: [{ resource: fees[0] }, {}, 7] });
bill(1, { resourceType: 'OperationOutcome' });
// Charges: as bill_charge_item writes them, the HL7 example, and fields past their sizes.
const charge = (extra = {}) => ({
  resourceType: 'ChargeItem', id: 'ci-1', meta: { versionId: '2' }, status: 'billable',
  extension: [
    { url: 'urn:ehrterm:fhir:extension:chargeitem-modifier', valueCoding: { system: cpt, code: '25' } },
    { url: 'urn:ehrterm:fhir:extension:chargeitem-unit-price', valueMoney: { value: 92.5, currency: 'USD' } },
  ],
  identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.1' }],
  definitionCanonical: ['urn:ehrterm:sandbox:fee-schedule:99213'],
  code: { coding: [{ system: cpt, code: '99213', display: 'Established patient visit' }] },
  subject: { reference: 'Patient/p1' }, context: { reference: 'Encounter/e1' },
  occurrenceDateTime: '2026-03-01', performer: [{ actor: { reference: 'Practitioner/dr-1' } }],
  quantity: { value: 1 }, account: [{ reference: 'Account/acct-p1' }],
  reason: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J06.9' }] },
    { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9' }] }],
  ...extra,
});
bill(2, charge());
bill(2, charge({ quantity: { value: 3 }, priceOverride: { value: 80, currency: 'USD' }, overrideReason: 'hardship' }));
bill(2, charge({ quantity: { value: 1.5 } }));
bill(2, charge({ quantity: { value: 1000 } }));
bill(2, charge({ reason: [] }));
bill(2, charge({ code: { coding: [{ system: cpt, code: '9'.repeat(40) }] } }));
bill(2, charge({ extension: [] }));
bill(2, charge({ occurrencePeriod: { start: '2026-03-01T09:00:00Z' }, occurrenceDateTime: undefined }));
for (const r of examples.filter((r) => r.resourceType === 'ChargeItem')) bill(2, r);
// Remittances: the HL7 ClaimResponses, and one with every adjudication a biller posts.
for (const r of examples.filter((r) => r.resourceType === 'ClaimResponse')) bill(3, r);
const adj = (code, value) => ({ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code }] },
  amount: { value, currency: 'USD' } });
const carc = (group, code, value) => ({
  category: { coding: [{ code: 'deductible' }] },
  reason: { coding: [{ system: 'https://x12.org/codes/claim-adjustment-reason-codes', code },
    { system: 'urn:ehrterm:x12:claim-adjustment-group-code', code: group }] },
  amount: { value, currency: 'USD' } });
const remit = {
  resourceType: 'ClaimResponse', id: 'cr-1', status: 'active', outcome: 'complete',
  request: { reference: 'Claim/c1' }, patient: { reference: 'Patient/p1' },
  insurer: { display: 'Acme Health' }, created: '2026-03-05',
  item: [
    { itemSequence: 1, adjudication: [adj('submitted', 92.5), adj('eligible', 80), adj('benefit', 60), adj('copay', 20), carc('CO', '45', 12.5)] },
    { itemSequence: 2, adjudication: [adj('submitted', 12), adj('benefit', 0), carc('PR', '1', 12)] },
  ],
  addItem: [{ productOrService: { coding: [{ code: '99070' }] }, adjudication: [adj('benefit', 5)] }],
  payment: { date: '2026-03-10', amount: { value: 65, currency: 'USD' } },
  total: [adj('benefit', 65)],
};
bill(3, remit);
bill(3, { ...remit, payment: { amount: { value: 64.99, currency: 'USD' } }, total: [adj('benefit', 1e309)] });
bill(3, { ...remit, item: Array.from({ length: 120 }, (_, i) => ({ itemSequence: i + 1, adjudication: [adj('benefit', 0.01)] })) });
bill(3, { ...remit, item: [{ itemSequence: 1, adjudication: [adj('benefit', 112.41600000000001), { amount: { value: 1, currency: 'EUR' } }] }] });
// A patient's visits as bill_encounters_batch's answer, for patient p1; and the providers' reads.
const ok200 = (resource) => ({ response: { status: '200 OK' }, resource });
const icd = (code) => ({ coding: [{ system: 'http://snomed.info/sct', code: '1' }, { system: 'http://hl7.org/fhir/sid/icd-10-cm', code, display: code }] });
const visit = (id, start, extra = {}) => ({ resourceType: 'Encounter', id, status: 'finished',
  subject: { reference: 'Patient/p1' }, period: { start }, type: [{ text: `Visit ${id}` }],
  participant: [{ individual: { reference: 'Practitioner/dr1' } }],
  location: [{ location: { reference: 'Location/loc-main' } }],
  serviceProvider: { reference: 'Organization/clinic' }, ...extra });
const cond = (enc, code, patient = 'p1') => ({ resourceType: 'Condition', subject: { reference: `Patient/${patient}` },
  encounter: { reference: `Encounter/${enc}` }, code: icd(code) });
bill(4, { resourceType: 'Bundle', type: 'batch-response', entry: [
  ok200({ resourceType: 'Patient', id: 'p1', birthDate: '1989-07-27', name: [{ family: 'Erdman', given: ['Louis'] }] }),
  ok200(searchset([])),
  ok200(searchset([visit('e1', '2021-01-02T16:24:37+00:00'), visit('e2', '2026-03-01'), visit('e3', 'x'),
    visit('e4', '2020-01-01', { subject: { reference: 'Patient/p2' } })])),
  ok200(searchset([cond('e1', 'J01.90'), cond('e1', 'J01.90'), cond('e2', 'E11.9'), cond('e2', 'bad code'),
    cond('e1', 'J02.9', 'p2'), ...Array.from({ length: 14 }, (_, i) => cond('e2', `J${10 + i}.9`))])),
] });
bill(4, { entry: [ok200({ resourceType: 'Patient', id: 'p1' }), {}, { response: { status: '500' } }] });
bill(5, { resourceType: 'Bundle', type: 'batch-response', entry: [
  ok200({ resourceType: 'Organization', id: 'clinic', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1000000012' }] }),
  ok200({ resourceType: 'Practitioner', id: 'dr1', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '610' }] }),
] });
bill(5, { entry: [ok200({ resourceType: 'Organization', id: 'other' }), { response: { status: '404 Not Found' } }] });
// The claim to post to: the visit's batch (patient, allergies, charges, coverages, accounts)
// and its claims; the ledger: patient, allergies, charges, answers, payments, a count.
const usd = (value) => ({ value, currency: 'USD' });
const claimItem = (seq, code, net, enc = 'e1') => ({ sequence: seq, productOrService: { coding: [{ code }] }, net: usd(net),
  encounter: [{ reference: `Encounter/${enc}` }],
  extension: [{ url: 'urn:ehrterm:fhir:extension:claim-item-charge', valueReference: { reference: `ChargeItem/ci${seq}` } }] });
const claim = (id, created, type, items, patient = 'p1') => ({ resourceType: 'Claim', id, status: 'active', created,
  type: { coding: [{ code: type }] }, patient: { reference: `Patient/${patient}` }, insurer: { reference: 'Organization/acme' }, item: items });
bill(6, { entry: [ok200({ resourceType: 'Patient', id: 'p1' }), ok200(searchset([])), ok200(searchset([])),
  ok200(searchset([{ resourceType: 'Coverage', id: 'c1', status: 'active', beneficiary: { reference: 'Patient/p1' },
    payor: [{ reference: 'Organization/acme', display: 'Acme Health Plan' }], order: 1 }])), ok200(searchset([])),
  ok200(searchset([claim('a', '2026-03-02', 'professional', [claimItem(1, '99214', 131.15), claimItem(2, '85025', 10.66, 'e9')]),
    claim('b', '2026-03-05', 'professional', [claimItem(1, '36415', 112.41600000000001)]),
    claim('c', '2026-03-09', 'institutional', [claimItem(1, '99213', 5)]), claim('d', '2026-03-09', 'professional', [], 'p2')])),
] });
const carcAdj = (group, code, value) => ({ category: { coding: [{ code: 'adjustment' }] },
  reason: { coding: [{ system: 'https://x12.org/codes/claim-adjustment-reason-codes', code },
    { system: 'urn:ehrterm:x12:claim-adjustment-group-code', code: group }] }, amount: usd(value) });
bill(7, { entry: [ok200({ resourceType: 'Patient', id: 'p1' }), ok200(searchset([])),
  ok200(searchset([{ resourceType: 'ChargeItem', id: 'ci1', status: 'billed', code: { coding: [{ code: '99213' }] },
    subject: { reference: 'Patient/p1' }, occurrenceDateTime: '2026-03-01', quantity: { value: 1 },
    extension: [{ url: 'urn:ehrterm:fhir:extension:chargeitem-unit-price', valueMoney: usd(112.41) }] }])),
  ok200(searchset([{ resourceType: 'ClaimResponse', id: 'cr1', patient: { reference: 'Patient/p1' },
    insurer: { display: 'Acme Health Plan' }, payment: { date: '2026-03-15', amount: usd(70) },
    item: [{ itemSequence: 1, adjudication: [{ category: { coding: [{ code: 'benefit' }] }, amount: usd(70) },
      carcAdj('CO', '45', 12.41), carcAdj('PR', '2', 20), carcAdj('OA', '94', -0.1)] }] }])),
  ok200(searchset([{ resourceType: 'PaymentNotice', id: 'pn1', request: { reference: 'Patient/p1' }, paymentDate: '2026-03-01',
    amount: usd(25), extension: [{ url: 'urn:ehrterm:fhir:extension:patient-payment-kind', valueCode: 'copay' }] }])),
  ok200({ resourceType: 'Bundle', type: 'searchset', total: 1 }),
] });
// The clinic's aging (also byte 7, which runs every batch reader): charges with their
// patients, answers, payments, claims with their insurer, active coverages; a denial, a
// deductible, an appeal paid, a self-pay patient, an amount in euros and one not in cents.
const agedCharge = (id, patient, day, value, currency = 'USD') => ({ resourceType: 'ChargeItem', id, status: 'billed',
  code: { coding: [{ code: '99213' }] }, subject: { reference: `Patient/${patient}` }, occurrenceDateTime: day,
  extension: [{ url: 'urn:ehrterm:fhir:extension:chargeitem-unit-price', valueMoney: { value, currency } }] });
const agedAnswer = (id, patient, claimId, date, items) => ({ resourceType: 'ClaimResponse', id, status: 'active',
  patient: { reference: `Patient/${patient}` }, insurer: { reference: 'Organization/acme', display: 'Acme' },
  request: { reference: `Claim/${claimId}` }, payment: { date }, item: items });
const agedPaid = (value) => ({ category: { coding: [{ code: 'benefit' }] }, amount: usd(value) });
bill(7, { resourceType: 'Bundle', type: 'batch-response', entry: [
  ok200(searchset([agedCharge('c1', 'p1', '2026-11-20', 100), agedCharge('c2', 'p1', '2026-10-10', 100),
    agedCharge('c3', 'p1', '2026-08-01', 100), agedCharge('c4', 'p2', '2026-09-15', 100), agedCharge('c5', 'p2', '2026-09-15', 40, 'EUR'),
    agedCharge('c6', 'p1', 'x', 12.345), { resourceType: 'Patient', id: 'p1', name: [{ family: 'Insured', given: ['Ann'] }] }])),
  ok200(searchset([agedAnswer('r1', 'p1', 'k1', '2026-11-30', [{ itemSequence: 1, adjudication: [agedPaid(60),
    carcAdj('CO', '45', 10), carcAdj('CO', '45', -0.5), carcAdj('PR', '2', 20.5)] }]),
  agedAnswer('r3', 'p1', 'k3', '2026-08-20', [{ itemSequence: 1, adjudication: [agedPaid(0), carcAdj('CO', '50', 100)] },
    { itemSequence: 2, adjudication: [agedPaid(0), carcAdj('PR', '1', 100)] }]),
  agedAnswer('r4', 'p1', 'k3', '2026-09-20', [{ itemSequence: 1, adjudication: [agedPaid(100), carcAdj('CO', '50', -100)] }])])),
  ok200(searchset([{ resourceType: 'PaymentNotice', id: 'pn1', request: { reference: 'Patient/p2' }, paymentDate: '2026-10-01',
    amount: usd(30) }, { resourceType: 'PaymentNotice', id: 'pn2', request: { reference: 'Patient/p1' }, created: '2026-11-20',
    amount: usd(25) }])),
  ok200(searchset([claim('k1', '2026-11-20', 'professional', [claimItem(1, '99213', 100)]),
    claim('k3', '2026-08-01', 'professional', [claimItem(1, '99213', 100), claimItem(2, '36415', 100)]),
    { resourceType: 'Organization', id: 'acme', name: 'Acme Health Plan' }])),
  ok200(searchset([{ resourceType: 'Coverage', id: 'cov1', status: 'active', beneficiary: { reference: 'Patient/p1' } }])),
] });

// --- chart: a reader byte (0 the cover sheet and its rows, 1 a pane's page, 2 the labs
// list, 3 a trend, whose byte / 4 also sizes its plot), then JSON about Patient/p1. The
// unit tests' fixtures (the sandbox's real answers) with their patient made p1, and each
// Synthea patient's labs as the labs list and a trend would read them.
function chartSeed(which, value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  put('chart', Buffer.concat([Buffer.from([which]), Buffer.from(text)]));
}
const asP1 = (text) => text.replace(/(Patient\/)[0-9a-f-]{36}/g, '$1p1')
  .replace(/("resourceType":\s*"Patient",\s*"id":\s*")[0-9a-f-]{36}"/g, '$1p1"');
const fixture = (name) => fs.readFileSync(src('tests/unit/data', name), 'utf8');
chartSeed(0, asP1(fixture('chart-cover-quigley.json')));
// Immunizations due: the cover with other forecasts in its last entry (the fixture's are the
// sandbox's): a vaccine two forecasts disagree on, one given since, one named by its disease
// only, a dose in words, dates missing or partial, another patient's forecast.
{
  const cvx = (code) => [{ coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code, display: `Vaccine ${code}` }] }];
  const status = (code) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/immunization-recommendation-status', code }] });
  const when = (code, value) => ({ code: { coding: [{ system: 'http://loinc.org', code }] }, value });
  const forecast = (id, date, recommendation, patient = 'Patient/p1') => ({ fullUrl: `${base}/ImmunizationRecommendation/${id}`,
    resource: { resourceType: 'ImmunizationRecommendation', id, patient: { reference: patient }, date, recommendation }, search: { mode: 'match' } });
  const recs = [
    { vaccineCode: cvx('140'), forecastStatus: status('due'), dateCriterion: [when('30981-5', '2026-10-01'), when('30980-7', '2026-11-02')], doseNumberPositiveInt: 1, seriesDosesPositiveInt: 1 },
    { vaccineCode: cvx('115'), forecastStatus: status('overdue'), dateCriterion: [when('59778-1', '2026')], doseNumberString: 'booster' },
    { targetDisease: { text: 'Shingles' }, forecastStatus: status('due') },
    { vaccineCode: cvx('33'), forecastStatus: status('complete') },
  ];
  const cover = JSON.parse(asP1(fixture('chart-cover-quigley.json')));
  for (const entry of [
    [forecast('f2', '2026-11-29T08:00:00Z', recs), forecast('f1', '2025-01-01', [{ vaccineCode: cvx('33'), forecastStatus: status('due') }])],
    [forecast('f3', '2026-11-29', recs), forecast('f4', '2026-11-29', recs, 'Patient/p2')],
  ]) {
    cover.entry[cover.entry.length - 1] = { response: { status: '200' }, resource: { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry } };
    chartSeed(0, cover);
  }
}
chartSeed(2, asP1(fixture('labs-page-schimmel.json')));
for (let w = 0; w < 4; w++) chartSeed(3 + 4 * w * 17, asP1(fixture('labs-trend-schimmel.json')));
const setOf = (resources, mode = 'match') => resources.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r, search: { mode } }));
const entries = (entry) => ({ resourceType: 'Bundle', type: 'searchset', total: entry.length, entry });
for (const f of files('tests/sandbox/data/synthea', '.json')) {
  const bundle = JSON.parse(fs.readFileSync(f, 'utf8'));
  const local = new Map(bundle.entry.map((e) => [e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`]));
  const patientRef = bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.fullUrl;
  const fix = (r) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'reference' && typeof v === 'string'
    ? (v === patientRef ? 'Patient/p1' : local.get(v) ?? v) : v)));
  const all = bundle.entry.map((e) => fix(e.resource));
  const newest = (a, b) => ((a.effectiveDateTime ?? '') < (b.effectiveDateTime ?? '') ? 1 : -1);
  const labsOf = all.filter((r) => r.resourceType === 'Observation' && r.category?.[0]?.coding?.[0]?.code === 'laboratory').sort(newest);
  const reports = all.filter((r) => r.resourceType === 'DiagnosticReport').sort(newest).slice(0, 20);
  const included = new Set(reports.flatMap((d) => (d.result ?? []).map((x) => x.reference)));
  const ok = (resource) => ({ response: { status: '200 OK' }, resource });
  chartSeed(2, { resourceType: 'Bundle', type: 'batch-response', entry: [
    ok(entries([...setOf(reports), ...setOf(labsOf.filter((o) => included.has(`Observation/${o.id}`)), 'include')])),
    ok(entries(setOf(labsOf.slice(0, 50)))),
  ] });
  const byCode = new Map();
  for (const o of labsOf) {
    const c = o.code?.coding?.[0]?.code;
    byCode.set(c, [...(byCode.get(c) ?? []), o]);
  }
  for (const [code, values] of byCode) {
    if (values.length < 2) continue;
    // Made the trend's analyte, so the trend reads them.
    const as = values.map((o) => ({ ...o, code: { ...o.code, coding: [{ system: 'http://loinc.org', code: '4548-4' }, ...(o.code?.coding ?? [])] } }));
    chartSeed(3 + 4 * (values.length % 60), entries(setOf(code === '4548-4' ? values : as)));
  }
  for (const type of ['Condition', 'AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Observation']) {
    const rows = all.filter((r) => r.resourceType === type).slice(0, 20);
    if (rows.length) chartSeed(1, entries(setOf(rows)));
  }
}
// Paging: a full page of reports of one instant, and one ending at an older one.
const report = (i, when) => ({ resourceType: 'DiagnosticReport', id: `r${i}`, status: 'final', code: { text: `Panel ${i}` },
  subject: { reference: 'Patient/p1' }, effectiveDateTime: when, result: [{ reference: `Observation/o${i}` }] });
const result = (i, when) => ({ resourceType: 'Observation', id: `o${i}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] },
  subject: { reference: 'Patient/p1' }, effectiveDateTime: when, valueQuantity: { value: 90 + i, unit: 'mg/dL' },
  interpretation: [{ coding: [{ code: i % 3 ? 'H' : 'L' }] }], referenceRange: [{ low: { value: 70 }, high: { value: 99 } }] });
for (const sameInstant of [true, false]) {
  const when = (i) => (sameInstant ? '2020-01-01T08:00:00+00:00' : `2020-01-${String(20 - i).padStart(2, '0')}T08:00:00+00:00`);
  chartSeed(2, { resourceType: 'Bundle', type: 'batch-response', entry: [
    { response: { status: '200' }, resource: entries([...setOf(Array.from({ length: 20 }, (_, i) => report(i, when(i)))),
      ...setOf(Array.from({ length: 20 }, (_, i) => result(i, when(i))), 'include')]) },
    { response: { status: '200' }, resource: entries(setOf([result(99, '2020-01-10T12:00:00+00:00')])) },
  ] });
}

// --- jws: a reader byte (0 a JWS, a newline, the text it claims to sign; 1 a Provenance or
// a searchset of them, a NUL, the text of note n1; 2 a DocumentReference; 3 a Binary read
// as Binary/b1), then the input. The unit tests' signatures made by another program, and
// notes as ehrterm writes them and as Synthea's patients hold them.
function jwsSeed(which, ...parts) {
  const buf = (p) => (Buffer.isBuffer(p) ? p : Buffer.from(typeof p === 'string' ? p : JSON.stringify(p)));
  put('jws', Buffer.concat([Buffer.from([which]), ...parts.map(buf)]));
}
const noteText = fs.readFileSync(src('tests/unit/data', 'note-signed-body.txt'));
const NUL = Buffer.from([0]);
const provenanceOf = (jws, who = 'Practitioner/dr1') => ({
  resourceType: 'Provenance', id: 'pv1', target: [{ reference: 'DocumentReference/n1' }], recorded: '2026-12-02T10:00:00Z',
  agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] },
    who: { reference: 'Practitioner/dr1' } }],
  signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }], when: '2026-12-02T10:00:00Z',
    who: { reference: who }, sigFormat: 'application/jose', data: Buffer.from(jws).toString('base64') }],
});
for (const f of ['note-signed-es256.jws', 'note-signed-rs256.jws']) {
  const jws = fs.readFileSync(src('tests/unit/data', f), 'utf8').trim();
  const [h, , sig] = jws.split('.');
  jwsSeed(0, jws, '\n', noteText);
  jwsSeed(0, `${h}..`, '\n', noteText);
  jwsSeed(0, `${h}.${noteText.toString('base64url')}.${sig}`, '\n', noteText);
  jwsSeed(1, provenanceOf(jws), NUL, noteText);
  jwsSeed(1, provenanceOf(jws, 'Practitioner/dr2'), NUL, noteText);
  jwsSeed(1, { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: provenanceOf('e30..AAAA') }, { resource: provenanceOf(jws) }] },
    NUL, noteText);
}
for (const header of [{ alg: 'none' }, { alg: 'HS256', x5c: ['AAAA'] }, { alg: 'ES256', crit: ['b64'], b64: false }, {}]) {
  jwsSeed(0, `${Buffer.from(JSON.stringify(header)).toString('base64url')}..AAAA`, '\n', noteText);
}
const noteOf = (extra) => ({
  resourceType: 'DocumentReference', id: 'n1', meta: { versionId: '2', tag: [{ system: 'urn:ehrterm:note-status', code: 'draft' }] },
  status: 'current', docStatus: 'preliminary', type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
  subject: { reference: 'Patient/p1' }, author: [{ reference: 'Practitioner/dr1' }], date: '2026-12-02T09:30:00Z',
  context: { encounter: [{ reference: 'Encounter/e1' }] },
  content: [{ attachment: { contentType: 'text/plain; charset=utf-8', url: 'Binary/b1', size: noteText.length } }], ...extra,
});
jwsSeed(2, noteOf({}));
jwsSeed(2, noteOf({ docStatus: 'final', authenticator: { reference: 'Practitioner/dr1' } }));
jwsSeed(2, noteOf({ docStatus: 'final', relatesTo: [{ code: 'appends', target: { reference: 'DocumentReference/n0' } }] }));
jwsSeed(2, noteOf({ status: 'superseded', docStatus: 'final' }));
jwsSeed(2, noteOf({ status: 'entered-in-error' }));
jwsSeed(3, { resourceType: 'Binary', id: 'b1', meta: { versionId: '3' }, contentType: 'text/plain; charset=utf-8', data: noteText.toString('base64') });
jwsSeed(3, { resourceType: 'Binary', id: 'b1', data: 'not*base64' });
for (const f of files('tests/sandbox/data/synthea', '.json')) {
  const docs = (JSON.parse(fs.readFileSync(f, 'utf8')).entry || []).map((e) => e.resource)
    .filter((r) => r.resourceType === 'DocumentReference').slice(0, 2);
  for (const d of docs) jwsSeed(2, { ...d, subject: { reference: 'Patient/p1' } });
}

// --- vitals: a reader byte (0-8 a sign, in vitals.h's order: BP, pulse, resp, temp, SpO2,
// height, weight, BMI, head; 9 a set, a line a sign; 10 a server's quantity), a byte whose
// low bit is the clinic's units (0 US, 1 metric), then what was typed, or for a quantity
// eight bytes of a double (little-endian, as the fuzzer's machine), a lab byte and the unit.
function vitalsSeed(which, units, text) {
  put('vitals', Buffer.concat([Buffer.from([which, units]), Buffer.isBuffer(text) ? text : Buffer.from(text)]));
}
const typed = [
  [0, ['120/80', '120 / 80 mmHg', '95/60mm', '180/110', '80/120']],
  [1, ['72', '72 bpm', '60/min', '180']],
  [2, ['16', '16/min', '40 min']],
  [3, ['98.6F', '98.6', '37C', '37', '37 \u00b0C', '98,6 degF', '39.2 cel']],
  [4, ['98', '98%', '100', '85 %']],
  [5, ['5\'9"', '5 ft 9 in', '5\' 9.5"', '69in', '69', '175cm', '175', '1.75m', '6\'', '20 inches']],
  [6, ['154lb', '154', '70kg', '70', '7 lb 3 oz', '7lb 15oz', '3400g', '112 oz', '154 lbs', '154#']],
  [7, ['27.7', '']],
  [8, ['18in', '46cm', '46', '18.5 inch']],
];
for (const [sign, texts] of typed)
  for (const t of texts) for (const units of [0, 1]) vitalsSeed(sign, units, t);
for (const units of [0, 1]) {
  vitalsSeed(9, units, ['120/80', '72', '16', '98.6F', '98', '5\'9"', '154lb', '', '18in'].join('\n'));
  vitalsSeed(9, units, ['118/76', '64', '14', '37C', '99', '175cm', '70kg', '', ''].join('\n'));
  // Needs a second look: 700 kg, a systolic below the diastolic, a baby's head.
  vitalsSeed(9, units, ['80/120', '300', '2', '45C', '40', '30cm', '700kg', '', '20cm'].join('\n'));
}
// The sample data's vital signs as a server sends them, for the display's rounding.
const quantities = new Map();
for (const f of files('tests/sandbox/data/synthea', '.json')) {
  for (const e of JSON.parse(fs.readFileSync(f, 'utf8')).entry || []) {
    const o = e.resource;
    if (o.resourceType !== 'Observation') continue;
    for (const q of [o.valueQuantity, ...(o.component || []).map((c) => c.valueQuantity)]) {
      if (q && typeof q.value === 'number') quantities.set(`${q.value}|${q.unit ?? q.code ?? ''}`, q);
    }
  }
}
const quantitySeed = (value, lab, unit) => {
  const d = Buffer.alloc(8);
  d.writeDoubleLE(value);
  vitalsSeed(10, d[0], Buffer.concat([d.subarray(1), Buffer.from([lab]), Buffer.from(unit)]));
};
for (const q of [...quantities.values()].slice(0, 400)) for (const lab of [0, 1]) quantitySeed(q.value, lab, q.unit ?? q.code ?? '');
for (const [v, u] of [[174.0511726769968, 'cm'], [-0.04, ''], [1e300, 'kg'], [0.005, 'mg/dL'], [999999999999.99, 'Cel'],
  [NaN, 'mm[Hg]'], [-Infinity, '{score}'], [37.04, 'Cel'], [98.6, '[degF]']]) for (const lab of [0, 1]) quantitySeed(v, lab, u);

// --- oauth: a reader byte (0 a SMART configuration or server metadata; 1 a status byte and
// a device authorization answer, then the same as a poll's; 2 a status byte and a token
// answer; 3 a permissions byte and a granted scope string), as fuzz_oauth.c reads them.
const AUTH = 'https://auth.example.org';
const oauthSeed = (which, extra, body) => put('oauth', Buffer.concat([Buffer.from([which, ...extra]),
  Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))]));
const smart = {
  issuer: AUTH, token_endpoint: `${AUTH}/token`, device_authorization_endpoint: `${AUTH}/device`,
  revocation_endpoint: `${AUTH}/revoke`, jwks_uri: `${AUTH}/jwks`,
  mtls_endpoint_aliases: { token_endpoint: 'https://mtls.example.org/token' },
  capabilities: ['launch-standalone', 'client-public', 'permission-v2', 'permission-offline', 'permission-user', 'sso-openid-connect'],
  grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', 'authorization_code'],
  scopes_supported: ['openid', 'fhirUser', 'offline_access', 'user/*.cruds'],
  tls_client_certificate_bound_access_tokens: true,
};
oauthSeed(0, [], smart);
oauthSeed(0, [], { issuer: AUTH, token_endpoint: `${AUTH}/token` });
oauthSeed(0, [], { ...smart, token_endpoint: 'http://evil.example.org/token' });
oauthSeed(0, [], { ...smart, device_authorization_endpoint: 'https://a/\u001b[2J', revocation_endpoint: 'https://u:p@a/r#x' });
oauthSeed(0, [], { ...smart, capabilities: 'permission-v2', grant_types_supported: [1, null] });
oauthSeed(0, [], '[]');
const deviceAnswer = {
  device_code: 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS', user_code: 'WDJB-MJHT',
  verification_uri: `${AUTH}/device`, verification_uri_complete: `${AUTH}/device?user_code=WDJB-MJHT`,
  expires_in: 1800, interval: 5,
};
for (const status of [0, 3, 6]) {
  oauthSeed(1, [status], deviceAnswer);
  oauthSeed(1, [status], { ...deviceAnswer, interval: undefined, expires_in: '600', verification_uri_complete: undefined });
  oauthSeed(1, [status], { ...deviceAnswer, user_code: '\u001b]0;x\u0007', verification_uri: 'javascript:x' });
  oauthSeed(1, [status], { ...deviceAnswer, expires_in: 1e308, interval: -1 });
  oauthSeed(1, [status], { error: 'slow_down' });
  oauthSeed(1, [status], { error: 'authorization_pending', error_description: 'Waiting for the user' });
  oauthSeed(1, [status], { error: 'access_denied', error_description: '\u001b[2Jdenied' });
  oauthSeed(1, [status], { error: 'expired_token' });
}
const jwt = (payload) => [{ alg: 'RS256', kid: 'k1' }, payload].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.c2ln';
const tokenAnswer = {
  access_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln', token_type: 'Bearer', expires_in: 3600,
  refresh_token: 'r-1.x~y', scope: 'openid fhirUser offline_access user/Patient.rs user/Appointment.cru',
  id_token: jwt({ iss: AUTH, aud: 'ehrterm', sub: 'u1', fhirUser: 'https://fhir.example.org/r4/Practitioner/dr1' }),
};
for (const status of [0, 8, 4, 14]) {
  oauthSeed(2, [status], tokenAnswer);
  oauthSeed(2, [status], { access_token: 'a', token_type: 'bearer', fhirUser: 'Practitioner/dr1' });
  oauthSeed(2, [status], { ...tokenAnswer, token_type: 'DPoP', id_token: jwt({ iss: AUTH, aud: ['x', 'ehrterm'], fhirUser: 'Patient/p1' }) });
  oauthSeed(2, [status], { ...tokenAnswer, id_token: jwt({ iss: 'https://evil', aud: 'ehrterm', fhirUser: 'Device/d1' }) });
  oauthSeed(2, [status], { error: 'invalid_grant', error_description: 'Refresh token expired' });
  oauthSeed(2, [status], { error: 'unsupported_token_type' });
}
oauthSeed(1, [0], deviceAnswer);
// A poll answer after a device answer is the same input: a device answer that is also a token answer.
oauthSeed(1, [0], { ...deviceAnswer, interval: 1, ...tokenAnswer });
for (const granted of ['openid fhirUser user/Patient.rs user/Appointment.cru', 'user/*.cruds', 'user/*.read user/Slot.write',
  'patient/Patient.rs system/*.* user/Observation.rs?category=vital-signs user/Condition.sr', '  openid\tuser/Patient.* ', 'a"b\\c'])
  for (const perms of [0x12, 0x1f, 0x05]) oauthSeed(3, [perms], granted);

// --- dictionaries made from the tables, so they follow the code.
writeDict('cfg.dict', [
  ...options.map((o) => `${o} = `), ...options,
  '[profile ', ']', ' = ', '"', '\\"', '\\\\', '#', ';', '\ufeff', '\r\n',
  'https://', 'http://', ':443', ':0', '/fhir', '?', '#x', 'user:pass@', '~/', '~root/', '/',
  'sha256//', '=', '1h', '30m', '90s', '1h30m', 'default', 'vi', 'emacs',
  // auth = smart and its keys: the values, and the pieces of a SMART v2 scope.
  'mtls', 'smart', 'keyring', 'ehrterm', 'patient/', 'user/', 'system/', 'Patient', '*', '.',
  '.rs', '.cruds', '.read', '.write', '.*', '?category=', '&', '|', 'openid', 'fhirUser',
  'offline_access', 'launch/patient',
]);
const contexts = ['global', 'list', 'form', 'pager', 'prompt', 'dialog', 'home', 'help',
  'patients', 'schedule'];
writeDict('keys.dict', [
  'bind ', 'unbind ', '\n', '\r\n', '# ', '\t', ...contexts.map((c) => `${c} `), ...actions,
  'M-', '^', '^?', '^@', 'U+', 'U+200E', 'Key-', 'F', 'F63', 'Esc', 'Escape', 'Enter', 'Return',
  'Tab', 'BTab', 'BackTab', 'Space', 'Backspace', 'BSpace', 'Delete', 'Del', 'Insert', 'Ins',
  'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PgUp', 'PageUp', 'PgDn', 'PageDown', 'KPEnter',
  '\u00e9', '\u200e', '\ufeff',
]);

for (const [target, n] of Object.entries(counts).sort()) console.log(`seeds: ${target}: ${n}`);
