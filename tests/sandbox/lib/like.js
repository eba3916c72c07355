// --like NAME: the sandbox shaped like another server's FHIR API, in its
// CapabilityStatement and in its answers. One shape so far, OpenEMR's.
//
// OpenEMR 7's FHIR API (its routes file, FHIR_README.md) offers read and search for
// the US Core resources it maps from its own tables, create and update for Patient,
// Practitioner and Organization only, no Schedule or Slot, no batch or transaction
// Bundles, and of the billing resources only Coverage (read and search: the
// patient's insurance). SMART on FHIR is required.
'use strict';

const { requestInteractions } = require('./access');

const SHAPES = {
  openemr: {
    name: 'OpenEMR',
    readable: [
      'AllergyIntolerance', 'Appointment', 'Binary', 'CarePlan', 'CareTeam', 'Condition', 'Coverage', 'Device',
      'DiagnosticReport', 'DocumentReference', 'Encounter', 'Goal', 'Group', 'Immunization', 'Location', 'Media',
      'Medication', 'MedicationDispense', 'MedicationRequest', 'Observation', 'Organization', 'Patient', 'Person',
      'Practitioner', 'PractitionerRole', 'Procedure', 'Provenance', 'Questionnaire', 'QuestionnaireResponse',
      'RelatedPerson', 'ServiceRequest', 'Specimen', 'ValueSet',
    ],
    writable: ['Patient', 'Practitioner', 'Organization'],
    batch: false,
    transaction: false,
  },
};

/** The shape named NAME: { name, interactions(type) -> [codes] | undefined, refuse(...) }. */
function shape(name) {
  const s = SHAPES[name];
  if (!s) {
    return undefined;
  }
  const readable = new Set(s.readable);
  const writable = new Set(s.writable);
  const interactions = (type) => {
    if (!readable.has(type)) {
      return undefined;
    }
    return writable.has(type) ? ['read', 'search-type', 'create', 'update'] : ['read', 'search-type'];
  };
  return {
    name: s.name,
    types: [...readable].sort(),
    interactions,
    batch: s.batch,
    transaction: s.transaction,
    /**
     * Why this server would refuse the request, or undefined: { status, code, text }.
     * A Bundle the shape does not take: 400; a write (or other interaction) the
     * statement does not offer: 405; a read or search of a type it does not offer: 404.
     */
    refuse(method, fhirPath, body) {
      const { bundle, steps } = requestInteractions(method, fhirPath, body);
      if (bundle && !s[bundle]) {
        return { status: 400, code: 'not-supported', text: `${s.name}'s FHIR API takes no ${bundle} Bundles (the sandbox runs with --like openemr)` };
      }
      if (bundle) {
        return undefined;
      }
      for (const { type, interaction } of steps) {
        if (type === '*' || interaction === 'capabilities') {
          continue; // the router answers these as it does without --like
        }
        const offered = interactions(type);
        if (offered?.includes(interaction)) {
          continue;
        }
        const reads = ['read', 'search-type'].includes(interaction);
        if (!offered && reads) {
          return { status: 404, code: 'not-supported', text: `${s.name}'s FHIR API has no ${type} resource (the sandbox runs with --like openemr)` };
        }
        return {
          status: 405,
          code: 'not-supported',
          text: `${s.name}'s FHIR API does not offer ${interaction} for ${type}; see the CapabilityStatement (the sandbox runs with --like openemr)`,
        };
      }
      return undefined;
    },
  };
}

module.exports = { shape, SHAPES };
