// The chart's immunizations due and notes in every status (issue 13), deterministic and
// dated from the sandbox's NOW, so they read the same whatever the day:
//
// - Immunizations due: ImmunizationRecommendations (CVX-coded, CDC's public code set) for
//   three sample patients, each a forecast made three days ago; Chad Quigley also has an
//   older one whose pneumococcal "due" the newer one says is complete, as a forecaster's
//   history holds.
// - Notes as ehrterm writes them (src/fhir/note.c) for Eboni Brekke: each a
//   DocumentReference whose text is a Binary it refers to (size and SHA-1 hash of the
//   text, securityContext the patient), in every status a note has: a draft (preliminary,
//   tagged), signed (final, its authenticator), amended (a signed note an addendum appends
//   to), corrected (superseded, and the note that replaces it) and entered in error. Each
//   signed one has a Provenance with the clinician's detached JWS over its text when the
//   sandbox is given its certificates (the key's passphrase sits beside it there), so the
//   note screen shows it "(verified)"; ECDSA signatures differ from run to run.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CVX = 'http://hl7.org/fhir/sid/cvx';
const LOINC = 'http://loinc.org';
const FORECAST = 'http://terminology.hl7.org/CodeSystem/immunization-recommendation-status';
const REQUEST = 'urn:ehrterm:request';
const DRAFT_TAG = 'urn:ehrterm:note-status';
const NOTE_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category';
const CONTENT_TYPE = 'text/plain; charset=utf-8';
const CLINICIAN = { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' };

// CVX codes and their CDC short descriptions (https://www2.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx).
const VACCINES = {
  '03': 'MMR',
  10: 'IPV',
  20: 'DTaP',
  21: 'varicella',
  33: 'pneumococcal polysaccharide vaccine, 23 valent',
  115: 'Tdap',
  140: 'Influenza, seasonal, injectable, preservative free',
  187: 'zoster vaccine recombinant',
  213: 'SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION',
};
const STATUS = { due: 'Due', overdue: 'Overdue', complete: 'Complete', immune: 'Immune', contraindicated: 'Contraindicated' };

// Each patient's forecasts: made DAYS before today, each recommendation [CVX, status,
// due (days from today), dose, of, overdue on (days from today)].
const FORECASTS = [
  {
    patient: { family: 'Quigley', given: 'Chad' },
    forecasts: [
      { days: 400, recommendations: [['33', 'due', -390, 1, 1], ['187', 'due', -390, 1, 2]] },
      {
        days: 3,
        recommendations: [
          ['115', 'overdue', -420, 1, 1, -60],
          ['140', 'due', -30, 1, 1, 60],
          ['187', 'due', -10, 1, 2, 80],
          ['33', 'complete'],
        ],
      },
    ],
  },
  {
    patient: { family: 'Walsh', given: 'Claudie' },
    forecasts: [
      {
        days: 3,
        recommendations: [
          ['20', 'overdue', -150, 5, 5, -30],
          ['10', 'overdue', -150, 4, 4, -30],
          ['03', 'due', -20, 2, 2, 150],
          ['21', 'due', -20, 2, 2, 150],
          ['140', 'due', -30, 1, 1, 60],
        ],
      },
    ],
  },
  {
    patient: { family: 'Brekke', given: 'Eboni' },
    forecasts: [{ days: 3, recommendations: [['140', 'due', -30, 1, 1, 60], ['213', 'due', -5, 1, 1]] }],
  },
];

const NOTES_FOR = { family: 'Brekke', given: 'Eboni' };

const named = (patients, who) => patients.find((p) => p.name?.[0]?.family === who.family && p.name?.[0]?.given?.[0] === who.given);
const pad = (n) => String(n).padStart(2, '0');
/** The server-local day DAYS from NOW's, as YYYY-MM-DD. */
function day(now, days) {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
const cc = (system, code, display) => ({ coding: [{ system, code, display }] });
/** A UUID made from NAME: a request identifier that is the same every run. */
function uuidOf(name) {
  const h = crypto.createHash('sha256').update(`ehrterm-sandbox:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function addForecasts(patients, put, now) {
  for (const { patient: who, forecasts } of FORECASTS) {
    const patient = named(patients, who);
    if (!patient) {
      continue;
    }
    forecasts.forEach(({ days, recommendations }, k) => {
      put({
        resourceType: 'ImmunizationRecommendation',
        id: `${patient.id.slice(0, 8)}-forecast-${k + 1}`,
        patient: { reference: `Patient/${patient.id}` },
        date: `${day(now, -days)}T08:00:00Z`,
        authority: { reference: 'Organization/clinic', display: 'Sandbox Family Clinic' },
        recommendation: recommendations.map(([code, status, due, dose, of, overdue]) => ({
          vaccineCode: [cc(CVX, code, VACCINES[code])],
          forecastStatus: cc(FORECAST, status, STATUS[status]),
          ...(due === undefined
            ? {}
            : {
                dateCriterion: [
                  { code: cc(LOINC, '30981-5', 'Earliest date to give'), value: day(now, due - 28) },
                  { code: cc(LOINC, '30980-7', 'Date vaccine due'), value: day(now, due) },
                  ...(overdue === undefined ? [] : [{ code: cc(LOINC, '59778-1', 'Date when overdue'), value: day(now, overdue) }]),
                ],
              }),
          ...(dose ? { doseNumberPositiveInt: dose, seriesDosesPositiveInt: of } : {}),
        })),
      });
    });
  }
}

// --- notes ----------------------------------------------------------------------------

/** The clinician's key and certificate from the certificates directory, or undefined. */
function clinicianSigner(certs) {
  if (!certs) {
    return undefined;
  }
  try {
    const line = fs.readFileSync(path.join(certs, 'PASSPHRASES'), 'utf8').split('\n').find((l) => l.startsWith('clinician '));
    const key = crypto.createPrivateKey({ key: fs.readFileSync(path.join(certs, 'clinician.key')), format: 'pem', passphrase: line.slice('clinician '.length).trim() });
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(certs, 'clinician.pem')));
    return { key, x5c: cert.raw.toString('base64') };
  } catch {
    return undefined; // unsigned, as an imported note is
  }
}

/** A detached JWS (src/sign/jws.h) over BYTES naming TARGET, as ehrterm makes one. */
function jws(signer, target, bytes) {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', x5c: [signer.x5c], 'urn:ehrterm:target': target })).toString('base64url');
  const sig = crypto.sign('sha256', Buffer.from(`${header}.${bytes.toString('base64url')}`), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${header}..${sig.toString('base64url')}`;
}

// The notes, oldest first: [id suffix, days before today, docStatus, status, what it is,
// its text, relation to another of them].
const NOTES = [
  ['signed', 12, 'final', 'current', 'signed', 'Knee pain for two weeks after a run; no swelling. Plan: rest, ibuprofen as needed.'],
  ['amended', 10, 'amended', 'current', 'amended: an addendum follows', 'Sore throat, no fever; rapid strep sent.'],
  ['addendum', 9, 'final', 'current', 'addendum, signed', 'Addendum: rapid strep negative; no antibiotic.', ['appends', 'amended']],
  ['superseded', 8, 'final', 'superseded', 'signed, then corrected', 'Blood pressure 150/95; start lisinopril.'],
  ['correction', 7, 'final', 'current', 'correction, signed', 'Correction: blood pressure 130/85 on a second reading; no medication started.', ['replaces', 'superseded']],
  ['in-error', 5, 'final', 'entered-in-error', 'signed, then entered in error', 'Note written in the wrong chart.'],
  ['draft', 1, 'preliminary', 'current', 'draft', 'Follow-up of knee pain: better; back to running.'],
];

function addNotes(patients, put, now, certs) {
  const patient = named(patients, NOTES_FOR);
  if (!patient) {
    return;
  }
  const short = patient.id.slice(0, 8);
  const subject = { reference: `Patient/${patient.id}` };
  const signer = clinicianSigner(certs);
  for (const [suffix, days, docStatus, status, what, words, relation] of NOTES) {
    const id = `${short}-bnote-${suffix}`;
    const when = `${day(now, -days)}T10:30:00Z`;
    const text = Buffer.from(`Progress note.\n${words}\n`);
    const draft = docStatus === 'preliminary';
    put({
      resourceType: 'Binary',
      id: `${id}-text`,
      meta: { tag: [{ system: REQUEST, code: uuidOf(`${id}-text`) }] },
      contentType: CONTENT_TYPE,
      securityContext: subject,
      data: text.toString('base64'),
    });
    put({
      resourceType: 'DocumentReference',
      id,
      ...(draft ? { meta: { tag: [{ system: DRAFT_TAG, code: 'draft', display: 'Draft note' }] } } : {}),
      identifier: [{ system: REQUEST, value: uuidOf(id) }],
      status,
      docStatus,
      type: cc(LOINC, '11506-3', 'Progress note'),
      category: [cc(NOTE_CATEGORY, 'clinical-note', 'Clinical Note')],
      subject,
      date: when,
      author: [CLINICIAN],
      ...(draft ? {} : { authenticator: CLINICIAN }),
      ...(relation ? { relatesTo: [{ code: relation[0], target: { reference: `DocumentReference/${short}-bnote-${relation[1]}` } }] } : {}),
      description: `Progress note (${what})`,
      content: [
        {
          attachment: {
            contentType: CONTENT_TYPE,
            url: `Binary/${id}-text`,
            size: text.length,
            hash: crypto.createHash('sha1').update(text).digest('base64'),
            title: 'Progress note',
          },
          format: { system: 'http://ihe.net/fhir/ValueSet/IHE.FormatCode.codesystem', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' },
        },
      ],
    });
    if (draft || !signer) {
      continue;
    }
    // Signed an hour after it was written, as note_sign_plan records it.
    const signed = `${day(now, -days)}T11:30:00Z`;
    put({
      resourceType: 'Provenance',
      id: `${id}-signature`,
      meta: { tag: [{ system: REQUEST, code: uuidOf(`${id}-signature`) }] },
      target: [{ reference: `DocumentReference/${id}` }],
      recorded: signed,
      activity: cc('http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion', 'LA', 'legally authenticated'),
      agent: ['author', 'attester'].map((role) => ({
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: role, display: role === 'author' ? 'Author' : 'Attester' }] },
        who: { reference: 'Practitioner/clinician' },
      })),
      signature: [
        {
          type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" }],
          when: signed,
          who: { reference: 'Practitioner/clinician' },
          sigFormat: 'application/jose',
          data: Buffer.from(jws(signer, `DocumentReference/${id}`, text)).toString('base64'),
        },
      ],
    });
  }
}

/**
 * Adds the forecasts and the notes above to the sample patients named there, when loaded.
 * NOW: the sandbox's clock; CERTS: the certificates directory, or undefined (no signatures).
 */
function addChartData(patients, put, { now, certs }) {
  addForecasts(patients, put, now);
  addNotes(patients, put, now, certs);
}

module.exports = { addChartData, FORECASTS, VACCINES };
