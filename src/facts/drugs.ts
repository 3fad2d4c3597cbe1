import type { CodeableConcept, Coding, Medication, Reference } from 'fhir/r4.js';
import type { MedicationUser, PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology, ValueSetId } from '../terminology/terminology.js';
import { allTextOf } from './concepts.js';
import { DRUG_NAME_MEMO_LIMIT } from '../config/limits.js';

/*
 * Drug identity, whatever the coding. Real records name a drug in many places:
 * - `medicationCodeableConcept` with an RxNorm ingredient (US Core examples) or a product (SCD/SBD; Epic and Oracle
 *   Health send the product codes of the dispensed item), an NDC (10-digit hyphenated or the 11-digit billing form;
 *   athenahealth and pharmacy interfaces), a HCPCS J- or Q-code (charge-driven feeds), or only `text`;
 * - `medicationReference` to a contained or standalone `Medication` whose `code` carries the same codings (Epic and
 *   Oracle Health's MedicationAdministration always reference a Medication; US Core MedicationRequest allows both);
 * - only `Medication.ingredient[].itemCodeableConcept` for IV admixtures ("carboplatin 450 mg in NS 250 mL"), as
 *   Epic's Medication resource and the FHIR R4 Medication examples (medicationexample1, IV admixture) do;
 * - only `medicationReference.display` when the Medication was not sent (prefetch without `_include`).
 * Codes decide first. When no coding is in any drug value set, the drug's ingredients decide: those of its codes
 * (terminology/generated/drug-ingredients.json, from the published value sets' displays), then the ingredient names
 * that appear in the record's text (JUDGMENT, catalogue section 3 "maintain as a pharmacy-owned list": a drug with
 * no known code is matched on the ingredient names the value sets list).
 */

export type DrugClass = 'antineoplastic' | 'supportive' | 'analgesic' | 'hydration' | 'unknown';

export interface DrugIdentity {
  /** A short human name for card text. */
  readonly name: string;
  /** Every coding that identifies the drug or one of its ingredients. */
  readonly codings: readonly Coding[];
  /** Lower-case ingredient names when known (from ingredient codings or names in the text), sorted. */
  readonly ingredients: readonly string[];
  readonly drugClass: DrugClass;
  readonly immunotherapy: boolean;
  readonly hormonal: boolean;
  /** In the analgesic set, whatever else it is (a pain-plan order: PAIN-003). */
  readonly analgesic: boolean;
  /** Identity for "the same drug" (INF-008): the active ingredients when known, else the first known coding. */
  readonly key: string | undefined;
  /** How the class was decided: a code in a value set, its ingredients (from codes or from text), or not at all. */
  readonly decidedBy: 'code' | 'ingredient' | 'none';
}

/** Value sets that classify a drug, most specific first: a carboplatin-in-saline admixture is antineoplastic. */
const CLASS_ORDER: readonly (readonly [Exclude<DrugClass, 'unknown'>, ValueSetId])[] = [
  ['antineoplastic', 'antineoplastic-drug'],
  ['supportive', 'supportive-oncology-drug'],
  ['analgesic', 'analgesic-drug'],
  ['hydration', 'hydration-fluid'],
];
const NAMED_SETS: readonly ValueSetId[] = [
  ...CLASS_ORDER.map(([, valueSet]) => valueSet),
  'immunotherapy-drug',
  'hormonal-antineoplastic-drug',
];

/** Ingredient names of the drug value sets, compiled once per terminology; text look-ups memoised. */
interface NameIndex {
  readonly names: readonly { readonly name: string; readonly sets: ReadonlySet<ValueSetId> }[];
  readonly byName: ReadonlyMap<string, { readonly sets: ReadonlySet<ValueSetId> }>;
  readonly memo: Map<string, readonly string[]>;
}
const nameIndexes = new WeakMap<Terminology, NameIndex>();

function nameIndex(terminology: Terminology): NameIndex {
  let index = nameIndexes.get(terminology);
  if (!index) {
    const sets = new Map<string, Set<ValueSetId>>();
    for (const valueSet of NAMED_SETS) {
      for (const name of terminology.ingredientNames(valueSet)) {
        const entry = sets.get(name) ?? new Set<ValueSetId>();
        entry.add(valueSet);
        sets.set(name, entry);
      }
    }
    const names = [...sets].map(([name, s]) => ({ name: ` ${words(name)} `, sets: s }));
    index = { names, byName: new Map(names.map((n) => [n.name.trim(), n])), memo: new Map() };
    nameIndexes.set(terminology, index);
  }
  return index;
}

/** Lower case, punctuation to spaces: "Carboplatin/NS 250mL" → "carboplatin ns 250ml". */
function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9']+/g, ' ')
    .trim();
}

/** The ingredient names (as listed in the value sets) that appear as whole words in the text. */
function namesIn(text: string, index: NameIndex): readonly string[] {
  const cached = index.memo.get(text);
  if (cached) {
    return cached;
  }
  const padded = ` ${words(text)} `;
  const found = index.names.filter((n) => padded.includes(n.name)).map((n) => n.name.trim());
  if (index.memo.size < DRUG_NAME_MEMO_LIMIT) {
    index.memo.set(text, found);
  }
  return found;
}

interface DrugSource {
  readonly concept: CodeableConcept | undefined;
  readonly reference: Reference | undefined;
  readonly medication: Medication | undefined;
  readonly ingredientMedications: readonly Medication[];
}

function sourceOf(user: MedicationUser, snapshot: PatientSnapshot): DrugSource {
  const medication = snapshot.medicationOf(user);
  const ingredientMedications = (medication?.ingredient ?? []).flatMap((i) => {
    const target = i.itemReference ? snapshot.resolve(i.itemReference, user) : undefined;
    return target?.resourceType === 'Medication' ? [target] : [];
  });
  return {
    concept: user.medicationCodeableConcept,
    reference: user.medicationReference,
    medication,
    ingredientMedications,
  };
}

function conceptsOf(source: DrugSource): CodeableConcept[] {
  return [
    source.concept,
    source.medication?.code,
    ...(source.medication?.ingredient ?? []).map((i) => i.itemCodeableConcept),
    ...source.ingredientMedications.map((m) => m.code),
  ].filter((c): c is CodeableConcept => c !== undefined);
}

function nameOf(source: DrugSource, ingredients: readonly string[]): string {
  const candidates = [
    source.concept?.text,
    ...(source.concept?.coding ?? []).map((c) => c.display),
    source.medication?.code?.text,
    ...(source.medication?.code?.coding ?? []).map((c) => c.display),
    source.reference?.display,
  ];
  const named = candidates.find((c): c is string => c !== undefined && c.trim() !== '')?.trim();
  return named ?? (ingredients.length > 0 ? ingredients.join(' and ') : 'the drug');
}

/** Identity of the drug an administration or order names. */
export function drugIdentity(user: MedicationUser, snapshot: PatientSnapshot, terminology: Terminology): DrugIdentity {
  const source = sourceOf(user, snapshot);
  const concepts = conceptsOf(source);
  const codings = concepts.flatMap((c) => c.coding ?? []);
  const inSet = (valueSet: ValueSetId): boolean => terminology.match(valueSet, codings) !== undefined;

  const codedClass = CLASS_ORDER.find(([, valueSet]) => inSet(valueSet))?.[0];
  const index = nameIndex(terminology);
  const texts = [
    ...allTextOf(concepts),
    ...(source.reference?.display !== undefined ? [source.reference.display] : []),
  ];
  // One spelling for every name, whichever source it came from ("ado-trastuzumab" in a map, "ado trastuzumab" in text).
  const codedIngredients = codings.flatMap((c) => terminology.ingredientsOf(c) ?? []).map(words);
  const namesFound = [...new Set([...codedIngredients, ...texts.flatMap((t) => namesIn(t, index))])].sort();
  const namedSets = new Set<ValueSetId>();
  for (const name of namesFound) {
    index.byName.get(words(name))?.sets.forEach((valueSet) => namedSets.add(valueSet));
  }
  const byName = (valueSet: ValueSetId): boolean => codedClass === undefined && namedSets.has(valueSet);

  const drugClass = codedClass ?? CLASS_ORDER.find(([, valueSet]) => namedSets.has(valueSet))?.[0] ?? 'unknown';
  const active = namesFound.filter((n) => !index.byName.get(n)?.sets.has('hydration-fluid'));
  let firstKnown: { system: string; code: string } | undefined;
  for (const coding of codings) {
    firstKnown = terminology.normalise(coding);
    if (firstKnown !== undefined) {
      break;
    }
  }
  return {
    name: nameOf(source, namesFound),
    codings,
    ingredients: namesFound,
    drugClass,
    immunotherapy: inSet('immunotherapy-drug') || byName('immunotherapy-drug'),
    hormonal: inSet('hormonal-antineoplastic-drug') || byName('hormonal-antineoplastic-drug'),
    analgesic: inSet('analgesic-drug') || byName('analgesic-drug'),
    key:
      active.length > 0
        ? `ingredients:${active.join('+')}`
        : firstKnown
          ? `${firstKnown.system}|${firstKnown.code}`
          : undefined,
    decidedBy: codedClass !== undefined ? 'code' : drugClass !== 'unknown' ? 'ingredient' : 'none',
  };
}
