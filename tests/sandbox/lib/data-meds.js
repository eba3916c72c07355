// Medications to stop, renew and reconcile (tests/e2e/meds.test): one sample patient,
// Christin Stiedemann, whose Synthea record has active orders (Warfarin among them), gets
// an allergy to warfarin that renewing it must warn of, an order whose medication is a
// contained Medication, and one on hold. Deterministic: no random numbers.
'use strict';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const PATIENT = { family: 'Stiedemann', given: 'Christin' };

/** Adds the allergy and the orders to the sample patient named above, when loaded. */
function addMedications(patients, put) {
  const patient = patients.find((p) => p.name?.[0]?.family === PATIENT.family && p.name?.[0]?.given?.[0] === PATIENT.given);
  if (!patient) {
    return;
  }
  const short = patient.id.slice(0, 8);
  const subject = { reference: `Patient/${patient.id}` };
  const requester = { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' };
  put({
    resourceType: 'AllergyIntolerance',
    id: `${short}-allergy-warfarin`,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active', display: 'Active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed', display: 'Confirmed' }] },
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: { coding: [{ system: RXNORM, code: '11289', display: 'warfarin' }], text: 'Warfarin' },
    patient: subject,
    recordedDate: '2019-03-12',
    reaction: [{ manifestation: [{ text: 'Bleeding gums' }] }],
  });
  put({
    resourceType: 'MedicationRequest',
    id: `${short}-med-lisinopril`,
    contained: [{ resourceType: 'Medication', id: 'med', code: { coding: [{ system: RXNORM, code: '314076', display: 'Lisinopril 10 MG Oral Tablet' }] } }],
    status: 'active',
    intent: 'order',
    medicationReference: { reference: '#med' },
    subject,
    authoredOn: '2024-02-01T09:00:00+00:00',
    requester,
    dosageInstruction: [
      {
        text: 'Take 1 tablet by mouth once daily',
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
      },
    ],
    dispenseRequest: { numberOfRepeatsAllowed: 3, quantity: { value: 30, unit: 'tablet' } },
  });
  put({
    resourceType: 'MedicationRequest',
    id: `${short}-med-simvastatin`,
    status: 'on-hold',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '198211', display: 'Simvastatin 20 MG Oral Tablet' }], text: 'Simvastatin 20 MG Oral Tablet' },
    subject,
    authoredOn: '2023-06-15T09:00:00+00:00',
    requester,
    dosageInstruction: [{ text: 'Take 1 tablet by mouth at bedtime' }],
  });
}

module.exports = { addMedications };
