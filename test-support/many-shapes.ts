import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/*
 * "Same story, many shapes": the corpus in tests/fixtures/many-shapes (see its README.md). Each story folder holds a
 * story.json (what the story is and which cards it must give) and one CDS Hooks encounter-sign request body per shape
 * (`<shape>.json`): the same clinical facts written the way one EHR or one standard writes them. One shape is
 * generated here instead of stored: `epic-realistic`, the Epic shape of story s01 grown to about 300 resources of
 * chart history (realisticEpicVisit below).
 */

export const manyShapesDir = fileURLToPath(new URL('../tests/fixtures/many-shapes/', import.meta.url));

const ruleId = z.string().regex(/^(PAIN|INF|DX)-\d{3}$/);

const storyFileSchema = z.strictObject({
  title: z.string().min(1),
  expectedRules: z.array(ruleId),
  forbiddenRules: z.array(ruleId).optional(),
  notes: z.string().min(1),
  /** The shapes the story is told in, in report order; each must exist as `<shape>.json` (or be generated). */
  shapes: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(4),
  /**
   * Shapes whose record cannot show the deciding fact, with the cards they give instead and why. They count as misses
   * in the recall report; the test pins what they give, so a change in either direction is seen.
   */
  knownMisses: z.record(z.string(), z.strictObject({ gives: z.array(ruleId), why: z.string().min(20) })).optional(),
});

const requestSchema = z.looseObject({
  hook: z.literal('encounter-sign'),
  hookInstance: z.string(),
  context: z.looseObject({ userId: z.string(), patientId: z.string(), encounterId: z.string() }),
  prefetch: z.record(z.string(), z.unknown()),
});

export type EncounterSignRequest = z.infer<typeof requestSchema>;

export interface ShapeCase {
  readonly story: string;
  readonly shape: string;
  /** A fresh copy of the request body each call. */
  readonly request: () => EncounterSignRequest;
}

export interface Story {
  readonly id: string;
  readonly title: string;
  readonly expectedRules: readonly string[];
  readonly forbiddenRules: readonly string[];
  readonly notes: string;
  readonly shapes: readonly ShapeCase[];
  readonly knownMisses: Readonly<Record<string, { readonly gives: readonly string[]; readonly why: string }>>;
}

/** Shapes built in code from a stored shape of the same story: story id -> shape -> (stored shape, builder). */
const generated: Record<string, Record<string, { from: string; build: (base: EncounterSignRequest) => void }>> = {
  's01-realistic-infusion-visit': { 'epic-realistic': { from: 'epic', build: realisticEpicVisit } },
};

function readRequest(path: string): EncounterSignRequest {
  return requestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Every story of the corpus, in folder order, each with its shapes in story.json order. */
export function loadStories(dir: string = manyShapesDir): Story[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((id) => {
      const folder = `${dir}${id}/`;
      const file = storyFileSchema.parse(JSON.parse(readFileSync(`${folder}story.json`, 'utf8')));
      const stored = new Set(
        readdirSync(folder)
          .filter((f) => f.endsWith('.json') && f !== 'story.json')
          .map((f) => f.slice(0, -'.json'.length)),
      );
      const builders = generated[id] ?? {};
      const listed = new Set(file.shapes);
      const unlisted = [...stored].filter((s) => !listed.has(s));
      if (unlisted.length > 0) {
        throw new Error(`${id}: shape files not listed in story.json: ${unlisted.join(', ')}`);
      }
      const shapes = file.shapes.map((shape): ShapeCase => {
        const builder = builders[shape];
        if (builder) {
          return {
            story: id,
            shape,
            request: () => {
              const base = readRequest(`${folder}${builder.from}.json`);
              builder.build(base);
              return base;
            },
          };
        }
        if (!stored.has(shape)) {
          throw new Error(`${id}: story.json lists shape ${shape} but ${shape}.json is missing`);
        }
        return { story: id, shape, request: () => readRequest(`${folder}${shape}.json`) };
      });
      return {
        id,
        title: file.title,
        expectedRules: file.expectedRules,
        forbiddenRules: file.forbiddenRules ?? [],
        notes: file.notes,
        shapes,
        knownMisses: file.knownMisses ?? {},
      };
    });
}

interface CardLike {
  readonly source?: { readonly topic?: { readonly code?: unknown } };
}

/** The rule ids of a CDS Hooks response's cards (card.source.topic.code), sorted, each once. */
export function cardRuleIds(body: unknown): string[] {
  const cards = (body as { cards?: readonly CardLike[] } | null)?.cards ?? [];
  const ids = cards.map((c) => c.source?.topic?.code).filter((c): c is string => typeof c === 'string');
  return [...new Set(ids)].sort();
}

export interface RuleComparison {
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly forbidden: readonly string[];
}

/** What a shape's cards lack (expected, not given), add (given, not expected) and give although forbidden. */
export function compareRules(story: Pick<Story, 'expectedRules' | 'forbiddenRules'>, got: readonly string[]) {
  const have = new Set(got);
  const want = new Set(story.expectedRules);
  return {
    missing: story.expectedRules.filter((r) => !have.has(r)),
    extra: got.filter((r) => !want.has(r)),
    forbidden: story.forbiddenRules.filter((r) => have.has(r)),
  } satisfies RuleComparison;
}

export function describeMismatch(story: string, shape: string, got: readonly string[], c: RuleComparison): string {
  const parts = [
    c.missing.length > 0 ? `missing ${c.missing.join(', ')}` : undefined,
    c.extra.length > 0 ? `extra ${c.extra.join(', ')}` : undefined,
    c.forbidden.length > 0 ? `forbidden ${c.forbidden.join(', ')}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return `${story} / ${shape}: ${parts.join('; ')} (cards: ${got.length > 0 ? got.join(', ') : 'none'})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The realistic Epic visit: the s01 Epic shape plus the chart history a real Epic prefetch returns with it

interface Bundle {
  resourceType: 'Bundle';
  type: string;
  total?: number;
  entry?: { fullUrl?: string; resource: Record<string, unknown>; search?: { mode: string } }[];
}

function bundleOf(request: EncounterSignRequest, key: string): Bundle {
  const value = request.prefetch[key];
  if (typeof value !== 'object' || value === null || (value as { resourceType?: unknown }).resourceType !== 'Bundle') {
    throw new Error(`realisticEpicVisit: prefetch.${key} is not a Bundle`);
  }
  return value as Bundle;
}

function add(bundle: Bundle, resources: readonly Record<string, unknown>[]): void {
  bundle.entry = [...(bundle.entry ?? []), ...resources.map((resource) => ({ resource, search: { mode: 'match' } }))];
  bundle.total = bundle.entry.filter((e) => e.search?.mode !== 'include').length;
}

const DAY_MS = 86_400_000;
const VISIT = Date.parse('2025-05-14T00:00:00Z');
const dayBefore = (days: number): string => new Date(VISIT - days * DAY_MS).toISOString().slice(0, 10);
const instant = (days: number, time: string): string => `${dayBefore(days)}T${time}:00Z`;

/**
 * Grows the s01 Epic request into the chart a real Epic prefetch returns: a year of history (earlier cycles every 21
 * days with their administrations, premedications, procedures and pain scores, office visits, lab and imaging
 * orders, other problems and encounter diagnoses), all on other days and other encounters, so the story (and its
 * expected cards) is unchanged. About 300 resources in all; deterministic.
 */
export function realisticEpicVisit(request: EncounterSignRequest): void {
  const patient = { reference: `Patient/${request.context.patientId}` };
  const CSN = 'urn:oid:1.2.840.114350.1.13.0.1.7.3.698084.8';
  const encounterRef = (n: number, display: string) => ({
    reference: `Encounter/eHist${String(n).padStart(4, '0')}Csn3`,
    identifier: { use: 'usual', system: CSN, value: String(48_100_000 + n) },
    display,
  });
  const active = {
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    verificationStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
    },
  };
  const category = (code: string) => [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code }] },
  ];
  const icd = (code: string, display: string) => ({
    coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code, display }],
    text: display,
  });

  const conditions: Record<string, unknown>[] = [];
  const otherProblems: [string, string][] = [
    ['I10', 'Essential (primary) hypertension'],
    ['E78.5', 'Hyperlipidemia, unspecified'],
    ['K21.9', 'Gastro-esophageal reflux disease without esophagitis'],
    ['D64.81', 'Anemia due to antineoplastic chemotherapy'],
    ['R11.0', 'Nausea'],
    ['G62.0', 'Drug-induced polyneuropathy'],
    ['F41.9', 'Anxiety disorder, unspecified'],
    ['Z79.899', 'Other long term (current) drug therapy'],
  ];
  otherProblems.forEach(([code, display], i) => {
    conditions.push({
      resourceType: 'Condition',
      id: `eProblem${String(i)}Hist3`,
      ...active,
      category: category('problem-list-item'),
      code: icd(code, display),
      subject: patient,
      onsetDateTime: dayBefore(400 - i * 30),
    });
  });

  const procedures: Record<string, unknown>[] = [];
  const administrations: Record<string, unknown>[] = [];
  const scores: Record<string, unknown>[] = [];
  const orders: Record<string, unknown>[] = [];
  const services: Record<string, unknown>[] = [];
  const cpt = (code: string, display: string) => ({
    coding: [{ system: 'http://www.ama-assn.org/go/cpt', code, display }],
    text: display,
  });
  const ivRoute = {
    coding: [{ system: 'urn:oid:1.2.840.114350.1.13.0.1.7.4.798268.7025', code: '11', display: 'Intravenous' }],
    text: 'Intravenous',
  };
  const medicationBundle = bundleOf(request, 'medicationAdministrations');
  const carboplatinId = medicationBundle.entry?.find((e) => e.resource.resourceType === 'Medication')?.resource.id;
  if (typeof carboplatinId !== 'string') {
    throw new Error('realisticEpicVisit: the Epic shape has no carboplatin Medication to reuse');
  }
  const carboplatinRef = { reference: `Medication/${carboplatinId}` };

  // Earlier cycles: every 21 days before the one 21 days ago (which the stored shape already has), for a year.
  for (let cycle = 2; cycle <= 12; cycle += 1) {
    const days = 21 * cycle;
    const enc = encounterRef(cycle, 'Oncology Infusion Visit');
    administrations.push({
      resourceType: 'MedicationAdministration',
      id: `eCycle${String(cycle)}Carbo3`,
      status: 'completed',
      medicationReference: carboplatinRef,
      subject: patient,
      context: enc,
      effectivePeriod: { start: instant(days, '14:00'), end: instant(days, '14:45') },
      dosage: { route: ivRoute, dose: { value: 450, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
    });
    for (const [i, [name, rxnorm, mg]] of [
      ['ondansetron', '26225', 16],
      ['dexamethasone', '3264', 12],
    ].entries()) {
      administrations.push({
        resourceType: 'MedicationAdministration',
        id: `eCycle${String(cycle)}Premed${String(i)}3`,
        status: 'completed',
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rxnorm }],
          text: name,
        },
        subject: patient,
        context: enc,
        effectivePeriod: {
          start: instant(days, `13:${String(30 + i * 5)}`),
          end: instant(days, `13:${String(33 + i * 5)}`),
        },
        dosage: { route: ivRoute, dose: { value: mg, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
      });
    }
    procedures.push(
      {
        resourceType: 'Procedure',
        id: `eCycle${String(cycle)}Chemo3`,
        status: 'completed',
        code: cpt('96413', 'PR CHEMO IV INFUSION 1 HR'),
        subject: patient,
        encounter: enc,
        performedDateTime: instant(days, '16:00'),
      },
      {
        resourceType: 'Procedure',
        id: `eCycle${String(cycle)}Push3`,
        status: 'completed',
        code: cpt('96375', 'PR TX/PRO/DX INJ NEW DRUG ADDON'),
        subject: patient,
        encounter: enc,
        performedDateTime: instant(days, '16:00'),
      },
    );
    scores.push({
      resourceType: 'Observation',
      id: `eCycle${String(cycle)}Pain3`,
      status: 'final',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
      ],
      code: {
        coding: [
          { system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.707679', code: '1570000', display: 'Pain Score' },
          { system: 'http://loinc.org', code: '72514-3' },
        ],
        text: 'Pain Score',
      },
      subject: patient,
      encounter: enc,
      effectiveDateTime: instant(days, '13:10'),
      valueString: String(cycle % 4),
    });
    conditions.push({
      resourceType: 'Condition',
      id: `eCycle${String(cycle)}Dx3`,
      ...active,
      category: category('encounter-diagnosis'),
      code: icd('Z51.11', 'Encounter for antineoplastic chemotherapy'),
      subject: patient,
      encounter: enc,
      recordedDate: dayBefore(days),
    });
    for (const [j, [code, name]] of [
      ['85025', 'CBC WITH DIFFERENTIAL'],
      ['80053', 'COMPREHENSIVE METABOLIC PANEL'],
      ['83690', 'LIPASE'],
    ].entries()) {
      services.push({
        resourceType: 'ServiceRequest',
        id: `eCycle${String(cycle)}Lab${String(j)}3`,
        status: 'completed',
        intent: 'order',
        category: [
          { coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] },
        ],
        code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code }], text: name },
        subject: patient,
        encounter: enc,
        authoredOn: instant(days + 1, '15:00'),
      });
    }
    administrations.push({
      resourceType: 'MedicationAdministration',
      id: `eCycle${String(cycle)}Hydration3`,
      status: 'completed',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '313002' }],
        text: 'sodium chloride 0.9 % infusion',
      },
      subject: patient,
      context: enc,
      effectivePeriod: { start: instant(days, '13:00'), end: instant(days, '13:25') },
      dosage: { route: ivRoute, dose: { value: 250, unit: 'mL', system: 'http://unitsofmeasure.org', code: 'mL' } },
    });
    orders.push({
      resourceType: 'MedicationRequest',
      id: `eCycle${String(cycle)}Antiemetic3`,
      status: 'completed',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '26225' }],
        text: 'ondansetron 8 mg tablet',
      },
      subject: patient,
      encounter: enc,
      authoredOn: instant(days, '15:05'),
    });
    orders.push({
      resourceType: 'MedicationRequest',
      id: `eCycle${String(cycle)}Order3`,
      status: 'completed',
      intent: 'order',
      medicationReference: carboplatinRef,
      subject: patient,
      encounter: enc,
      authoredOn: instant(days + 1, '15:00'),
    });
  }
  // Office visits between cycles: E/M, visit diagnosis, a pain score and refills of home medicines.
  for (let visit = 0; visit < 18; visit += 1) {
    const days = 30 + 20 * visit;
    const enc = encounterRef(100 + visit, 'Office Visit');
    procedures.push({
      resourceType: 'Procedure',
      id: `eVisit${String(visit)}Em3`,
      status: 'completed',
      code: cpt('99214', 'PR OFFICE O/P EST MOD 30 MIN'),
      subject: patient,
      encounter: enc,
      performedDateTime: instant(days, '15:30'),
    });
    conditions.push({
      resourceType: 'Condition',
      id: `eVisit${String(visit)}Dx3`,
      ...active,
      category: category('encounter-diagnosis'),
      code: icd('C50.912', 'Malignant neoplasm of unspecified site of left female breast'),
      subject: patient,
      encounter: enc,
      recordedDate: dayBefore(days),
    });
    scores.push({
      resourceType: 'Observation',
      id: `eVisit${String(visit)}Pain3`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }], text: 'Pain Score' },
      subject: patient,
      encounter: enc,
      effectiveDateTime: instant(days, '14:05'),
      valueString: String(visit % 3),
    });
    for (const [k, [rxnorm, text]] of [
      ['29046', 'lisinopril 10 mg tablet'],
      ['36567', 'simvastatin 20 mg tablet'],
      ['40790', 'pantoprazole 40 mg tablet'],
    ].entries()) {
      orders.push({
        resourceType: 'MedicationRequest',
        id: `eVisit${String(visit)}Home${String(k)}3`,
        status: visit === 0 ? 'active' : 'completed',
        intent: 'order',
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rxnorm }],
          text,
        },
        subject: patient,
        encounter: enc,
        authoredOn: instant(days, '15:00'),
      });
    }
    services.push({
      resourceType: 'ServiceRequest',
      id: `eVisit${String(visit)}Img3`,
      status: 'completed',
      intent: 'order',
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '71260' }], text: 'CT CHEST W CONTRAST' },
      subject: patient,
      encounter: enc,
      authoredOn: instant(days, '15:10'),
    });
  }
  add(bundleOf(request, 'conditions'), conditions);
  add(bundleOf(request, 'procedures'), procedures);
  add(medicationBundle, administrations);
  add(bundleOf(request, 'painScores'), scores);
  add(bundleOf(request, 'medicationRequests'), orders);
  add(bundleOf(request, 'serviceRequests'), services);
}

/** The number of resources a request carries in its prefetch (bundle entries and single resources). */
export function resourceCount(request: EncounterSignRequest): number {
  return Object.values(request.prefetch).reduce<number>((n, value) => {
    if (typeof value !== 'object' || value === null) {
      return n;
    }
    const bundle = value as { resourceType?: unknown; entry?: unknown[] };
    return n + (bundle.resourceType === 'Bundle' ? (bundle.entry?.length ?? 0) : 1);
  }, 0);
}
