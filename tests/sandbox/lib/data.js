// The sandbox's data: the sample files under data/ plus a small clinic made up
// from a seed (practitioners, schedules, 15-minute slots for 14 working days,
// today's booked appointments, insurance, a fee schedule), and optionally N
// synthetic patients for benchmarks. Everything generated is deterministic for
// a given seed and server-local date; only meta.lastUpdated and times relative
// to "today" change between runs.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const DEFAULT_SEED = 'ehrterm';

// The users the test certificates name (subject CN). The CN is also an
// identifier of the Practitioner, so a client can find "who am I". The biller has
// a billing role and no schedule (issue 15).
const CERT_CN_SYSTEM = 'urn:ehrterm:cert-cn';
const STAFF_SYSTEM = 'urn:ehrterm:sandbox:staff';
const MRN_SYSTEM = 'urn:ehrterm:sandbox:mrn';
// HL7's practitioner-role codes have no billing office; the sandbox's own code says it.
const ROLE_SYSTEM = 'urn:ehrterm:sandbox:practitioner-role';

const USERS = [
  { cn: 'frontdesk', id: 'frontdesk', given: ['Robin'], family: 'Reyes', gender: 'other', staff: 'S-0001', role: 'Front desk clerk' },
  { cn: 'clinician', id: 'clinician', prefix: ['Dr.'], given: ['Amara'], family: 'Okafor', gender: 'female', staff: 'S-0002', qualification: 'MD', role: 'Family physician' },
  { cn: 'biller', id: 'biller', given: ['Dana'], family: 'Whitcombe', gender: 'female', staff: 'S-0006', role: 'Medical biller', roleCode: 'billing' },
];
// Practitioners with schedules (the clinician user is one of them).
const PROVIDERS = [
  { id: 'clinician', location: 'loc-main' },
  { id: 'lindqvist', prefix: ['Dr.'], given: ['Samuel'], family: 'Lindqvist', gender: 'male', staff: 'S-0003', qualification: 'MD', role: 'Family physician', location: 'loc-main' },
  { id: 'raman', prefix: ['Dr.'], given: ['Priya'], family: 'Raman', gender: 'female', staff: 'S-0004', qualification: 'MD', role: 'Internist', location: 'loc-annex' },
  { id: 'baptiste', given: ['Jordan'], family: 'Baptiste', gender: 'male', staff: 'S-0005', qualification: 'NP', role: 'Nurse practitioner', location: 'loc-annex' },
];
const LOCATIONS = [
  { id: 'loc-main', name: 'Sandbox Family Clinic, Main Street', line: '100 Main Street', phone: '555-010-0100' },
  { id: 'loc-annex', name: 'Sandbox Family Clinic, Riverside Annex', line: '7 River Road', phone: '555-010-0200' },
];
const PAYERS = [
  { id: 'payer-acme', name: 'Acme Health Plan', code: 'ACME1', prefix: 'ACM', plan: 'Acme PPO Gold', network: 'Acme PPO', copay: 25 },
  { id: 'payer-evergreen', name: 'Evergreen Mutual Insurance', code: 'EVGRN', prefix: 'EVM', plan: 'Evergreen HMO', network: 'Evergreen HMO', copay: 30 },
  { id: 'payer-harbor', name: 'Harbor Medicaid Plan (sandbox)', code: 'HRBMD', prefix: 'HMP', plan: 'Harbor Standard', network: 'Harbor', copay: 0 },
  { id: 'payer-silver', name: 'Silverline Senior Advantage', code: 'SLVRA', prefix: 'SSA', plan: 'Silverline Advantage', network: 'Silverline', copay: 15 },
];
// Fee schedule: CPT code, our own short wording, price in USD (a decimal with
// two significant cents, so JSON keeps the exact value).
const FEES = [
  ['99202', 'New patient office visit, straightforward', 74.25],
  ['99203', 'New patient office visit, low complexity', 113.85],
  ['99204', 'New patient office visit, moderate complexity', 169.95],
  ['99205', 'New patient office visit, high complexity', 224.15],
  ['99211', 'Established patient visit, minimal', 24.35],
  ['99212', 'Established patient visit, straightforward', 58.95],
  ['99213', 'Established patient visit, low complexity', 92.47],
  ['99214', 'Established patient visit, moderate complexity', 131.15],
  ['99215', 'Established patient visit, high complexity', 184.65],
  ['99396', 'Preventive visit, established patient, 40-64 years', 162.35],
  ['99397', 'Preventive visit, established patient, 65 years and over', 174.85],
  ['36415', 'Venous blood draw', 3.05],
  ['81002', 'Urinalysis by dipstick, no microscopy', 3.57],
  ['82962', 'Blood glucose by home monitoring device', 3.28],
  ['85025', 'Complete blood count with differential', 10.66],
  ['80053', 'Comprehensive metabolic panel', 14.49],
  ['87880', 'Rapid strep antigen test', 16.53],
  ['90471', 'Vaccine administration, first injection', 25.87],
  ['90686', 'Influenza vaccine, quadrivalent, preservative free', 21.46],
  ['93000', 'Electrocardiogram with interpretation and report', 17.45],
  ['94010', 'Spirometry', 36.35],
  ['69210', 'Removal of impacted ear wax, one ear', 54.15],
];
const REASONS = [
  ['ROUTINE', 'Annual physical'],
  ['FOLLOWUP', 'Follow-up: blood pressure'],
  ['ROUTINE', 'Cough and fever'],
  ['FOLLOWUP', 'Medication review'],
  ['FOLLOWUP', 'Diabetes check'],
  ['ROUTINE', 'Knee pain'],
  ['CHECKUP', 'Vaccination'],
  ['FOLLOWUP', 'Lab results review'],
];
const APPT_TYPE_DISPLAY = {
  ROUTINE: 'Routine appointment - default if not valued',
  FOLLOWUP: 'A follow up visit from a previous appointment',
  CHECKUP: 'A routine check-up, such as an annual physical',
  WALKIN: 'A previously unscheduled walk-in visit',
};

// --- small helpers ------------------------------------------------------------

/** mulberry32 seeded from a string: deterministic, good enough for test data. */
function prng(seed) {
  let h = 2166136261;
  for (const c of String(seed)) {
    h = Math.imul(h ^ c.codePointAt(0), 16777619);
  }
  let a = h >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  return next;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
const localDate = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
function localDateTime(d) {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}
const compact = (d) => `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
const cc = (system, code, display, text) => ({ coding: [{ system, code, ...(display ? { display } : {}) }], ...(text ? { text } : {}) });
const ref = (r, display) => ({ reference: `${r.resourceType}/${r.id}`, ...(display ? { display } : {}) });
const personName = (p) => [...(p.prefix ?? []), ...(p.given ?? []), p.family].join(' ');
function displayName(resource) {
  if (resource.resourceType === 'Patient' || resource.resourceType === 'Practitioner' || resource.resourceType === 'RelatedPerson') {
    const n = resource.name?.[0];
    return n ? [...(n.given ?? []), n.family].filter(Boolean).join(' ') : undefined;
  }
  return typeof resource.name === 'string' ? resource.name : undefined;
}

/**
 * The 14 days that have slots: today (always, even on a weekend, so tests of
 * "today" work any day) and then the following Monday-Friday days.
 */
function slotDays(now) {
  const days = [new Date(now.getFullYear(), now.getMonth(), now.getDate())];
  for (let d = new Date(days[0]); days.length < 14; ) {
    d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
    if (d.getDay() >= 1 && d.getDay() <= 5) {
      days.push(d);
    }
  }
  return days;
}

// --- the loader ---------------------------------------------------------------

/**
 * Fills the repository. opts: { dataDir, noData, seed, scale, observations,
 * practitioners, appointmentsPerDay, now, certs } (see README.md, "Data"; certs, the
 * certificates directory, signs the sample notes).
 * Returns { users: Map(cn -> { reference, display }), counts, timings }.
 */
function loadData(repo, opts) {
  const now = opts.now ?? new Date();
  const lastUpdated = now.toISOString();
  const rng = prng(opts.seed ?? DEFAULT_SEED);
  const timings = {};
  let t = Date.now();
  const lap = (name) => {
    timings[name] = Date.now() - t;
    t = Date.now();
  };
  const put = (resource) => repo.load(resource, lastUpdated);

  // Users first: they exist even with --no-data.
  const users = new Map();
  for (const u of USERS) {
    const p = practitioner(u);
    put(p);
    users.set(u.cn, ref(p, personName(u)));
  }
  if (opts.noData) {
    return { users, counts: repo.counts(), timings };
  }

  // The clinic: organization, locations, practitioners and their roles, payers.
  const clinic = {
    resourceType: 'Organization',
    id: 'clinic',
    identifier: [{ system: 'urn:ehrterm:sandbox:org', value: 'CLINIC' }],
    active: true,
    type: [cc('http://terminology.hl7.org/CodeSystem/organization-type', 'prov', 'Healthcare Provider')],
    name: 'Sandbox Family Clinic',
    telecom: [{ system: 'phone', value: '555-010-0100', use: 'work' }],
    address: [{ line: ['100 Main Street'], city: 'Springfield', state: 'MA', postalCode: '01101', country: 'US' }],
  };
  put(clinic);
  const locations = {};
  for (const l of LOCATIONS) {
    locations[l.id] = {
      resourceType: 'Location',
      id: l.id,
      status: 'active',
      name: l.name,
      mode: 'instance',
      type: [cc('http://terminology.hl7.org/CodeSystem/v3-RoleCode', 'OF', 'Outpatient facility')],
      telecom: [{ system: 'phone', value: l.phone, use: 'work' }],
      address: { line: [l.line], city: 'Springfield', state: 'MA', postalCode: '01101', country: 'US' },
      managingOrganization: ref(clinic, clinic.name),
    };
    put(locations[l.id]);
  }
  const providers = PROVIDERS.map((p) => {
    const info = { ...USERS.find((u) => u.id === p.id), ...p };
    if (!USERS.some((u) => u.id === p.id)) {
      put(practitioner(info));
    }
    return info;
  });
  // --practitioners P: more of them, from their own random stream, so the seeded
  // clinic (and everything drawn after it) is the same with or without them.
  const extra = extraPractitioners(opts.practitioners ?? 0, prng(`${opts.seed ?? DEFAULT_SEED}/practitioners`));
  extra.forEach((p) => put(practitioner(p)));
  for (const p of [...USERS.filter((u) => !PROVIDERS.some((x) => x.id === u.id)), ...providers, ...extra]) {
    put({
      resourceType: 'PractitionerRole',
      id: `role-${p.id}`,
      active: true,
      practitioner: { reference: `Practitioner/${p.id}`, display: personName(p) },
      organization: ref(clinic, clinic.name),
      code: [
        p.qualification
          ? cc('http://terminology.hl7.org/CodeSystem/practitioner-role', 'doctor', 'Doctor', p.role)
          : p.roleCode
            ? cc(ROLE_SYSTEM, p.roleCode, p.roleCode === 'billing' ? 'Billing' : p.roleCode, p.role)
            : { text: p.role },
      ],
      location: [ref(locations[p.location ?? 'loc-main'], locations[p.location ?? 'loc-main'].name)],
    });
  }
  const payers = PAYERS.map((p) => {
    const org = {
      resourceType: 'Organization',
      id: p.id,
      identifier: [{ system: 'urn:ehrterm:sandbox:payer', value: p.code }],
      active: true,
      type: [cc('http://terminology.hl7.org/CodeSystem/organization-type', 'pay', 'Payer')],
      name: p.name,
      telecom: [{ system: 'phone', value: `555-020-${pad(PAYERS.indexOf(p) + 1, 4)}`, use: 'work' }],
    };
    put(org);
    return { ...p, org, group: 1000 + 111 * PAYERS.indexOf(p) };
  });
  lap('clinic');

  // The sample patients: Synthea transaction bundles, urn:uuid references made local.
  const patients = [];
  const syntheaPractitioners = [];
  const chart = chartCollector();
  const synthea = path.join(opts.dataDir, 'synthea');
  for (const file of fs.readdirSync(synthea).filter((f) => f.endsWith('.json')).sort()) {
    const bundle = JSON.parse(fs.readFileSync(path.join(synthea, file), 'utf8'));
    const local = new Map(bundle.entry.map((e) => [e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`]));
    for (const e of bundle.entry) {
      const r = chartEnrich(rewriteReferences(e.resource, (reference) => local.get(reference) ?? reference));
      if (put(r)) {
        chart.note(r);
        if (r.resourceType === 'Patient') {
          patients.push(r);
        } else if (r.resourceType === 'Practitioner') {
          syntheaPractitioners.push(r);
        }
      }
    }
  }
  lap('synthea');
  // The chart's additions, from their own random stream so that everything drawn
  // from the main one (slots, appointments, coverage) stays as it was.
  chartAdditions(chart, patients, put, prng(`${opts.seed ?? DEFAULT_SEED}/chart`));
  require('./data-labs.js').addLabTrends(patients, put);
  require('./data-meds.js').addMedications(patients, put); // an allergy a renewal must warn of
  require('./data-chart.js').addChartData(patients, put, { now, certs: opts.certs }); // immunizations due, notes in a Binary in every status
  lap('chart');

  // HL7 R4 examples: their Patient/Practitioner/Organization/Location examples
  // are not included, so those references point at loaded resources instead;
  // references to anything else that is missing are dropped (a display, if
  // any, stays). Absolute URLs to other servers and #contained stay as written.
  const living = patients.filter((p) => !p.deceasedDateTime && !p.deceasedBoolean);
  syntheaPractitioners.sort((a, b) => (a.id < b.id ? -1 : 1));
  const mapped = new Map([
    ['Patient/example', living[0]],
    ['Patient/1', living[1]],
    ['Patient/4', living[2]],
    ['Patient/5', living[3]],
    ['Patient/f201', living[4]],
    ['Patient/pat1', living[5]],
    ['Practitioner/example', syntheaPractitioners[0]],
    ['Practitioner/1', syntheaPractitioners[1]],
    ['Practitioner/f202', syntheaPractitioners[2]],
    ['Organization/1', clinic],
    ['Organization/f001', clinic],
    ['Organization/hl7', clinic],
    ['Organization/2', payers[0].org],
    ['Organization/3', payers[1].org],
    ['Location/1', locations['loc-main']],
    ['Location/2', locations['loc-annex']],
    ['Location/3', locations['loc-annex']],
  ]);
  const examplesDir = path.join(opts.dataDir, 'hl7-r4-examples');
  const examples = fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('package'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8')));
  const exampleIds = new Set(examples.map((r) => `${r.resourceType}/${r.id}`));
  for (const r of examples) {
    put(
      rewriteReferences(r, (reference) => {
        if (!/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(reference) || exampleIds.has(reference)) {
          return reference; // #contained, absolute URL, or another example
        }
        const target = mapped.get(reference);
        if (target) {
          return { reference: `${target.resourceType}/${target.id}`, display: displayName(target) };
        }
        return undefined; // dangling: drop it
      })
    );
  }
  lap('hl7-examples');

  // Schedules and 15-minute slots (08:00-12:00, 13:00-17:00 local time).
  const days = slotDays(now);
  const slots = new Map(); // provider id -> array per day -> slots
  const extraRng = prng(`${opts.seed ?? DEFAULT_SEED}/practitioners/slots`);
  for (const p of [...providers, ...extra]) {
    const slotRng = extra.includes(p) ? extraRng : rng;
    const loc = locations[p.location];
    const schedule = {
      resourceType: 'Schedule',
      id: `sched-${p.id}`,
      identifier: [{ system: 'urn:ehrterm:sandbox:schedule', value: `sched-${p.id}` }],
      active: true,
      serviceCategory: [cc('http://terminology.hl7.org/CodeSystem/service-category', '17', 'General Practice')],
      serviceType: [cc('http://terminology.hl7.org/CodeSystem/service-type', '124', 'General Practice')],
      specialty: [cc('http://snomed.info/sct', '394814009', 'General practice')],
      actor: [{ reference: `Practitioner/${p.id}`, display: personName(p) }, ref(loc, loc.name)],
      planningHorizon: {
        start: localDateTime(days[0]),
        end: localDateTime(new Date(days[13].getFullYear(), days[13].getMonth(), days[13].getDate(), 23, 59, 59)),
      },
      comment: `${personName(p)} at ${loc.name}`,
    };
    put(schedule);
    const perDay = days.map((day) => {
      const list = [];
      for (const [from, to] of [
        [8, 12],
        [13, 17],
      ]) {
        for (let h = from; h < to; h++) {
          for (const m of [0, 15, 30, 45]) {
            const start = new Date(day.getFullYear(), day.getMonth(), day.getDate(), h, m);
            const end = new Date(start.getTime() + 15 * 60000);
            const slot = {
              resourceType: 'Slot',
              id: `slot-${p.id}-${compact(day)}-${pad(h)}${pad(m)}`,
              schedule: ref(schedule),
              status: slotRng() < 0.05 ? 'busy-unavailable' : 'free',
              start: localDateTime(start),
              end: localDateTime(end),
            };
            // The first half hour of each day is kept for walk-ins, as clinics do.
            if (h === 8 && m < 30) {
              slot.appointmentType = cc('http://terminology.hl7.org/CodeSystem/v2-0276', 'WALKIN', APPT_TYPE_DISPLAY.WALKIN);
            }
            list.push(slot);
          }
        }
      }
      return list;
    });
    slots.set(p.id, perDay);
  }
  lap('slots');

  // Booked appointments: every living sample patient has one today (round
  // robin over the providers, so each has some) and two more in the next
  // working days. Booking marks the slot busy.
  // CHOSEN: that free slot (of PROVIDER on that day) instead of a random one.
  const book = (patient, provider, dayIndex, status = 'booked', chosen = undefined) => {
    const free = chosen ? [chosen] : slots.get(provider.id)[dayIndex].filter((s) => s.status === 'free');
    if (!free.length) {
      return undefined;
    }
    const slot = chosen ?? rng.pick(free);
    slot.status = 'busy';
    const [type, reason] = rng.pick(REASONS);
    const loc = locations[provider.location];
    const appt = {
      resourceType: 'Appointment',
      id: `appt-${slot.id.slice('slot-'.length)}`,
      status,
      serviceCategory: [cc('http://terminology.hl7.org/CodeSystem/service-category', '17', 'General Practice')],
      serviceType: [cc('http://terminology.hl7.org/CodeSystem/service-type', '124', 'General Practice')],
      appointmentType: cc('http://terminology.hl7.org/CodeSystem/v2-0276', type, APPT_TYPE_DISPLAY[type]),
      reasonCode: [{ text: reason }],
      description: reason,
      start: slot.start,
      end: slot.end,
      minutesDuration: 15,
      slot: [ref(slot)],
      created: localDate(new Date(now.getTime() - (3 + rng.int(20)) * 86400000)),
      participant: [
        { actor: ref(patient, displayName(patient)), required: 'required', status: 'accepted' },
        { actor: { reference: `Practitioner/${provider.id}`, display: personName(provider) }, required: 'required', status: 'accepted' },
        { actor: ref(loc, loc.name), required: 'required', status: 'accepted' },
      ],
    };
    return appt;
  };
  const appointments = [];
  living.forEach((patient, i) => {
    const a = book(patient, providers[i % providers.length], 0);
    if (a) {
      appointments.push(a);
    }
    for (let k = 0; k < 2; k++) {
      const b = book(patient, rng.pick(providers), 1 + rng.int(days.length - 1));
      if (b) {
        appointments.push(b);
      }
    }
  });
  lap('appointments');

  // Insurance: most sample patients have coverage; one living patient is
  // self-pay and the deceased one has none. Variety on purpose: a child on a
  // parent's plan, a spouse's plan plus a secondary one, an expired old plan.
  const year = now.getFullYear();
  const coverages = [];
  const coverage = (patient, payer, { order = 1, relationship = 'self', subscriber, start = `${year - 1}-01-01`, end = `${year}-12-31`, n = 1 } = {}) => {
    const member = `${payer.prefix}${pad(100000000 + ((coverages.length * 7919 + rng.int(99999)) % 900000000), 9)}`;
    const c = {
      resourceType: 'Coverage',
      id: `cov-${patient.id.slice(0, 8)}-${n}`,
      identifier: [
        {
          type: cc('http://terminology.hl7.org/CodeSystem/v2-0203', 'MB', 'Member Number'),
          system: `urn:ehrterm:sandbox:payer:${payer.code}:member`,
          value: member,
        },
      ],
      status: 'active',
      type: cc('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'HIP', 'health insurance plan policy'),
      subscriber: subscriber ? ref(subscriber, displayName(subscriber)) : ref(patient, displayName(patient)),
      subscriberId: member,
      beneficiary: ref(patient, displayName(patient)),
      ...(relationship === 'child' ? { dependent: '02' } : {}),
      relationship: cc('http://terminology.hl7.org/CodeSystem/subscriber-relationship', relationship),
      period: { start, end },
      payor: [ref(payer.org, payer.name)],
      class: [
        { type: cc('http://terminology.hl7.org/CodeSystem/coverage-class', 'group'), value: `GRP-${payer.group}`, name: `${payer.name} employer group` },
        { type: cc('http://terminology.hl7.org/CodeSystem/coverage-class', 'plan'), value: payer.code + '-P1', name: payer.plan },
      ],
      order,
      network: payer.network,
      costToBeneficiary: [
        {
          type: cc('http://terminology.hl7.org/CodeSystem/coverage-copay-type', 'gpvisit', 'GP Office Visit'),
          valueMoney: { value: payer.copay, currency: 'USD' },
        },
      ],
    };
    coverages.push(c);
    return c;
  };
  const related = (patient, id, given, relationship, gender) => {
    const r = {
      resourceType: 'RelatedPerson',
      id,
      active: true,
      patient: ref(patient, displayName(patient)),
      relationship: [cc('http://terminology.hl7.org/CodeSystem/v3-RoleCode', relationship)],
      name: [{ family: patient.name[0].family, given: [given] }],
      gender,
    };
    put(r);
    return r;
  };
  living.forEach((patient, i) => {
    if (i === living.length - 2) {
      return; // self-pay
    }
    const born = Number(patient.birthDate.slice(0, 4));
    const payer = year - born >= 65 ? payers[3] : payers[i % 3];
    if (year - born < 18) {
      const parent = related(patient, `rp-${patient.id.slice(0, 8)}-parent`, 'Maria', 'PRN', 'female');
      coverage(patient, payer, { relationship: 'child', subscriber: parent });
    } else if (i === 4) {
      const spouse = related(patient, `rp-${patient.id.slice(0, 8)}-spouse`, 'Harold', 'SPS', 'male');
      coverage(patient, payers[0], { relationship: 'spouse', subscriber: spouse });
      coverage(patient, payers[1], { order: 2, n: 2 });
    } else {
      coverage(patient, payer);
    }
    if (i === 0) {
      coverage(patient, payers[2], { start: `${year - 3}-01-01`, end: `${year - 2}-12-31`, n: 9 }); // expired
    }
  });
  coverages.forEach(put);

  // A billing account per living sample patient, with its current coverages.
  for (const patient of living) {
    const covs = coverages.filter((c) => c.beneficiary.reference === `Patient/${patient.id}` && c.period.end >= localDate(now));
    put({
      resourceType: 'Account',
      id: `acct-${patient.id}`,
      status: 'active',
      type: cc('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'PBILLACCT', 'patient billing account'),
      name: `${displayName(patient)}, patient account`,
      subject: [ref(patient, displayName(patient))],
      servicePeriod: { start: `${year}-01-01` },
      ...(covs.length ? { coverage: covs.map((c) => ({ coverage: ref(c), priority: c.order })) } : {}),
      owner: ref(clinic, clinic.name),
      guarantor: [{ party: ref(patient, displayName(patient)) }],
    });
  }

  // The fee schedule.
  for (const [code, text, price] of FEES) {
    put({
      resourceType: 'ChargeItemDefinition',
      id: `fee-${code}`,
      url: `urn:ehrterm:sandbox:fee-schedule:${code}`,
      version: String(year),
      title: text,
      status: 'active',
      date: `${year}-01-01`,
      publisher: clinic.name,
      code: cc('http://www.ama-assn.org/go/cpt', code, text),
      propertyGroup: [{ priceComponent: [{ type: 'base', amount: { value: price, currency: 'USD' } }] }],
    });
  }
  addIcd10Codings(repo); // billing's region: see the functions
  addNpis(repo);
  require('./data-billing').addBillingHistory(repo, put, { now, clinic, payers, living, coverages, fees: FEES });
  require('./data-billing').addWrappedUpVisit(put, { now, clinic, living }); // charge capture starts from it
  lap('billing');

  const warnings = [];
  if (opts.scale > 0) {
    const short = addScalePatients(repo, put, {
      n: opts.scale,
      observations: opts.observations ?? 10,
      appointmentsPerDay: opts.appointmentsPerDay,
      rng: prng(`${opts.seed ?? DEFAULT_SEED}/scale`),
      now,
      providers: [...providers, ...extra],
      slots,
      days,
      clinic,
      locations,
      payers,
      coverage,
      book,
      appointments,
    });
    if (short) {
      warnings.push(`--appointments-per-day ${opts.appointmentsPerDay}: ${short} appointments did not fit in the free slots of the ${days.length} days`);
    }
    coverages.forEach(put); // the sample patients' ones are already in; load() skips those
  }
  require('./data-landing').addLanding({ put, living, providers, slots, book, appointments, chart }); // the clinician's landing, notes in a Binary
  for (const perDay of slots.values()) {
    perDay.flat().forEach(put);
  }
  appointments.forEach(put);
  lap('scale');
  return { users, counts: repo.counts(), timings, warnings };
}

function deepFreeze(v) {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

function practitioner(u) {
  return {
    resourceType: 'Practitioner',
    id: u.id,
    identifier: [
      ...(USERS.some((x) => x.id === u.id) ? [{ system: CERT_CN_SYSTEM, value: u.cn }] : []),
      { system: STAFF_SYSTEM, value: u.staff },
    ],
    active: true,
    name: [{ use: 'official', family: u.family, given: u.given, ...(u.prefix ? { prefix: u.prefix } : {}) }],
    telecom: [{ system: 'phone', value: '555-010-0100', use: 'work' }],
    gender: u.gender,
    ...(u.qualification
      ? { qualification: [{ code: cc('http://terminology.hl7.org/CodeSystem/v2-0360', u.qualification, u.qualification === 'MD' ? 'Doctor of Medicine' : 'Nurse Practitioner') }] }
      : {}),
  };
}

/**
 * Returns a copy of `value` with every Reference.reference passed through
 * rewrite(reference). It returns the new reference string, or
 * { reference, display } to also replace an existing display, or undefined to
 * drop the reference: the Reference stays if it still has a display or an
 * identifier, and empty objects and arrays left behind are removed.
 */
function rewriteReferences(value, rewrite) {
  const walk = (v) => {
    if (Array.isArray(v)) {
      const out = v.map(walk).filter((x) => x !== undefined);
      return out.length ? out : undefined;
    }
    if (v && typeof v === 'object') {
      const out = {};
      let replacement;
      if (typeof v.reference === 'string') {
        replacement = rewrite(v.reference);
        if (typeof replacement === 'string') {
          replacement = { reference: replacement };
        }
      }
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string') {
          if (replacement) {
            out.reference = replacement.reference;
          }
          continue;
        }
        const w = k === 'display' && replacement?.display && v.display ? replacement.display : walk(x);
        if (w !== undefined) {
          out[k] = w;
        }
      }
      return Object.keys(out).length ? out : undefined;
    }
    return v;
  };
  return walk(value);
}

// --- the chart: what the Synthea sample lacks -------------------------------------

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const NOTE_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category';
// Typical adult reference ranges for the Synthea analytes, for test data only (not
// clinical guidance): [low, high], either may be null.
const LAB_RANGES = {
  '2339-0': [70, 99], // glucose mg/dL
  '4548-4': [4, 5.6], // HbA1c %
  '2947-0': [136, 145], // sodium mmol/L
  '6298-4': [3.5, 5.1], // potassium mmol/L
  '2069-3': [98, 107], // chloride mmol/L
  '20565-8': [22, 29], // carbon dioxide mmol/L
  '38483-4': [0.6, 1.3], // creatinine mg/dL
  '6299-2': [7, 20], // urea nitrogen mg/dL
  '49765-1': [8.5, 10.2], // calcium mg/dL
  '2093-3': [null, 200], // total cholesterol mg/dL
  '18262-6': [null, 130], // LDL mg/dL
  '2085-9': [40, null], // HDL mg/dL
  '2571-8': [null, 150], // triglycerides mg/dL
  '718-7': [12, 17.5], // hemoglobin g/dL
  '4544-3': [36, 50], // hematocrit %
  '6690-2': [4.5, 11], // leukocytes 10*3/uL
  '777-3': [150, 400], // platelets 10*3/uL
};
const FLAG = { H: 'High', L: 'Low', N: 'Normal' };

/**
 * A Synthea resource made to look like what a clinic's server holds: Conditions get
 * a category (the ones still active are on the problem list, the rest were a
 * visit's diagnosis), lab results of the analytes above a reference range and an
 * H/L/N interpretation. Deterministic: no random numbers.
 */
function chartEnrich(r) {
  if (r.resourceType === 'Condition' && !r.category) {
    const active = r.clinicalStatus?.coding?.[0]?.code === 'active';
    r.category = [
      active
        ? cc(CONDITION_CATEGORY, 'problem-list-item', 'Problem List Item')
        : cc(CONDITION_CATEGORY, 'encounter-diagnosis', 'Encounter Diagnosis'),
    ];
  }
  if (r.resourceType === 'Observation' && r.valueQuantity && r.category?.[0]?.coding?.[0]?.code === 'laboratory') {
    const range = LAB_RANGES[r.code?.coding?.[0]?.code];
    if (range && !r.referenceRange) {
      const [low, high] = range;
      const unit = { unit: r.valueQuantity.unit, system: UCUM, code: r.valueQuantity.code ?? r.valueQuantity.unit };
      r.referenceRange = [{ ...(low !== null ? { low: { value: low, ...unit } } : {}), ...(high !== null ? { high: { value: high, ...unit } } : {}) }];
      const v = r.valueQuantity.value;
      const flag = high !== null && v > high ? 'H' : low !== null && v < low ? 'L' : 'N';
      r.interpretation = [cc(INTERPRETATION, flag, FLAG[flag])];
    }
  }
  return r;
}

/** Remembers, per patient, the encounters with vital signs (latest first later). */
function chartCollector() {
  const vitals = new Map(); // Patient/id -> Map(encounter reference -> { when, codes })
  const encounters = new Map(); // Patient/id -> [Encounter]
  return {
    vitals,
    encounters,
    note(r) {
      const patient = r.subject?.reference;
      if (!patient) {
        return;
      }
      if (r.resourceType === 'Encounter') {
        (encounters.get(patient) ?? encounters.set(patient, []).get(patient)).push(r);
      } else if (r.resourceType === 'Observation' && r.encounter && r.category?.[0]?.coding?.[0]?.code === 'vital-signs') {
        const m = vitals.get(patient) ?? vitals.set(patient, new Map()).get(patient);
        const e = m.get(r.encounter.reference) ?? m.set(r.encounter.reference, { when: r.effectiveDateTime, codes: new Set() }).get(r.encounter.reference);
        e.codes.add(r.code?.coding?.[0]?.code);
      }
    },
  };
}

const NOTE_KINDS = [
  { status: 'current', docStatus: 'final', word: 'signed' },
  { status: 'current', docStatus: 'preliminary', word: 'draft' },
  { status: 'current', docStatus: 'amended', word: 'amended' },
  { status: 'entered-in-error', docStatus: 'final', word: 'entered in error' },
];

/**
 * For each living sample patient: heart rate, respiratory rate, SpO2 and
 * temperature at the last visit that had vital signs (Synthea records only
 * height, weight, BMI, blood pressure and pain), and four progress notes on the
 * last four visits, one in each status a note can have: signed, draft, amended,
 * entered in error.
 */
function chartAdditions(chart, patients, put, rng) {
  for (const patient of patients) {
    if (patient.deceasedDateTime || patient.deceasedBoolean) {
      continue;
    }
    const subject = { reference: `Patient/${patient.id}` };
    const short = patient.id.slice(0, 8);
    const visits = [...(chart.vitals.get(subject.reference) ?? new Map()).entries()].sort((a, b) => (a[1].when < b[1].when ? 1 : -1));
    if (visits.length) {
      const [encounter, { when, codes }] = visits[0];
      const vital = (suffix, code, display, value, unit, ucum) => {
        if (codes.has(code)) {
          return;
        }
        put({
          resourceType: 'Observation',
          id: `${short}-vs-${suffix}`,
          status: 'final',
          category: [cc('http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs', 'Vital Signs')],
          code: cc(LOINC, code, display, display),
          subject,
          encounter: { reference: encounter },
          effectiveDateTime: when,
          valueQuantity: { value, unit, system: UCUM, code: ucum },
        });
      };
      vital('hr', '8867-4', 'Heart rate', 58 + rng.int(40), '/min', '/min');
      vital('rr', '9279-1', 'Respiratory rate', 12 + rng.int(8), '/min', '/min');
      vital('spo2', '59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', 94 + rng.int(6), '%', '%');
      vital('temp', '8310-5', 'Body temperature', Math.round((36.4 + rng() * 1.2) * 10) / 10, 'Cel', 'Cel');
    }
    const encounters = (chart.encounters.get(subject.reference) ?? []).slice().sort((a, b) => (a.period.start < b.period.start ? 1 : -1));
    encounters.slice(0, NOTE_KINDS.length).forEach((enc, k) => {
      const kind = NOTE_KINDS[k];
      const reason = enc.type?.[0]?.text ?? 'Office visit';
      const text = [
        `Progress note (${kind.word}): ${reason}.`,
        'S: Patient seen for the visit above; no new complaints.',
        'O: Vital signs as recorded.',
        'A/P: Continue current plan; follow up as scheduled.',
      ].join('\n');
      put({
        resourceType: 'DocumentReference',
        id: `${short}-note-${k + 1}`,
        status: kind.status,
        docStatus: kind.docStatus,
        type: cc(LOINC, '11506-3', 'Progress note', 'Progress note'),
        category: [cc(NOTE_CATEGORY, 'clinical-note', 'Clinical Note')],
        subject,
        date: enc.period.end ?? enc.period.start,
        author: [{ reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' }],
        ...(kind.docStatus === 'final' || kind.docStatus === 'amended' ? { authenticator: { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' } } : {}),
        description: `${reason} (${kind.word})`,
        content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text).toString('base64'), title: 'Progress note' } }],
        context: { encounter: [{ reference: `Encounter/${enc.id}` }], period: enc.period },
      });
    });
  }
}

// --- --scale N ------------------------------------------------------------------

const GIVEN_F = ['Ava', 'Mia', 'Zoe', 'Lena', 'Nora', 'Ines', 'Hana', 'Rosa', 'Aiko', 'Leila', 'Maya', 'Ruth', 'Chloe', 'Dara', 'Elsa', 'Fatima', 'Greta', 'Ivy', 'June', 'Kira'];
const GIVEN_M = ['Liam', 'Noah', 'Omar', 'Ravi', 'Jonas', 'Mateo', 'Kofi', 'Felix', 'Hugo', 'Ivan', 'Luca', 'Arjun', 'Ben', 'Caleb', 'Diego', 'Emil', 'Gabe', 'Hiro', 'Isaac', 'Kai'];
const FAMILY = ['Abbott', 'Banerjee', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okonkwo', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Tanaka', 'Underwood', 'Varga', 'Wojcik', 'Xu', 'Yilmaz', 'Zimmer', 'Adeyemi', 'Bauer', 'Chen', 'Novak'];
const STREETS = ['Elm Street', 'Oak Avenue', 'Maple Drive', 'Cedar Lane', 'Birch Road', 'Pine Court', 'Willow Way', 'Chestnut Street'];
const CITIES = [['Springfield', '01101'], ['Chicopee', '01013'], ['Holyoke', '01040'], ['Westfield', '01085'], ['Agawam', '01001']];

// --- --practitioners P -----------------------------------------------------------

const EXTRA_ROLES = [
  { qualification: 'MD', role: 'Family physician', prefix: ['Dr.'] },
  { qualification: 'MD', role: 'Internist', prefix: ['Dr.'] },
  { qualification: 'MD', role: 'Pediatrician', prefix: ['Dr.'] },
  { qualification: 'NP', role: 'Nurse practitioner' },
];

/**
 * P practitioners like the seeded four: Practitioner/prac-001 ..., staff numbers
 * S-1001 ..., half at each location, every name different (from each other and
 * from the seeded staff).
 */
function extraPractitioners(count, rng) {
  const taken = new Set([...USERS, ...PROVIDERS].filter((u) => u.family).map((u) => `${u.given[0]} ${u.family}`));
  const out = [];
  for (let i = 1; i <= count; i++) {
    const female = rng() < 0.5;
    let given;
    let family;
    do {
      given = rng.pick(female ? GIVEN_F : GIVEN_M);
      family = rng.pick(FAMILY);
    } while (taken.has(`${given} ${family}`));
    taken.add(`${given} ${family}`);
    const kind = EXTRA_ROLES[rng.int(EXTRA_ROLES.length)];
    out.push({
      id: `prac-${pad(i, 3)}`,
      given: [given],
      family,
      gender: female ? 'female' : 'male',
      staff: `S-${1000 + i}`,
      location: i % 2 ? 'loc-main' : 'loc-annex',
      ...kind,
    });
  }
  return out;
}

/**
 * --appointments-per-day A: on each schedule day, books free slots (not the
 * walk-in ones) at random across every schedule until the day has A booked
 * appointments in all (the sample patients' count), each for the next scale
 * patient in turn, so a day's appointments are for different patients.
 * Returns the number it could not fit.
 */
function bookPerDay(ctx, patients) {
  const { appointmentsPerDay: want, rng, providers, slots, days, book, appointments } = ctx;
  let next = 0;
  let short = 0;
  days.forEach((_, d) => {
    const free = [];
    let booked = 0;
    for (const p of providers) {
      for (const slot of slots.get(p.id)[d]) {
        if (slot.status === 'busy') {
          booked++;
        } else if (slot.status === 'free' && !slot.appointmentType) {
          free.push([p, slot]);
        }
      }
    }
    const need = Math.max(0, want - booked);
    const n = Math.min(need, free.length);
    short += need - n;
    for (let k = 0; k < n; k++) {
      // a partial Fisher-Yates shuffle: slot k is chosen among the ones left
      const j = k + rng.int(free.length - k);
      [free[k], free[j]] = [free[j], free[k]];
      const [p, slot] = free[k];
      appointments.push(book(patients[next++ % patients.length], p, d, 'booked', slot));
    }
  });
  return short;
}

function addScalePatients(repo, put, ctx) {
  const { n, observations, appointmentsPerDay, rng, now, providers, slots, days, clinic, locations, payers, coverage, book, appointments } = ctx;
  // Parts that are the same in many resources are one frozen object, shared: a
  // million Observations take far less memory and time (stored resources are
  // never changed in place, and every read or search copies what it returns).
  const constants = new Map();
  const same = (key, make) => {
    let v = constants.get(key);
    if (!v) {
      v = deepFreeze(make());
      constants.set(key, v);
    }
    return v;
  };
  const category = same('category', () => [cc('http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs', 'Vital Signs')]);
  const vitals = (subject, encounter, when) => {
    const heightCm = 150 + rng.int(40);
    const weightKg = 50 + rng.int(60);
    const bmi = Math.round((weightKg / ((heightCm / 100) * (heightCm / 100))) * 10) / 10;
    const encounterRef = deepFreeze(ref(encounter));
    const obs = (suffix, code, display, value, unit, ucum) => ({
      resourceType: 'Observation',
      id: `${encounter.id}-${suffix}`,
      status: 'final',
      category,
      code: same(code, () => cc('http://loinc.org', code, display, display)),
      subject,
      encounter: encounterRef,
      effectiveDateTime: when,
      ...(value === undefined ? {} : { valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: ucum } }),
    });
    const bp = obs('bp', '85354-9', 'Blood pressure panel with all children optional');
    bp.component = [
      { code: same('8480-6', () => cc('http://loinc.org', '8480-6', 'Systolic blood pressure')), valueQuantity: { value: 100 + rng.int(60), unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: same('8462-4', () => cc('http://loinc.org', '8462-4', 'Diastolic blood pressure')), valueQuantity: { value: 60 + rng.int(35), unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    ];
    return [
      obs('hr', '8867-4', 'Heart rate', 55 + rng.int(50), '/min', '/min'),
      obs('wt', '29463-7', 'Body weight', weightKg, 'kg', 'kg'),
      obs('ht', '8302-2', 'Body height', heightCm, 'cm', 'cm'),
      obs('bmi', '39156-5', 'Body mass index (BMI) [Ratio]', bmi, 'kg/m2', 'kg/m2'),
      bp,
    ];
  };
  // Future slots left free by the sample data get booked by scale patients up
  // to about half of them, so schedules look busy in benchmarks.
  // With --appointments-per-day, bookPerDay() books them afterwards instead.
  const freeCount = appointmentsPerDay === undefined ? [...slots.values()].flat(2).filter((s) => s.status === 'free').length : 0;
  const bookShare = Math.min(0.5, (freeCount * 0.5) / Math.max(1, n));
  const patients = [];
  // --observations K: five vital signs per past encounter, so K / 5 encounters (the
  // last one with fewer when K is not a multiple of 5).
  const encounters = Math.ceil(observations / 5);
  for (let i = 1; i <= n; i++) {
    const female = rng() < 0.5;
    const given = rng.pick(female ? GIVEN_F : GIVEN_M);
    const family = rng.pick(FAMILY);
    const [city, zip] = rng.pick(CITIES);
    const patient = {
      resourceType: 'Patient',
      id: `scale-${pad(i, 6)}`,
      identifier: [
        { type: cc('http://terminology.hl7.org/CodeSystem/v2-0203', 'MR', 'Medical Record Number'), system: MRN_SYSTEM, value: String(2000000 + i) },
        { type: cc('http://terminology.hl7.org/CodeSystem/v2-0203', 'SS', 'Social Security number'), system: 'http://hl7.org/fhir/sid/us-ssn', value: `999-${pad(10 + rng.int(90))}-${pad(rng.int(10000), 4)}` },
      ],
      active: true,
      name: [{ use: 'official', family, given: [given] }],
      telecom: [{ system: 'phone', value: `555-${pad(rng.int(1000), 3)}-${pad(rng.int(10000), 4)}`, use: 'home' }],
      gender: female ? 'female' : 'male',
      birthDate: `${now.getFullYear() - 1 - rng.int(90)}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))}`,
      address: [{ line: [`${1 + rng.int(999)} ${rng.pick(STREETS)}`], city, state: 'MA', postalCode: zip, country: 'US' }],
      managingOrganization: ref(clinic, clinic.name),
    };
    put(patient);
    patients.push(patient);
    // One in three says "no known allergies"; the rest have nothing recorded, so a
    // chart can tell the two apart (no random numbers: the scale data stays as it was).
    if (i % 3 === 1) {
      put({
        resourceType: 'AllergyIntolerance',
        id: `${patient.id}-nka`,
        clinicalStatus: same('allergy-active', () => cc('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active')),
        verificationStatus: same('allergy-confirmed', () => cc('http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'confirmed')),
        code: same('716186003', () => cc('http://snomed.info/sct', '716186003', 'No known allergy (situation)', 'No known allergy')),
        patient: deepFreeze(ref(patient)),
        recordedDate: `${now.getFullYear()}-01-02`,
      });
    }
    const provider = rng.pick(providers);
    const subject = deepFreeze(ref(patient));
    const encounterSubject = deepFreeze(ref(patient, `${given} ${family}`));
    let lastEncounter;
    for (let k = 0; k < encounters; k++) {
      const start = new Date(now.getTime() - (30 + rng.int(700)) * 86400000);
      start.setHours(8 + rng.int(8), rng.pick([0, 15, 30, 45]), 0, 0);
      const encounter = {
        resourceType: 'Encounter',
        id: `${patient.id}-enc${k + 1}`,
        status: 'finished',
        class: same('AMB', () => ({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' })),
        type: same('185349003', () => [cc('http://snomed.info/sct', '185349003', 'Encounter for check up', 'Office visit')]),
        subject: encounterSubject,
        participant: same(`participant ${provider.id}`, () => [{ individual: { reference: `Practitioner/${provider.id}`, display: personName(provider) } }]),
        period: { start: localDateTime(start), end: localDateTime(new Date(start.getTime() + 15 * 60000)) },
        location: same(`location ${provider.location}`, () => [{ location: ref(locations[provider.location], locations[provider.location].name) }]),
        serviceProvider: same('clinic', () => ref(clinic, clinic.name)),
      };
      put(encounter);
      vitals(subject, encounter, encounter.period.start).slice(0, observations - 5 * k).forEach(put);
      lastEncounter = encounter;
    }
    // The visit that led to the last encounter, as a fulfilled appointment.
    const appt = lastEncounter && {
      resourceType: 'Appointment',
      id: `${patient.id}-appt1`,
      status: 'fulfilled',
      appointmentType: cc('http://terminology.hl7.org/CodeSystem/v2-0276', 'ROUTINE', APPT_TYPE_DISPLAY.ROUTINE),
      description: 'Office visit',
      start: lastEncounter.period.start,
      end: lastEncounter.period.end,
      minutesDuration: 15,
      participant: [
        { actor: ref(patient, `${given} ${family}`), status: 'accepted' },
        { actor: { reference: `Practitioner/${provider.id}`, display: personName(provider) }, status: 'accepted' },
      ],
    };
    if (appt) {
      put(appt);
      lastEncounter.appointment = [ref(appt)];
    }
    if (appointmentsPerDay === undefined && rng() < bookShare) {
      const a = book(patient, rng.pick(providers), rng.int(days.length));
      if (a) {
        appointments.push(a);
      }
    }
    if (rng() < 0.85) {
      const c = coverage(patient, rng.pick(payers));
      c.id = `cov-${patient.id}`;
    }
  }
  return appointmentsPerDay === undefined ? 0 : bookPerDay(ctx, patients);
}


// --- billing: ICD-10-CM codes beside Synthea's SNOMED CT -------------------------------
// A claim line points only at ICD-10-CM diagnoses, and Synthea codes conditions in SNOMED
// CT alone. A clinic's problem list carries both (the NLM's SNOMED CT to ICD-10-CM map):
// the conditions of the sample patients get the ICD-10-CM coding their SNOMED code maps to.
const SNOMED_TO_ICD10CM = new Map([
  ['10509002', ['J20.9', 'Acute bronchitis, unspecified']],
  ['444814009', ['J01.90', 'Acute sinusitis, unspecified']],
  ['195662009', ['J02.9', 'Acute pharyngitis, unspecified']],
  ['15777000', ['R73.03', 'Prediabetes']],
  ['271737000', ['D64.9', 'Anemia, unspecified']],
  ['64859006', ['M81.0', 'Age-related osteoporosis without current pathological fracture']],
  ['446096008', ['J30.9', 'Allergic rhinitis, unspecified']],
  ['284549007', ['S61.419A', 'Unspecified laceration of unspecified hand, initial encounter']],
  ['44054006', ['E11.9', 'Type 2 diabetes mellitus without complications']],
  ['49436004', ['I48.91', 'Unspecified atrial fibrillation']],
  ['239873007', ['M17.9', 'Osteoarthritis of knee, unspecified']],
  ['162864005', ['E66.9', 'Obesity, unspecified']],
]);
function addIcd10Codings(repo) {
  for (const c of repo.resources.get('Condition')?.values() ?? []) {
    const codings = c.code?.coding ?? [];
    const icd = codings.map((x) => x.system === 'http://snomed.info/sct' && SNOMED_TO_ICD10CM.get(x.code)).find(Boolean);
    if (icd && !codings.some((x) => x.system === 'http://hl7.org/fhir/sid/icd-10-cm')) {
      codings.push({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: icd[0], display: icd[1] });
    }
  }
}


// The clinic and its practitioners bill under NPIs (valid check digits, not real ones):
// a claim names both. Synthea's own practitioners keep the short numbers Synthea gives
// them, which the claim scrubber rightly refuses.
const NPIS = new Map([
  ['Organization/clinic', '1000000012'],
  ['Practitioner/clinician', '1000000020'],
  ['Practitioner/lindqvist', '1000000038'],
  ['Practitioner/raman', '1000000046'],
  ['Practitioner/baptiste', '1000000053'],
]);
function addNpis(repo) {
  for (const [ref, npi] of NPIS) {
    const [type, id] = ref.split('/');
    const r = repo.resources.get(type)?.get(id);
    if (r && !(r.identifier ?? []).some((x) => x.system === 'http://hl7.org/fhir/sid/us-npi')) {
      r.identifier = [...(r.identifier ?? []), { system: 'http://hl7.org/fhir/sid/us-npi', value: npi }];
    }
  }
}

module.exports = { loadData, CERT_CN_SYSTEM, DEFAULT_SEED, USERS };
