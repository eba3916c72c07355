// Lab trends for the chart's labs list: one sample patient's HbA1c over years, enough
// values (at least 10) for a trend, with a reference range and H/L flags, and a result
// written as words. Deterministic:
// no random numbers, so tests/e2e/labs.test can check the drawn chart against these values.
'use strict';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const FLAG = { H: 'High', L: 'Low', N: 'Normal' };

// Patria Schimmel's Synthea record has three HbA1c results (2015, 2017, 2019); these follow
// them. The range is the typical adult one data.js gives every HbA1c (test data only, not
// clinical guidance).
const PATIENT = { family: 'Schimmel', given: 'Patria' };
const RANGE = [4, 5.6];
const HBA1C = [
  ['2020-01-14', 6.9],
  ['2020-07-21', 7.2],
  ['2021-01-19', 8.1],
  ['2021-07-20', 7.4],
  ['2022-02-15', 6.8],
  ['2022-08-16', 6.1],
  ['2023-03-14', 5.4],
  ['2024-01-16', 3.9],
  ['2025-06-17', 5.2],
  ['2026-06-16', 5.9],
];

/** Adds the HbA1c results to the sample patient named above, when loaded (PATIENTS: the Patients put). */
function addLabTrends(patients, put) {
  const patient = patients.find((p) => p.name?.[0]?.family === PATIENT.family && p.name?.[0]?.given?.[0] === PATIENT.given);
  if (!patient) {
    return;
  }
  const [low, high] = RANGE;
  HBA1C.forEach(([day, value], k) => {
    const flag = value > high ? 'H' : value < low ? 'L' : 'N';
    const unit = { unit: '%', system: UCUM, code: '%' };
    put({
      resourceType: 'Observation',
      id: `${patient.id.slice(0, 8)}-a1c-${k + 1}`,
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'Hemoglobin A1c/Hemoglobin.total in Blood' },
      subject: { reference: `Patient/${patient.id}` },
      effectiveDateTime: `${day}T09:30:00+00:00`,
      issued: `${day}T15:00:00.000+00:00`,
      valueQuantity: { value, ...unit },
      referenceRange: [{ low: { value: low, ...unit }, high: { value: high, ...unit } }],
      interpretation: [{ coding: [{ system: INTERPRETATION, code: flag, display: FLAG[flag] }] }],
    });
  });
  // A result written as words, in no report: the list shows such a value as it is.
  put({
    resourceType: 'Observation',
    id: `${patient.id.slice(0, 8)}-urine-color`,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'laboratory' }] }],
    code: { coding: [{ system: LOINC, code: '5778-6', display: 'Color of Urine' }], text: 'Color of Urine' },
    subject: { reference: `Patient/${patient.id}` },
    effectiveDateTime: '2023-03-14T09:30:00+00:00',
    valueString: 'Yellow',
  });
}

module.exports = { addLabTrends, HBA1C };
