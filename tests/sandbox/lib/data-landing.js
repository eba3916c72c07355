'use strict';
// The clinician's landing ("my patients today") and the notes whose text is a Binary.
//
// Today the clinician (Practitioner/clinician) sees, besides the sample patients booked
// with her, four more in every other state of a visit: arrived (checked in, an Encounter
// in progress), in a room (that Encounter at a room), done (fulfilled, the Encounter
// finished) and a no-show. They are sample patients whose other appointment today is with
// another practitioner, in the afternoon, so the morning grid and Chad Quigley's visit
// (which the scheduling tests follow) stay as they were.
//
// Each living sample patient with five visits or more gets a fifth note, on the fifth
// latest visit (so the four status notes stay the newest), whose text is not in the
// DocumentReference but in a Binary it refers to (content.attachment.url), as servers
// that keep documents apart do.

const LANDING = [
  { status: 'arrived', encounter: 'in-progress' },
  { status: 'arrived', encounter: 'in-progress', room: 'Room 2' },
  { status: 'fulfilled', encounter: 'finished' },
  { status: 'noshow' },
];

function addLanding({ put, living, providers, slots, book, appointments, chart }) {
  const clinician = providers.find((p) => p.id === 'clinician');
  const today = slots.get('clinician')[0];
  const afternoon = today.filter((s) => s.status === 'free' && Number(s.start.slice(11, 13)) >= 13);
  const others = living.filter((p, i) => i % providers.length !== 0);
  LANDING.forEach((kind, k) => {
    const patient = others[k];
    const slot = afternoon[k];
    if (!patient || !slot) {
      return;
    }
    const appt = book(patient, clinician, 0, kind.status, slot);
    appointments.push(appt);
    if (!kind.encounter) {
      return;
    }
    put({
      resourceType: 'Encounter',
      id: `enc-landing-${k + 1}`,
      status: kind.encounter,
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      subject: { reference: `Patient/${patient.id}` },
      participant: [{ individual: { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' } }],
      appointment: [{ reference: `Appointment/${appt.id}` }],
      period: { start: slot.start, ...(kind.encounter === 'finished' ? { end: slot.end } : {}) },
      ...(kind.room
        ? {
            location: [
              {
                location: { display: kind.room },
                status: 'active',
                physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro', display: 'Room' }] },
              },
            ],
          }
        : {}),
    });
  });

  for (const patient of living) {
    const subject = { reference: `Patient/${patient.id}` };
    const encounters = (chart.encounters.get(subject.reference) ?? []).slice().sort((a, b) => (a.period.start < b.period.start ? 1 : -1));
    const enc = encounters[4];
    if (!enc) {
      continue;
    }
    const short = patient.id.slice(0, 8);
    const text = [
      `History and physical: ${enc.type?.[0]?.text ?? 'Office visit'}.`,
      'HPI: Seen for the visit above; history reviewed with the patient.',
      'Exam: Unremarkable.',
      'Plan: As discussed; return as needed.',
    ].join('\n');
    put({ resourceType: 'Binary', id: `${short}-note-body-5`, contentType: 'text/plain; charset=utf-8', data: Buffer.from(text).toString('base64') });
    put({
      resourceType: 'DocumentReference',
      id: `${short}-note-5`,
      status: 'current',
      docStatus: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '34117-2', display: 'History and physical note' }], text: 'History and physical note' },
      category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
      subject,
      date: enc.period.end ?? enc.period.start,
      author: [{ reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' }],
      authenticator: { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' },
      description: 'History and physical (signed)',
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', url: `Binary/${short}-note-body-5`, title: 'History and physical' } }],
      context: { encounter: [{ reference: `Encounter/${enc.id}` }], period: enc.period },
    });
  }
}

module.exports = { addLanding };
