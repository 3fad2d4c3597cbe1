import type { Medication, MedicationRequest, Procedure, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { factsOf } from '../../../test-support/facts.js';
import {
  aCarePlan,
  aChemo,
  aChemoAdministration,
  aChemoOrder,
  aCodedProcedure,
  aDraftClaim,
  anAnalgesicOrder,
  aPainCondition,
  aReferral,
  at,
  aVisit,
  CARBOPLATIN,
  CHEMO_SNOMED,
  concept,
  CPT,
  ICD10,
  REFERRAL,
  RXNORM,
  SNOMED,
} from '../../../test-support/pain-builders.js';

/*
 * Statuses are R4's own: a MedicationRequest is withdrawn as cancelled, a ServiceRequest or CarePlan as revoked;
 * entered-in-error resources of any type are dropped by the snapshot before any fact is built.
 *
 * Shapes corpus, plan of care, orders and treatment (src/facts/plan-of-care.ts, treatment.ts). The visit is
 * pain-builders' aVisit() (enc-1, 2025-05-14 14:00-15:00Z). Drug shapes as in drugs.test.ts: inline RxNorm (US Core),
 * contained Medication (Oracle Health), referenced Medication (Epic, athenahealth `_include`), SCD codes (README
 * "uscore": 1049221 acetaminophen/oxycodone).
 */

const planOf = (resources: readonly Resource[]): readonly string[] => factsOf(resources, aVisit()).painPlanEvidence;

const containedAnalgesic = (): MedicationRequest => {
  const { medicationCodeableConcept: _m, ...order } = anAnalgesicOrder();
  const medication: Medication = { resourceType: 'Medication', id: 'oxy', code: concept(RXNORM, '7804', 'oxycodone') };
  return { ...order, contained: [medication], medicationReference: { reference: '#oxy' } };
};

const referencedAnalgesic = (): MedicationRequest => {
  const { medicationCodeableConcept: _m, ...order } = anAnalgesicOrder();
  return { ...order, medicationReference: { reference: 'Medication/perc' } };
};
const PERCOCET: Medication = {
  resourceType: 'Medication',
  id: 'perc',
  code: concept(RXNORM, '1049221', 'acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet'),
};

describe('pain plan evidence', () => {
  it.each<{ name: string; source: string; resources: readonly Resource[]; evidence: readonly string[] }>([
    {
      name: 'analgesic ordered inline by RxNorm ingredient',
      source: 'US Core MedicationRequest',
      resources: [anAnalgesicOrder()],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'analgesic ordered via a contained Medication',
      source: 'Oracle Health; US Core allows both',
      resources: [containedAnalgesic()],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'analgesic ordered via a referenced Medication by SCD code',
      source: 'README "athena" (_include=MedicationRequest:medication); README "uscore" SCD 1049221',
      resources: [referencedAnalgesic(), PERCOCET],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'analgesic ordered by SCD code inline',
      source: 'README "uscore"',
      resources: [anAnalgesicOrder({ medicationCodeableConcept: PERCOCET.code ?? {} })],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'draft analgesic order',
      source: 'order being signed',
      resources: [anAnalgesicOrder({ status: 'draft' })],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'cancelled analgesic order',
      source: 'withdrawn',
      resources: [anAnalgesicOrder({ status: 'cancelled' })],
      evidence: [],
    },
    {
      name: 'entered-in-error analgesic order',
      source: 'never valid',
      resources: [anAnalgesicOrder({ status: 'entered-in-error' })],
      evidence: [],
    },
    {
      name: 'order for a non-analgesic',
      source: 'US Core',
      resources: [anAnalgesicOrder({ medicationCodeableConcept: CARBOPLATIN })],
      evidence: [],
    },
    {
      name: 'analgesic ordered at another visit',
      source: 'other encounter',
      resources: [anAnalgesicOrder({ encounter: { reference: 'Encounter/enc-0' } })],
      evidence: [],
    },
    {
      name: 'active palliative referral',
      source: 'SNOMED 306237005',
      resources: [aReferral()],
      evidence: ['ServiceRequest/sr-1'],
    },
    { name: 'revoked referral', source: 'withdrawn', resources: [aReferral({ status: 'revoked' })], evidence: [] },
    {
      name: 'generic referral for G89.3 by reasonCode',
      source: 'US Core ServiceRequest',
      resources: [aReferral({ code: REFERRAL, reasonCode: [concept(ICD10, 'G89.3')] })],
      evidence: ['ServiceRequest/sr-1'],
    },
    {
      name: 'generic referral for the G89.3 Condition by reasonReference',
      source: 'US Core ServiceRequest',
      resources: [
        aPainCondition(),
        aReferral({ code: REFERRAL, reasonReference: [{ reference: 'Condition/pain-dx' }] }),
      ],
      evidence: ['ServiceRequest/sr-1'],
    },
    {
      name: 'generic referral for something else',
      source: 'US Core ServiceRequest',
      resources: [aReferral({ code: REFERRAL })],
      evidence: [],
    },
    {
      name: 'active CarePlan addressing the pain Condition',
      source: 'US Core CarePlan.addresses',
      resources: [aPainCondition(), aCarePlan({ addresses: [{ reference: 'Condition/pain-dx' }] })],
      evidence: ['CarePlan/plan-1'],
    },
    {
      name: 'draft CarePlan addressing pain',
      source: 'may still be discarded',
      resources: [aPainCondition(), aCarePlan({ status: 'draft', addresses: [{ reference: 'Condition/pain-dx' }] })],
      evidence: [],
    },
    {
      name: 'revoked CarePlan addressing pain',
      source: 'withdrawn',
      resources: [aPainCondition(), aCarePlan({ status: 'revoked', addresses: [{ reference: 'Condition/pain-dx' }] })],
      evidence: [],
    },
    {
      name: 'CarePlan addressing a non-pain Condition',
      source: 'US Core CarePlan.addresses',
      resources: [
        aPainCondition({ code: concept(ICD10, 'C50.911') }),
        aCarePlan({ addresses: [{ reference: 'Condition/pain-dx' }] }),
      ],
      evidence: [],
    },
    {
      name: 'CarePlan with a pain-management activity code',
      source: 'SNOMED 408957008',
      resources: [aCarePlan({ activity: [{ detail: { status: 'scheduled', code: concept(SNOMED, '408957008') } }] })],
      evidence: ['CarePlan/plan-1'],
    },
    {
      name: 'pain management Procedure',
      source: 'SNOMED 278414003',
      resources: [aCodedProcedure('278414003', { id: 'pm', code: concept(SNOMED, '278414003') })],
      evidence: ['Procedure/pm'],
    },
    {
      name: 'pain management Procedure not done',
      source: 'Procedure status',
      resources: [aCodedProcedure('278414003', { id: 'pm', status: 'not-done', code: concept(SNOMED, '278414003') })],
      evidence: [],
    },
    {
      name: '0521F as a Procedure',
      source: 'CMS157 / MIPS #144',
      resources: [aCodedProcedure('0521F')],
      evidence: ['Procedure/cat2-0521F'],
    },
    {
      name: '0521F-8P (plan not documented) is no evidence',
      source: 'README "pqrs-appended"',
      resources: [aCodedProcedure('0521F-8P')],
      evidence: [],
    },
    {
      name: '0521F on a Claim line, and 0521F-8P on another',
      source: 'README "claim837"',
      resources: [aDraftClaim([{ code: '0521F' }, { code: '0521F', modifiers: ['8P'] }])],
      evidence: ['Claim/claim-1#1'],
    },
    {
      name: '0521F under HCPCS is not the CPT code',
      source: 'code system',
      resources: [
        aCodedProcedure('0521F', { code: concept('http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', '0521F') }),
      ],
      evidence: [],
    },
  ])('$name ($source)', ({ resources, evidence }) => {
    expect([...planOf(resources)]).toEqual(evidence);
  });

  it.each<{ name: string; resources: readonly Resource[]; evidence: readonly string[] }>([
    {
      name: 'CarePlan addressing a Condition that was not sent',
      resources: [aCarePlan({ addresses: [{ reference: 'Condition/missing' }] })],
      evidence: [],
    },
    {
      name: 'CarePlan activity by reference only (no detail)',
      resources: [aCarePlan({ activity: [{ reference: { reference: 'ServiceRequest/x' } }] })],
      evidence: [],
    },
    {
      name: 'CarePlan activity detail without code',
      resources: [aCarePlan({ activity: [{ detail: { status: 'scheduled' } }] })],
      evidence: [],
    },
    {
      name: 'referral without a code, for G89.3 by reasonCode',
      resources: [
        (() => {
          const { code: _c, ...r } = aReferral({ reasonCode: [concept(ICD10, 'G89.3')] });
          return r;
        })(),
      ],
      evidence: ['ServiceRequest/sr-1'],
    },
    {
      name: 'Procedure without a code',
      resources: [
        (() => {
          const { code: _c, ...p } = aCodedProcedure('x', { id: 'nc' });
          return p;
        })(),
      ],
      evidence: [],
    },
  ])('$name', ({ resources, evidence }) => {
    expect([...planOf(resources)]).toEqual(evidence);
  });

  it('the same evidence named twice is listed once', () => {
    const claim = aDraftClaim([{ code: '0521F' }]);
    expect([...planOf([aCodedProcedure('0521F'), claim, aCodedProcedure('0521F')])]).toEqual([
      'Procedure/cat2-0521F',
      'Claim/claim-1#1',
    ]);
  });
});

describe('planned chemotherapy: orders that still stand', () => {
  it.each([
    ['active', true],
    ['on-hold', true],
    ['draft', true],
    ['completed', false],
    ['stopped', false],
    ['cancelled', false],
    ['unknown', false],
  ] as const)('an antineoplastic order %s plans chemotherapy: %s', (status, planned) => {
    const facts = factsOf([aChemoOrder({ status })], aVisit());
    expect([...facts.plannedChemotherapy]).toEqual(planned ? ['MedicationRequest/chemo-order'] : []);
    expect(facts.orders.map((o) => o.reference)).toEqual(['MedicationRequest/chemo-order']);
  });

  it('an active order of another class plans no chemotherapy', () => {
    expect(factsOf([anAnalgesicOrder()], aVisit()).plannedChemotherapy).toEqual([]);
  });

  it('an antineoplastic order by contained Medication SCD plans chemotherapy', () => {
    const { medicationCodeableConcept: _m, ...order } = aChemoOrder();
    const med: Medication = { resourceType: 'Medication', id: 'm', code: concept(RXNORM, '597195') };
    const request: MedicationRequest = { ...order, contained: [med], medicationReference: { reference: '#m' } };
    const facts = factsOf([request], aVisit());
    expect([...facts.plannedChemotherapy]).toEqual(['MedicationRequest/chemo-order']);
  });
});

describe('chemotherapy events', () => {
  const DAY = 86_400_000;
  const dayOf = (days: number): number => Math.floor(Date.parse(at(days)) / DAY);

  it.each<{
    name: string;
    source: string;
    resources: readonly Resource[];
    events: readonly (readonly [string, number])[];
  }>([
    {
      name: 'CMS157 chemo Procedure CPT 96413',
      source: 'CMS157 Chemotherapy Administration',
      resources: [aChemo(-10)],
      events: [['Procedure/chemo-1', dayOf(-10)]],
    },
    {
      name: 'CMS157 chemo Procedure SNOMED 703423002',
      source: 'README "synthea"',
      resources: [aChemo(-5, { code: CHEMO_SNOMED })],
      events: [['Procedure/chemo-1', dayOf(-5)]],
    },
    {
      name: 'chemo Procedure performedPeriod',
      source: 'US Core Procedure',
      resources: [
        (() => {
          const { performedDateTime: _p, ...p } = aChemo(0);
          return { ...p, performedPeriod: { start: at(-3), end: at(-3, '11:00') } } as Procedure;
        })(),
      ],
      events: [['Procedure/chemo-1', dayOf(-3)]],
    },
    {
      name: 'chemo Procedure not completed',
      source: 'Procedure status',
      resources: [aChemo(-10, { status: 'in-progress' })],
      events: [],
    },
    {
      name: 'a non-chemo Procedure',
      source: 'CPT 99213',
      resources: [aChemo(-10, { code: concept(CPT, '99213') })],
      events: [],
    },
    {
      name: 'chemo Procedure with no performed time',
      source: 'incomplete record',
      resources: [
        (() => {
          const { performedDateTime: _p, ...p } = aChemo(0);
          return p;
        })(),
      ],
      events: [],
    },
    {
      name: 'antineoplastic administration (effectivePeriod)',
      source: 'US Core / MAR',
      resources: [aChemoAdministration(-7)],
      events: [['MedicationAdministration/ma-carbo', dayOf(-7)]],
    },
    {
      name: 'antineoplastic administration (effectiveDateTime)',
      source: 'README "cerner"',
      resources: [
        (() => {
          const { effectivePeriod: _e, ...a } = aChemoAdministration(0);
          return { ...a, effectiveDateTime: at(-2) };
        })(),
      ],
      events: [['MedicationAdministration/ma-carbo', dayOf(-2)]],
    },
    {
      name: 'antineoplastic administration not done',
      source: 'MAR status',
      resources: [aChemoAdministration(-7, { status: 'not-done' })],
      events: [],
    },
    {
      name: 'in-progress antineoplastic administration',
      source: 'running infusion',
      resources: [aChemoAdministration(0, { status: 'in-progress' })],
      events: [['MedicationAdministration/ma-carbo', dayOf(0)]],
    },
    {
      name: 'non-antineoplastic administration',
      source: 'ondansetron',
      resources: [aChemoAdministration(-7, { medicationCodeableConcept: concept(RXNORM, '26225') })],
      events: [],
    },
  ])('$name ($source)', ({ resources, events }) => {
    const found = factsOf(resources, aVisit()).chemotherapyEvents.map((e) => [e.reference, e.day] as const);
    expect(found).toEqual(events);
  });

  it('a completed Procedure without a code is no chemotherapy', () => {
    const { code: _c, ...procedure } = aChemo(-10);
    expect(factsOf([procedure], aVisit()).chemotherapyEvents).toEqual([]);
  });

  it('cancer treatment today: antineoplastic given, chemo administration and RT delivery codes', () => {
    const resources: Resource[] = [
      aChemoAdministration(0),
      aCodedProcedure('96413', { id: 'admin' }),
      aCodedProcedure('77385', { id: 'rt' }),
      aCodedProcedure('99213', { id: 'em' }),
    ];
    expect([...factsOf(resources, aVisit()).cancerTreatmentToday]).toEqual([
      'MedicationAdministration/ma-carbo',
      'Procedure/admin',
      'Procedure/rt',
    ]);
  });

  it('procedures and care plans of the encounter are exposed as recorded', () => {
    const facts = factsOf([aCodedProcedure('99213', { id: 'em' }), aCarePlan()], aVisit());
    expect(facts.procedures.map((p) => p.id)).toEqual(['em']);
    expect(facts.carePlans.map((p) => p.id)).toEqual(['plan-1']);
    expect(facts.patientId).toBe('pat-1');
    expect(facts.conditions).toEqual([]);
  });
});
