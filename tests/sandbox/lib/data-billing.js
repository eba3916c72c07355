// Billing history for the sample patients: professional claims for their recent visits,
// some paid, partly paid, denied (CARC codes) or still pending, the payers' checks
// (PaymentReconciliation and ClaimResponse) and the patients' own payments
// (PaymentNotice), so that the ledger has every kind of row. Written the way ehrterm
// writes them (src/fhir/billing.h): amounts in whole cents, CPT with our own short
// wording, ICD-10-CM diagnoses. Deterministic: no clock but NOW, no randomness.
'use strict';

const CS_CPT = 'http://www.ama-assn.org/go/cpt';
const CS_ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const CS_ADJ = 'http://terminology.hl7.org/CodeSystem/adjudication';
const CS_CARC = 'https://x12.org/codes/claim-adjustment-reason-codes';
const CS_GROUP = 'urn:ehrterm:x12:claim-adjustment-group-code';
const CS_ADJ_CATEGORY = 'urn:ehrterm:adjudication-category';
const EXT_UNIT_PRICE = 'urn:ehrterm:fhir:extension:chargeitem-unit-price';
const EXT_CLAIM_CHARGE = 'urn:ehrterm:fhir:extension:claim-item-charge';
const EXT_POSTED = 'urn:ehrterm:fhir:extension:chargeitem-posted';
const EXT_PAYMENT_KIND = 'urn:ehrterm:fhir:extension:patient-payment-kind';
const REQUEST = 'urn:ehrterm:request';
// The claim the posting test (tests/e2e/posting.test) pays: found by this identifier.
const SANDBOX_CLAIM = 'urn:ehrterm:sandbox:claim';
// Louis Erdman's visits are tests/e2e/billing.test's to charge and claim: left alone.
const SKIP = new Set(['76bc2bcd-3074-46b9-bc18-18daf50825a2']);
// Claudie Walsh's visit of yesterday is wrapped up and not yet charged: where
// tests/e2e/capture.test starts charge capture from (addWrappedUpVisit).
const WRAPPED_UP = '64f4649d-8d2e-40ae-811d-7316accdf5ee';
const CS_DIAGNOSIS_ROLE = 'http://terminology.hl7.org/CodeSystem/diagnosis-role';
const CS_CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';

// What each visit's claim came to: the order the sample patients' visits take them in.
// paid: the payer paid its allowed amount less the patient's coinsurance; partial: one
// line paid, one adjusted to the patient; denied: nothing paid, CO-50 (not medically
// necessary) or CO-29 (filed too late); pending: no answer yet.
const OUTCOMES = ['paid', 'partial', 'denied', 'pending'];

const money = (cents) => ({ value: Number((cents / 100).toFixed(2)), currency: 'USD' });
const cc = (system, code, display) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const adj = (category, cents) => ({ category: cc(CS_ADJ, category), amount: money(cents) });
const carc = (group, code, cents) => ({
  category: cc(CS_ADJ_CATEGORY, 'adjustment', 'Adjustment'),
  reason: { coding: [{ system: CS_CARC, code }, { system: CS_GROUP, code: group }] },
  amount: money(cents),
});
const pad = (n) => String(n).padStart(2, '0');
const dayOf = (s) => String(s).slice(0, 10);
const addDays = (day, n) => {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};

/**
 * ctx: { now, clinic, payers (with .org), living (Patients), coverages, fees ([code, text,
 * price]) }.
 * Returns the number of claims written.
 */
// What a CMS-1500 prints from a professional claim beyond its lines: the rendering provider
// (care team, box 24J and 31), the service facility (box 32 and 32a, with an NPI of its own)
// and each line's place of service (24B, 11 office).
const CS_POS = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
const CS_CARE_TEAM_ROLE = 'http://terminology.hl7.org/CodeSystem/claimcareteamrole';
const FACILITY_NPIS = [
  ['loc-main', '1000000061'],
  ['loc-annex', '1000000079'],
];
const claimParties = () => ({
  careTeam: [{ sequence: 1, provider: { reference: 'Practitioner/clinician' }, role: cc(CS_CARE_TEAM_ROLE, 'primary') }],
  facility: { reference: 'Location/loc-main' },
});
const lineParties = () => ({ careTeamSequence: [1], locationCodeableConcept: cc(CS_POS, '11', 'Office') });

function addBillingHistory(repo, put, ctx) {
  const { clinic, payers, living, coverages, fees } = ctx;
  const fee = new Map(fees.map(([code, text, price]) => [code, { text, cents: Math.round(price * 100) }]));
  const encounters = [...(repo.resources.get('Encounter')?.values() ?? [])];
  const conditions = [...(repo.resources.get('Condition')?.values() ?? [])];
  const today = dayOf(ctx.now.toISOString());
  let claims = 0;
  let check = 7001;
  for (const [id, npi] of FACILITY_NPIS) {
    const loc = repo.resources.get('Location')?.get(id);
    if (loc && !(loc.identifier ?? []).some((x) => x.system === 'http://hl7.org/fhir/sid/us-npi')) {
      loc.identifier = [...(loc.identifier ?? []), { system: 'http://hl7.org/fhir/sid/us-npi', value: npi }];
    }
  }

  living.forEach((patient, p) => {
    if (SKIP.has(patient.id)) {
      return;
    }
    const pref = `Patient/${patient.id}`;
    const cov = coverages.find((c) => c.beneficiary.reference === pref && (c.order ?? 1) === 1 && c.period.end >= today);
    const payer = cov ? payers.find((x) => `Organization/${x.org.id}` === cov.payor[0].reference) : null;
    const visits = encounters
      .filter((e) => e.subject?.reference === pref && e.period?.start && dayOf(e.period.start) <= today)
      .sort((a, b) => (a.period.start < b.period.start ? 1 : -1))
      .slice(0, 2);
    visits.forEach((enc, v) => {
      const day = dayOf(enc.period.start);
      const icd = conditions
        .filter((c) => c.encounter?.reference === `Encounter/${enc.id}`)
        .map((c) => (c.code?.coding ?? []).find((x) => x.system === CS_ICD10CM))
        .filter(Boolean)
        .map((x) => x.code);
      const dx = icd.length ? [...new Set(icd)].slice(0, 4) : ['Z00.00'];
      const codes = v === 0 ? ['99213', '36415'] : ['99214', '85025', '36415'];
      const tag = `${patient.id.slice(0, 8)}-${v}`;
      const items = codes.map((code, i) => {
        const f = fee.get(code);
        const ci = {
          resourceType: 'ChargeItem',
          id: `ci-${tag}-${i + 1}`,
          identifier: [{ system: REQUEST, value: `sandbox-ci-${tag}-${i + 1}` }],
          extension: [{ url: EXT_UNIT_PRICE, valueMoney: money(f.cents) }],
          definitionCanonical: [`urn:ehrterm:sandbox:fee-schedule:${code}`],
          status: 'billed',
          code: { coding: [{ system: CS_CPT, code, display: f.text }] },
          subject: { reference: pref },
          context: { reference: `Encounter/${enc.id}` },
          occurrenceDateTime: day,
          quantity: { value: 1 },
          reason: dx.map((d) => cc(CS_ICD10CM, d)),
          account: [{ reference: `Account/acct-${patient.id}` }],
        };
        return { ci, code, cents: f.cents };
      });
      // The self-pay patient's visits are charged to the patient: no claim.
      if (!payer) {
        items.forEach((it) => {
          it.ci.status = 'billable';
          put(it.ci);
        });
        return;
      }
      const outcome = OUTCOMES[(p * 2 + v) % OUTCOMES.length];
      const claim = {
        resourceType: 'Claim',
        id: `claim-${tag}`,
        identifier: [
          { system: REQUEST, value: `sandbox-claim-${tag}` },
          { system: SANDBOX_CLAIM, value: outcome },
        ],
        status: 'active',
        type: cc('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
        use: 'claim',
        patient: { reference: pref },
        billablePeriod: { start: day, end: day },
        created: addDays(day, 1),
        insurer: { reference: `Organization/${payer.org.id}` },
        provider: { reference: `Organization/${clinic.id}` },
        priority: cc('http://terminology.hl7.org/CodeSystem/processpriority', 'normal'),
        diagnosis: dx.map((d, i) => ({ sequence: i + 1, diagnosisCodeableConcept: cc(CS_ICD10CM, d) })),
        insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${cov.id}` } }],
        ...claimParties(),
        item: items.map((it, i) => ({
          extension: [{ url: EXT_CLAIM_CHARGE, valueReference: { reference: `ChargeItem/${it.ci.id}` } }],
          sequence: i + 1,
          ...lineParties(),
          diagnosisSequence: dx.map((_, k) => k + 1),
          productOrService: cc(CS_CPT, it.code, fee.get(it.code).text),
          servicedDate: day,
          quantity: { value: 1 },
          unitPrice: money(it.cents),
          net: money(it.cents),
          encounter: [{ reference: `Encounter/${enc.id}` }],
        })),
        total: money(items.reduce((s, it) => s + it.cents, 0)),
      };
      put(claim);
      claims++;
      if (outcome === 'pending') {
        items.forEach((it) => put(it.ci));
        return;
      }
      // The payer's answer, two weeks on: each line's adjudication in cents.
      const paidOn = addDays(day, 14);
      const crId = `cr-${tag}`;
      const lines = items.map((it, i) => {
        const a = [adj('submitted', it.cents)];
        let paid = 0;
        if (outcome === 'paid') {
          const allowed = Math.round(it.cents * 0.9);
          const coins = Math.round(allowed * 0.2);
          paid = allowed - coins;
          a.push(adj('eligible', allowed), adj('benefit', paid), carc('CO', '45', it.cents - allowed), carc('PR', '2', coins));
        } else if (outcome === 'partial') {
          if (i === 0) {
            const allowed = it.cents - 1000;
            paid = allowed - 2500;
            a.push(adj('eligible', allowed), adj('benefit', paid), carc('CO', '45', 1000), carc('PR', '3', 2500));
          } else {
            a.push(adj('benefit', 0), carc('PR', '1', it.cents)); // to the deductible
          }
        } else {
          a.push(adj('benefit', 0), carc('CO', v === 0 ? '50' : '29', it.cents));
          it.ci.status = 'billable';
        }
        it.ci.extension.push({ url: EXT_POSTED, valueReference: { type: 'ClaimResponse', identifier: { system: REQUEST, value: `sandbox-cr-${tag}` } } });
        put(it.ci);
        return { itemSequence: i + 1, adjudication: a, paid };
      });
      const paid = lines.reduce((s, l) => s + l.paid, 0);
      const number = `EOB-${check++}`;
      put({
        resourceType: 'ClaimResponse',
        id: crId,
        identifier: [{ system: REQUEST, value: `sandbox-cr-${tag}` }],
        status: 'active',
        type: cc('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
        use: 'claim',
        patient: { reference: pref },
        created: paidOn,
        insurer: { reference: `Organization/${payer.org.id}`, display: payer.org.name },
        request: { reference: `Claim/${claim.id}` },
        outcome: 'complete',
        item: lines.map(({ itemSequence, adjudication }) => ({ itemSequence, adjudication })),
        total: [
          { category: cc(CS_ADJ, 'submitted'), amount: claim.total },
          { category: cc(CS_ADJ, 'benefit'), amount: money(paid) },
        ],
        payment: {
          type: cc('http://terminology.hl7.org/CodeSystem/ex-paymenttype', 'complete'),
          date: paidOn,
          amount: money(paid),
          identifier: { value: number },
        },
      });
      put({
        resourceType: 'PaymentReconciliation',
        id: `pr-${tag}`,
        identifier: [{ system: REQUEST, value: `sandbox-pr-${tag}` }],
        status: 'active',
        created: paidOn,
        paymentIssuer: { reference: `Organization/${payer.org.id}`, display: payer.org.name },
        outcome: 'complete',
        paymentDate: paidOn,
        paymentAmount: money(paid),
        paymentIdentifier: { value: number },
        detail: [
          {
            type: cc('http://terminology.hl7.org/CodeSystem/payment-type', 'payment'),
            request: { reference: `Claim/${claim.id}` },
            response: { reference: `ClaimResponse/${crId}` },
            date: paidOn,
            amount: money(paid),
          },
        ],
      });
    });
    // The patient's own payments: a copay at the newest visit's check-out, and a
    // payment on account a month after the older one.
    const payments = [];
    if (visits[0] && payer && payer.copay > 0) {
      payments.push({ day: dayOf(visits[0].period.start), cents: payer.copay * 100, kind: 'copay' });
    }
    if (visits[1]) {
      payments.push({ day: addDays(dayOf(visits[1].period.start), 30), cents: 2000 + 500 * (p % 3), kind: 'on-account' });
    }
    payments.forEach((pay, k) => {
      const id = `pay-${patient.id.slice(0, 8)}-${k + 1}`;
      put({
        resourceType: 'PaymentReconciliation',
        id: `deposit-${id}`,
        identifier: [{ system: REQUEST, value: `sandbox-deposit-${id}` }],
        status: 'active',
        created: pay.day,
        outcome: 'complete',
        disposition: 'Front desk deposit',
        paymentDate: pay.day,
        paymentAmount: money(pay.cents),
      });
      put({
        resourceType: 'PaymentNotice',
        id,
        identifier: [{ system: REQUEST, value: `sandbox-${id}` }],
        extension: [{ url: EXT_PAYMENT_KIND, valueCode: pay.kind }],
        status: 'active',
        request: { reference: pref },
        created: pay.day,
        payment: { reference: `PaymentReconciliation/deposit-${id}` },
        paymentDate: pay.day,
        recipient: { reference: `Organization/${clinic.id}` },
        amount: money(pay.cents),
      });
    });
  });
  return claims + addAgingVisits(put, { ...ctx, fee, today });
}

// Aging (tests/e2e/aging.test): the history above is years old, all over 90 days. These
// visits, dated back from NOW, give the aging screen a balance in every bucket for both
// insurers and patients, and a recent denial: [patient, days ago, outcome]. 'pending' leaves
// the claim with the insurer; 'paid' leaves the coinsurance with the patient; 'partial' a copay
// and a deductible; 'denied' writes the lines off with the CARC given (the ChargeItems go back
// to billable, as posting does); 'self' is a self-pay patient's, charged to the patient.
// Claims carry AGING_CLAIM (not SANDBOX_CLAIM) so the posting test's pending claims stay its.
const AGING_CLAIM = 'urn:ehrterm:sandbox:aging';
const AGING = [
  ['e6d67197-97a1-499b-83f8-eea9ef95cf0c', 12, 'pending'], // Christin Stiedemann
  ['e6d67197-97a1-499b-83f8-eea9ef95cf0c', 75, 'paid'],
  ['e6d67197-97a1-499b-83f8-eea9ef95cf0c', 100, 'denied', '197'],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 20, 'partial'], // Patria Schimmel
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 40, 'paid'],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 45, 'pending'],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 70, 'pending'],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 33, 'denied', '16'],
  ['963dabe4-84e7-4751-b432-e34bdbdbde05', 50, 'self'], // Marcos Delagarza, self-pay
  ['963dabe4-84e7-4751-b432-e34bdbdbde05', 5, 'self'],
  // Over 90 days with the insurer: more than the HL7 example answers (data.js) pay beyond
  // any charge of ours (about $1,200 to Christin Stiedemann's account), so that the clinic's
  // oldest insurer bucket is above zero.
  ['e6d67197-97a1-499b-83f8-eea9ef95cf0c', 95, 'pending', null, 3],
  ['e6d67197-97a1-499b-83f8-eea9ef95cf0c', 150, 'pending', null, 3],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 120, 'pending', null, 3],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 180, 'pending', null, 3],
  ['148f10e1-2182-4297-ac1f-39bb9eca6f1a', 240, 'pending', null, 3],
];

function addAgingVisits(put, ctx) {
  const { clinic, payers, living, coverages, fee, today } = ctx;
  let claims = 0;
  AGING.forEach(([id, ago, outcome, reason, width], n) => {
    const patient = living.find((x) => x.id === id);
    if (!patient) {
      return;
    }
    const pref = `Patient/${id}`;
    const cov = coverages.find((c) => c.beneficiary.reference === pref && (c.order ?? 1) === 1 && c.period.end >= today);
    const payer = cov ? payers.find((x) => `Organization/${x.org.id}` === cov.payor[0].reference) : null;
    if (outcome !== 'self' && !payer) {
      return;
    }
    const day = addDays(today, -ago);
    const tag = `aging-${id.slice(0, 8)}-${n + 1}`;
    const enc = `enc-${tag}`;
    put({
      resourceType: 'Encounter',
      id: enc,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [{ text: 'Office visit' }],
      subject: { reference: pref },
      participant: [{ individual: { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' } }],
      period: { start: `${day}T14:00:00Z`, end: `${day}T14:20:00Z` },
      serviceProvider: { reference: `Organization/${clinic.id}` },
    });
    const codes = width === 3 ? ['99215', '99397', '99214'] : ['99213', '36415'];
    const items = codes.map((code, i) => {
      const f = fee.get(code);
      const ci = {
        resourceType: 'ChargeItem',
        id: `ci-${tag}-${i + 1}`,
        identifier: [{ system: REQUEST, value: `sandbox-ci-${tag}-${i + 1}` }],
        extension: [{ url: EXT_UNIT_PRICE, valueMoney: money(f.cents) }],
        definitionCanonical: [`urn:ehrterm:sandbox:fee-schedule:${code}`],
        status: outcome === 'self' || outcome === 'denied' ? 'billable' : 'billed',
        code: { coding: [{ system: CS_CPT, code, display: f.text }] },
        subject: { reference: pref },
        context: { reference: `Encounter/${enc}` },
        occurrenceDateTime: day,
        quantity: { value: 1 },
        reason: [cc(CS_ICD10CM, 'I10')],
        account: [{ reference: `Account/acct-${id}` }],
      };
      return { ci, code, cents: f.cents };
    });
    if (outcome === 'self') {
      items.forEach((it) => put(it.ci));
      return;
    }
    const claim = {
      resourceType: 'Claim',
      id: `claim-${tag}`,
      identifier: [
        { system: REQUEST, value: `sandbox-claim-${tag}` },
        { system: AGING_CLAIM, value: outcome },
      ],
      status: 'active',
      type: cc('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
      use: 'claim',
      patient: { reference: pref },
      billablePeriod: { start: day, end: day },
      created: addDays(day, 1),
      insurer: { reference: `Organization/${payer.org.id}` },
      provider: { reference: `Organization/${clinic.id}` },
      priority: cc('http://terminology.hl7.org/CodeSystem/processpriority', 'normal'),
      diagnosis: [{ sequence: 1, diagnosisCodeableConcept: cc(CS_ICD10CM, 'I10') }],
      insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${cov.id}` } }],
      ...claimParties(),
      item: items.map((it, i) => ({
        extension: [{ url: EXT_CLAIM_CHARGE, valueReference: { reference: `ChargeItem/${it.ci.id}` } }],
        sequence: i + 1,
        ...lineParties(),
        diagnosisSequence: [1],
        productOrService: cc(CS_CPT, it.code, fee.get(it.code).text),
        servicedDate: day,
        quantity: { value: 1 },
        unitPrice: money(it.cents),
        net: money(it.cents),
        encounter: [{ reference: `Encounter/${enc}` }],
      })),
      total: money(items.reduce((s, it) => s + it.cents, 0)),
    };
    put(claim);
    claims++;
    if (outcome === 'pending') {
      items.forEach((it) => put(it.ci));
      return;
    }
    const paidOn = addDays(day, 10);
    const lines = items.map((it, i) => {
      const a = [adj('submitted', it.cents)];
      let paid = 0;
      if (outcome === 'paid') {
        const allowed = Math.round(it.cents * 0.9);
        const coins = Math.round(allowed * 0.2);
        paid = allowed - coins;
        a.push(adj('eligible', allowed), adj('benefit', paid), carc('CO', '45', it.cents - allowed), carc('PR', '2', coins));
      } else if (outcome === 'partial') {
        if (i === 0) {
          paid = it.cents - 1000 - 2500;
          a.push(adj('eligible', it.cents - 1000), adj('benefit', paid), carc('CO', '45', 1000), carc('PR', '3', 2500));
        } else {
          a.push(adj('benefit', 0), carc('PR', '1', it.cents));
        }
      } else {
        a.push(adj('benefit', 0), carc('CO', reason, it.cents));
      }
      it.ci.extension.push({ url: EXT_POSTED, valueReference: { type: 'ClaimResponse', identifier: { system: REQUEST, value: `sandbox-cr-${tag}` } } });
      put(it.ci);
      return { itemSequence: i + 1, adjudication: a, paid };
    });
    const paid = lines.reduce((s, l) => s + l.paid, 0);
    const number = `EOB-${8001 + n}`;
    put({
      resourceType: 'ClaimResponse',
      id: `cr-${tag}`,
      identifier: [{ system: REQUEST, value: `sandbox-cr-${tag}` }],
      status: 'active',
      type: cc('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
      use: 'claim',
      patient: { reference: pref },
      created: paidOn,
      insurer: { reference: `Organization/${payer.org.id}`, display: payer.org.name },
      request: { reference: `Claim/${claim.id}` },
      outcome: 'complete',
      item: lines.map(({ itemSequence, adjudication }) => ({ itemSequence, adjudication })),
      total: [
        { category: cc(CS_ADJ, 'submitted'), amount: claim.total },
        { category: cc(CS_ADJ, 'benefit'), amount: money(paid) },
      ],
      payment: {
        type: cc('http://terminology.hl7.org/CodeSystem/ex-paymenttype', 'complete'),
        date: paidOn,
        amount: money(paid),
        identifier: { value: number },
      },
    });
    put({
      resourceType: 'PaymentReconciliation',
      id: `pr-${tag}`,
      identifier: [{ system: REQUEST, value: `sandbox-pr-${tag}` }],
      status: 'active',
      created: paidOn,
      paymentIssuer: { reference: `Organization/${payer.org.id}`, display: payer.org.name },
      outcome: 'complete',
      paymentDate: paidOn,
      paymentAmount: money(paid),
      paymentIdentifier: { value: number },
      detail: [
        {
          type: cc('http://terminology.hl7.org/CodeSystem/payment-type', 'payment'),
          request: { reference: `Claim/${claim.id}` },
          response: { reference: `ClaimResponse/cr-${tag}` },
          date: paidOn,
          amount: money(paid),
        },
      ],
    });
  });
  return claims;
}

/**
 * A visit wrapped up the way charting's wrap-up writes it, and not yet charged: the
 * Encounter finished, its diagnosis array ranking three encounter-diagnosis Conditions
 * (ICD-10-CM; the primary, rank 1, is the last of them written and the last in the
 * array, so only the ranks put it first), and two completed CPT Procedures by the
 * clinician. Yesterday (from NOW) at 15:00 UTC, after the billing history, so that no
 * charge or claim is made for it. ctx: { now, clinic, living }.
 */
function addWrappedUpVisit(put, ctx) {
  const patient = ctx.living.find((p) => p.id === WRAPPED_UP);
  if (!patient) {
    return;
  }
  const pref = `Patient/${patient.id}`;
  const short = patient.id.slice(0, 8);
  const day = addDays(dayOf(ctx.now.toISOString()), -1);
  const start = `${day}T15:00:00Z`;
  const enc = `enc-wrapup-${short}`;
  const clinician = { reference: 'Practitioner/clinician', display: 'Dr. Amara Okafor' };
  // [id, ICD-10-CM code, display, rank], in the order written.
  const diagnoses = [
    ['dx2', 'E11.9', 'Type 2 diabetes mellitus without complications', 2],
    ['dx3', 'E78.5', 'Hyperlipidemia, unspecified', 3],
    ['dx1', 'I10', 'Essential (primary) hypertension', 1],
  ];
  diagnoses.forEach(([id, code, display]) =>
    put({
      resourceType: 'Condition',
      id: `wrapup-${short}-${id}`,
      clinicalStatus: cc('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
      verificationStatus: cc('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed'),
      category: [cc(CS_CONDITION_CATEGORY, 'encounter-diagnosis', 'Encounter Diagnosis')],
      code: { coding: [{ system: CS_ICD10CM, code, display }], text: display },
      subject: { reference: pref },
      encounter: { reference: `Encounter/${enc}` },
      recordedDate: start,
    })
  );
  put({
    resourceType: 'Encounter',
    id: enc,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [{ text: 'Follow-up visit, wrapped up' }],
    subject: { reference: pref },
    participant: [{ individual: clinician }],
    period: { start, end: `${day}T15:20:00Z` },
    diagnosis: diagnoses.map(([id, , , rank]) => ({
      condition: { reference: `Condition/wrapup-${short}-${id}` },
      use: cc(CS_DIAGNOSIS_ROLE, 'billing', 'Billing'),
      rank,
    })),
    location: [{ location: { reference: 'Location/loc-main' } }],
    serviceProvider: { reference: `Organization/${ctx.clinic.id}` },
  });
  [
    ['99214', 'Established patient visit, moderate complexity'],
    ['93000', 'Electrocardiogram with interpretation and report'],
  ].forEach(([code, display], i) =>
    put({
      resourceType: 'Procedure',
      id: `wrapup-${short}-proc${i + 1}`,
      status: 'completed',
      code: { coding: [{ system: CS_CPT, code, display }], text: display },
      subject: { reference: pref },
      encounter: { reference: `Encounter/${enc}` },
      performedDateTime: start,
      performer: [{ actor: clinician }],
    })
  );
}

module.exports = { addBillingHistory, addWrappedUpVisit };
