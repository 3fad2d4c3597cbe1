import type { CodeableConcept, Medication, MedicationAdministration, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import type { DrugClass } from '../../../src/facts/drugs.js';
import { HCPCS, RXNORM } from '../../../test-support/builders.js';
import { administrationOf, anAdministrationWith } from '../../../test-support/facts.js';

/*
 * Shapes corpus, drug identity (src/facts/drugs.ts through EncounterFacts.administrations): every way the big EHRs
 * and US Core/mCODE name the drug given must give the same drug class and ingredients. Vendor shapes and their
 * sources are those of tests/fixtures/many-shapes/README.md ("README" below); codes are those of terminology/.
 */

const NDC = 'http://hl7.org/fhir/sid/ndc';
const NDC_OID = 'urn:oid:2.16.840.1.113883.6.69';
const RXNORM_OID = 'urn:oid:2.16.840.1.113883.6.88';

const coded = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display !== undefined ? { display } : {}) }],
});

const medication = (id: string, fields: Partial<Medication>): Medication => ({
  resourceType: 'Medication',
  id,
  ...fields,
});

/** medicationCodeableConcept inline (US Core MedicationAdministration; Oracle Health single products). */
const inline = (drug: CodeableConcept): MedicationAdministration =>
  anAdministrationWith({ medicationCodeableConcept: drug });

/** medicationReference to a contained Medication (Oracle Health admixtures; Epic when the Medication is inlined). */
const contained = (med: Medication, display?: string): MedicationAdministration =>
  anAdministrationWith(
    {
      contained: [med],
      medicationReference: { reference: `#${med.id ?? ''}`, ...(display !== undefined ? { display } : {}) },
    },
    ['medicationCodeableConcept'],
  );

/** medicationReference to a standalone Medication sent beside it (Epic on FHIR, README "epic" drug row). */
const referenced = (id: string, display?: string): MedicationAdministration =>
  anAdministrationWith(
    { medicationReference: { reference: `Medication/${id}`, ...(display !== undefined ? { display } : {}) } },
    ['medicationCodeableConcept'],
  );

const SALINE_ITEM = coded(RXNORM, '313002', 'Sodium Chloride 0.9% injectable solution');

interface DrugRow {
  readonly name: string;
  /** Which vendor or document writes the drug this way. */
  readonly source: string;
  readonly administration: MedicationAdministration;
  readonly others?: readonly Resource[];
  readonly drugClass: DrugClass;
  readonly ingredient: string;
  readonly decidedBy: 'code' | 'ingredient';
}

const carboplatinShapes: readonly DrugRow[] = [
  {
    name: 'RxNorm ingredient 40048',
    source: 'US Core / mCODE MedicationAdministration examples; README "idealized"',
    administration: inline(coded(RXNORM, '40048', 'carboplatin')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    name: 'RxNorm ingredient 40048 under the RxNorm OID, without display',
    source: 'C-CDA-derived data (code-systems.json alias urn:oid:2.16.840.1.113883.6.88)',
    administration: inline(coded(RXNORM_OID, '40048')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    name: 'RxNorm SCD 597195 (carboplatin 10 MG/ML Injectable Solution), no ingredient code',
    source: 'README "uscore": US Core medication codes are clinical drugs',
    administration: inline(coded(RXNORM, '597195', 'carboplatin 10 MG/ML Injectable Solution')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    // The SBD code is a placeholder in no value set (no SBD is in the published sets, and a real code could not be
    // verified here): the ingredient named in the RxNorm SBD display decides (drugs.ts JUDGMENT fallback).
    name: 'RxNorm SBD (branded product) with its RxNorm display',
    source: 'Epic and Oracle Health send the dispensed product (drugs.ts header)',
    administration: inline(coded(RXNORM, '99999901', 'carboplatin 10 MG/ML Injectable Solution [Paraplatin]')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'ingredient',
  },
  {
    // NDC labeler/product numbers are illustrative (README "Not covered": no verifiable carboplatin NDC); the
    // display, which pharmacy interfaces send with the NDC, names the ingredient.
    name: 'NDC 10-digit hyphenated with display',
    source: 'athenahealth and pharmacy interfaces (drugs.ts header)',
    administration: inline(coded(NDC, '0703-4244-01', 'Carboplatin 10 mg/mL injection, 45 mL vial')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'ingredient',
  },
  {
    name: 'NDC 11-digit (5-4-2 billing form) under the NDC OID, with display',
    source: '837 billing lines / HIPAA NDC format (drugs.ts header)',
    administration: inline(coded(NDC_OID, '00703424401', 'Carboplatin 10 mg/mL injection, 45 mL vial')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'ingredient',
  },
  {
    name: 'HCPCS J9045',
    source: 'charge-driven feeds; CMS HCPCS J-code (published-antineoplastic-drug)',
    administration: inline(coded(HCPCS, 'J9045', 'Injection, carboplatin, 50 mg')),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    name: 'text only',
    source: 'free-text medication entry (drugs.ts header: "or only text")',
    administration: inline({ text: 'CARBOplatin 450 mg IVPB' }),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'ingredient',
  },
  {
    name: 'contained Medication with an RxNorm code',
    source: 'FHIR R4 medicationexample / Oracle Health contained Medication (README "cerner" drug row)',
    administration: contained(medication('med1', { code: coded(RXNORM, '40048', 'carboplatin') })),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    name: 'referenced standalone Medication with ERX id and RxNorm codes',
    source: 'Epic on FHIR "Medication References" (README "epic" drug row)',
    administration: referenced('med-carbo'),
    others: [
      medication('med-carbo', {
        code: {
          text: 'CARBOPLATIN 10 MG/ML IV SOLN',
          coding: [
            {
              system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.698288',
              code: '12345',
              display: 'CARBOPLATIN 10 MG/ML IV SOLN',
            },
            { system: RXNORM, code: '597195', display: 'carboplatin 10 MG/ML Injectable Solution' },
          ],
        },
      }),
    ],
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    name: 'contained Medication with only ingredient[].itemCodeableConcept (carboplatin in NS 250 mL)',
    source: 'Oracle Health IV admixture (README "cerner": r4_examples_medication_administration.rb)',
    administration: contained(
      medication('admix', {
        ingredient: [
          { itemCodeableConcept: coded(RXNORM, '597195', 'carboplatin 10 MG/ML Injectable Solution') },
          { itemCodeableConcept: SALINE_ITEM },
        ],
      }),
    ),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'code',
  },
  {
    name: 'admixture with code.text only and uncoded ingredients',
    source: 'Oracle Health admixture with Cerner synonyms only (README "cerner")',
    administration: contained(
      medication('admix', {
        code: { text: 'carboplatin 450 mg in NS 250 mL' },
        ingredient: [{ itemCodeableConcept: { text: 'carboplatin' } }, { itemCodeableConcept: { text: 'NS' } }],
      }),
    ),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'ingredient',
  },
  {
    name: 'only medicationReference.display (Medication not sent)',
    source: 'prefetch without _include (drugs.ts header)',
    administration: referenced('not-sent', 'carboplatin 450 mg in sodium chloride 0.9% 250 mL'),
    drugClass: 'antineoplastic',
    ingredient: 'carboplatin',
    decidedBy: 'ingredient',
  },
];

const otherDrugs: readonly DrugRow[] = [
  {
    name: 'HCPCS Q5116 (trastuzumab-qyyp biosimilar)',
    source: 'CMS HCPCS Q5xxx biosimilars (published-antineoplastic-drug)',
    administration: inline(coded(HCPCS, 'Q5116', 'Injection, trastuzumab-qyyp, biosimilar, (trazimera), 10 mg')),
    drugClass: 'antineoplastic',
    ingredient: 'trastuzumab',
    decidedBy: 'code',
  },
  {
    name: 'NDC 10-digit 5-3-2 of the value set (Adcetris)',
    source: 'antineoplastic-drug NDC member, as written in the value set',
    administration: inline(coded(NDC, '51144-050-01', 'Adcetris (brentuximab vedotin) 50 mg vial')),
    drugClass: 'antineoplastic',
    ingredient: 'brentuximab vedotin',
    decidedBy: 'code',
  },
  {
    name: 'same NDC as 11-digit 5-4-2 without hyphens',
    source: 'billing form of the same NDC (terminology.ts normaliseNdc)',
    administration: inline(coded(NDC, '51144005001', 'Adcetris (brentuximab vedotin) 50 mg vial')),
    drugClass: 'antineoplastic',
    ingredient: 'brentuximab vedotin',
    decidedBy: 'code',
  },
  {
    name: 'hydration-only admixture (NS with dextrose)',
    source: 'Oracle Health admixture shape with fluids only',
    administration: contained(
      medication('fluids', {
        ingredient: [{ itemCodeableConcept: SALINE_ITEM }, { itemCodeableConcept: { text: 'dextrose 5%' } }],
      }),
    ),
    drugClass: 'hydration',
    ingredient: 'sodium chloride',
    decidedBy: 'code',
  },
  {
    name: 'ondansetron RxNorm ingredient',
    source: 'US Core; supportive-oncology-drug',
    administration: inline(coded(RXNORM, '26225', 'ondansetron')),
    drugClass: 'supportive',
    ingredient: 'ondansetron',
    decidedBy: 'code',
  },
  {
    name: 'ondansetron by text only',
    source: 'free-text entry',
    administration: inline({ text: 'Ondansetron 8 mg IV' }),
    drugClass: 'supportive',
    ingredient: 'ondansetron',
    decidedBy: 'ingredient',
  },
];

describe('drug identity: every shape of carboplatin gives the same facts', () => {
  it.each(carboplatinShapes)('$name ($source)', (row) => {
    const fact = administrationOf(row.administration, row.others);
    expect(fact.drug.drugClass).toBe(row.drugClass);
    expect(fact.drug.ingredients).toContain(row.ingredient);
    expect(fact.drug.decidedBy).toBe(row.decidedBy);
    // Carboplatin is a cytotoxic: neither an immunotherapy nor hormonal, and the same drug whatever the shape.
    expect(fact.drug.immunotherapy).toBe(false);
    expect(fact.drug.hormonal).toBe(false);
    expect(fact.drug.analgesic).toBe(false);
    expect(fact.drug.key).toBe('ingredients:carboplatin');
  });
});

describe('drug identity: other drugs and classes', () => {
  it.each(otherDrugs)('$name ($source)', (row) => {
    const fact = administrationOf(row.administration, row.others);
    expect(fact.drug.drugClass).toBe(row.drugClass);
    expect(fact.drug.ingredients).toContain(row.ingredient);
    expect(fact.drug.decidedBy).toBe(row.decidedBy);
  });

  it('a drug on no list is unknown, decided by nothing, keyed by its first known coding', () => {
    const fact = administrationOf(inline(coded(RXNORM, '11124', 'vancomycin')));
    expect(fact.drug).toMatchObject({ drugClass: 'unknown', decidedBy: 'none', ingredients: [] });
    expect(fact.drug.key).toBe(`${RXNORM}|11124`);
    expect(fact.drug.name).toBe('vancomycin');
  });

  it('a drug with no code and no known name has no key and a generic name', () => {
    const fact = administrationOf(inline({ text: '  ' }));
    expect(fact.drug).toMatchObject({ drugClass: 'unknown', decidedBy: 'none', key: undefined, name: 'the drug' });
  });

  it.each([
    ['HCPCS J9271 (pembrolizumab)', coded(HCPCS, 'J9271', 'Injection, pembrolizumab, 1 mg'), 'pembrolizumab'],
    ['RxNorm pembrolizumab by text only', { text: 'Keytruda (pembrolizumab) 200 mg' }, 'pembrolizumab'],
  ] as const)('immunotherapy flag: %s', (_name, drug, ingredient) => {
    const fact = administrationOf(inline(drug));
    expect(fact.drug.drugClass).toBe('antineoplastic');
    expect(fact.drug.immunotherapy).toBe(true);
    expect(fact.drug.hormonal).toBe(false);
    expect(fact.drug.ingredients).toContain(ingredient);
  });

  it.each([
    ['RxNorm 282357 (fulvestrant)', coded(RXNORM, '282357', 'fulvestrant')],
    ['HCPCS J9395 (fulvestrant)', coded(HCPCS, 'J9395', 'Injection, fulvestrant, 25 mg')],
    ['text only', { text: 'Fulvestrant 500 mg IM' }],
  ] as const)('hormonal flag: %s', (_name, drug) => {
    const fact = administrationOf(inline(drug));
    expect(fact.drug.drugClass).toBe('antineoplastic');
    expect(fact.drug.hormonal).toBe(true);
    expect(fact.drug.immunotherapy).toBe(false);
  });

  it('analgesic flag from a combination product SCD (acetaminophen/oxycodone 1049221)', () => {
    const fact = administrationOf(
      inline(coded(RXNORM, '1049221', 'acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet')),
    );
    expect(fact.drug.drugClass).toBe('analgesic');
    expect(fact.drug.analgesic).toBe(true);
  });

  it('a coded class wins over names in the text: the code decides, text-only sets do not add flags', () => {
    // Coded carboplatin with "pembrolizumab" in free text: the code decides the class, the name adds no flag.
    const fact = administrationOf(
      inline({ text: 'carboplatin (with pembrolizumab to follow)', coding: [{ system: RXNORM, code: '40048' }] }),
    );
    expect(fact.drug.decidedBy).toBe('code');
    expect(fact.drug.immunotherapy).toBe(false);
  });
});

describe('drug identity: "the same drug" (INF-008 key)', () => {
  it.each([
    [
      'two NDCs of carboplatin (different vial sizes)',
      coded(NDC, '0703-4244-01', 'Carboplatin 10 mg/mL injection, 45 mL vial'),
      coded(NDC, '61703-339-50', 'carboplatin injection 10 mg/mL, 5 mL vial'),
    ],
    [
      'two SCDs of fluorouracil (239177 and 1791701)',
      coded(RXNORM, '239177', 'fluorouracil 50 MG/ML Injectable Solution'),
      coded(RXNORM, '1791701', 'fluorouracil 50 MG/ML Injectable Solution, 10 ML'),
    ],
    // An RxNorm ingredient code sent without display (display is optional in FHIR) must still name its ingredient.
    [
      'RxNorm ingredient 40048 without display and HCPCS J9045 (carboplatin)',
      coded(RXNORM, '40048'),
      coded(HCPCS, 'J9045'),
    ],
    ['RxNorm SCD 597195 without display and HCPCS J9045 (carboplatin)', coded(RXNORM, '597195'), coded(HCPCS, 'J9045')],
    [
      'carboplatin alone and carboplatin admixed in NS (saline is not an active ingredient)',
      coded(RXNORM, '40048', 'carboplatin'),
      { text: 'carboplatin 450 mg in NS 250 mL' },
    ],
  ] as const)('%s share one key', (_name, first, second) => {
    const a = administrationOf(inline(first));
    const b = administrationOf(inline(second));
    expect(a.drug.key).toBeDefined();
    expect(a.drug.key).toBe(b.drug.key);
  });

  it('two different drugs do not share a key', () => {
    const a = administrationOf(inline(coded(RXNORM, '40048', 'carboplatin')));
    const b = administrationOf(inline(coded(RXNORM, '56946', 'paclitaxel')));
    expect(a.drug.key).not.toBe(b.drug.key);
  });
});

describe('drug name for card text', () => {
  it.each([
    [
      'the concept text first',
      inline({ text: 'Carboplatin IVPB', coding: [{ system: RXNORM, code: '40048', display: 'carboplatin' }] }),
      [],
      'Carboplatin IVPB',
    ],
    ['else the first coding display', inline(coded(RXNORM, '40048', 'carboplatin')), [], 'carboplatin'],
    [
      'else the Medication code text',
      contained(medication('m', { code: { text: 'CARBOplatin 450 mg' } })),
      [],
      'CARBOplatin 450 mg',
    ],
    ['else the reference display', referenced('missing', 'carboplatin 450 mg'), [], 'carboplatin 450 mg'],
    [
      'else the ingredients found',
      contained(medication('m', { ingredient: [{ itemCodeableConcept: coded(RXNORM, '597195') }] })),
      [],
      'carboplatin',
    ],
  ] as const)('%s', (_name, administration, others, expected) => {
    expect(administrationOf(administration, others).drug.name).toBe(expected);
  });
});
