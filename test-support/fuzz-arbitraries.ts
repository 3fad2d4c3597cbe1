import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  anAdministrationCode,
  anEncounter,
  anInfusion,
  CARBOPLATIN,
  encounterSignRequest,
  IV_ROUTE,
  searchset,
} from './builders.js';

/*
 * Generators for fuzzing POST /cds-services/oncology-encounter-sign, shared by tests/property/fuzz.prop.test.ts
 * (supertest, bounded runs) and scripts/fuzz.ts (a real listening server, 100 000 cases). fast-check generates small
 * *descriptors* (which seed, which mutation at which path, how deep, how many, how long); `buildRequests` turns a
 * descriptor into bytes. Counterexamples therefore print as a few lines, even when the body is megabytes, and they
 * shrink on the descriptor.
 *
 * Loopback only: no generated request may make the service call anything but loopback. A `fhirServer` that parses as
 * a URL is always rewritten to DEAD_FHIR_SERVER (127.0.0.1 port 1, where nothing listens), so the FHIR fallback path is
 * exercised and fails fast with ECONNREFUSED. Paging links only ever point at that same origin.
 *
 * This file also holds the response properties (`checkResponse`, `runFuzzCase`) so that the test and the script judge
 * responses the same way.
 */

export const FUZZ_SERVICE_PATH = '/cds-services/oncology-encounter-sign';
/** A loopback FHIR base on which nothing listens: fallback reads fail at once (ECONNREFUSED). */
export const DEAD_FHIR_SERVER = 'http://127.0.0.1:1/fhir';
/** Every call must finish within this (the supertest / fetch timeout as well). */
export const CALL_DEADLINE_MS = 10_000;
/**
 * Scaling property of the long-string family: the same case is sent with a string of length L and 2L. If the larger
 * one takes more than SCALING_FLOOR_MS and more than 3x the smaller one (+ slack), the work is superlinear in the input.
 */
export const SCALING_FLOOR_MS = 1_500;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = readonly (string | number)[];

// ---------------------------------------------------------------------------------------------------------------
// Seeds: valid requests that reach different parts of the engine (no card, INF-001, PAIN-004 with a suggestion,
// billing/diagnosis rules on a draft Claim, the FHIR fallback).

const PATIENT = { reference: 'Patient/pat-1' };
const HERE = { reference: 'Encounter/enc-1' };
const CPT = 'http://www.ama-assn.org/go/cpt';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';

const painResources = () => ({
  cancer: {
    resourceType: 'Condition',
    id: 'breast-cancer',
    subject: PATIENT,
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] },
    ],
    code: { coding: [{ system: ICD10, code: 'C50.912' }] },
    onsetDateTime: '2024-10-01',
  },
  cancerPain: {
    resourceType: 'Condition',
    id: 'cancer-pain',
    subject: PATIENT,
    encounter: HERE,
    code: { coding: [{ system: ICD10, code: 'G89.3' }] },
  },
  lastCycle: {
    resourceType: 'Procedure',
    id: 'cycle-3',
    status: 'completed',
    subject: PATIENT,
    code: { coding: [{ system: CPT, code: '96413' }] },
    performedDateTime: '2025-02-18T10:00:00-05:00',
  },
  painScore: {
    resourceType: 'Observation',
    id: 'pain-today',
    status: 'final',
    subject: PATIENT,
    encounter: HERE,
    code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] },
    effectiveDateTime: '2025-03-04T09:10:00-05:00',
    valueQuantity: { value: 7, unit: '{score}' },
  },
  plan: {
    resourceType: 'CarePlan',
    id: 'pain-plan',
    status: 'active',
    intent: 'plan',
    subject: PATIENT,
    encounter: HERE,
    addresses: [{ reference: 'Condition/cancer-pain' }],
  },
});

const openInfusion = () => anInfusion({ id: 'ma-open', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });

const SEEDS: readonly { readonly name: string; readonly build: () => Record<string, unknown> }[] = [
  { name: 'complete (no card)', build: () => encounterSignRequest({ administrations: [anInfusion()] }) },
  { name: 'INF-001 open infusion', build: () => encounterSignRequest({ administrations: [openInfusion()] }) },
  {
    name: 'PAIN-004 pain plan, suggestion',
    build: () => {
      const r = painResources();
      return encounterSignRequest({
        encounter: anEncounter({ type: [{ coding: [{ system: CPT, code: '99214' }] }] }),
        prefetch: {
          conditions: searchset([r.cancer, r.cancerPain] as never[]),
          procedures: searchset([r.lastCycle] as never[]),
          painScores: searchset([r.painScore] as never[]),
          carePlans: searchset([r.plan] as never[]),
        },
      });
    },
  },
  {
    name: 'draft Claim and diagnoses',
    build: () => {
      const r = painResources();
      const claim = {
        resourceType: 'Claim',
        id: 'claim-1',
        status: 'draft',
        use: 'claim',
        patient: PATIENT,
        created: '2025-03-04',
        diagnosis: [
          { sequence: 1, diagnosisCodeableConcept: { coding: [{ system: ICD10, code: 'C50.912' }] } },
          { sequence: 2, diagnosisCodeableConcept: { coding: [{ system: ICD10, code: 'Z51.11' }] } },
          { sequence: 3, diagnosisReference: { reference: 'Condition/cancer-pain' } },
        ],
        item: [
          {
            sequence: 1,
            productOrService: { coding: [{ system: CPT, code: '96413' }] },
            servicedDate: '2025-03-04',
            encounter: [HERE],
            diagnosisSequence: [2, 1],
          },
          {
            sequence: 2,
            productOrService: { coding: [{ system: HCPCS, code: 'J9045' }] },
            modifier: [{ coding: [{ system: HCPCS, code: 'JW' }] }],
            quantity: { value: 18 },
            servicedDate: '2025-03-04',
            encounter: [HERE],
          },
        ],
      };
      const hydration = anInfusion({
        id: 'ma-hydration',
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '313002', display: 'Saline' }],
        },
        effectivePeriod: { start: '2025-03-04T09:20:00-05:00', end: '2025-03-04T09:55:00-05:00' },
      });
      return encounterSignRequest({
        administrations: [openInfusion(), hydration],
        prefetch: {
          conditions: searchset([r.cancer, r.cancerPain] as never[]),
          procedures: searchset([anAdministrationCode('96413'), anAdministrationCode('96367')]),
          medicationRequests: searchset([
            {
              resourceType: 'MedicationRequest',
              id: 'order-1',
              status: 'active',
              intent: 'order',
              subject: PATIENT,
              medicationCodeableConcept: CARBOPLATIN,
              authoredOn: '2025-03-01',
            },
          ] as never[]),
        },
        context: {
          draftResources: {
            resourceType: 'Bundle',
            type: 'collection',
            entry: [
              { fullUrl: 'urn:uuid:4b3f0e56-0d7e-4d39-9a0b-5d4c1a8a0c11', resource: claim },
              {
                resource: {
                  resourceType: 'MedicationAdministration',
                  status: 'completed',
                  medicationReference: { reference: '#carbo' },
                  contained: [{ resourceType: 'Medication', id: 'carbo', code: CARBOPLATIN }],
                  subject: PATIENT,
                  context: HERE,
                  effectivePeriod: { start: '2025-03-04T11:00:00-05:00', end: '2025-03-04T11:20:00-05:00' },
                  dosage: { route: IV_ROUTE },
                },
                fullUrl: 'urn:uuid:7d2a3c4e-1f2b-4c5d-8e9f-0a1b2c3d4e5f',
              },
            ],
          },
        },
      });
    },
  },
  {
    name: 'FHIR fallback to a dead loopback server',
    build: () => {
      const request = encounterSignRequest({ administrations: [openInfusion()] });
      return {
        ...request,
        fhirServer: DEAD_FHIR_SERVER,
        fhirAuthorization: {
          access_token: 'fuzz-access-token',
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'user/*.read',
          subject: 'fuzz',
        },
      };
    },
  },
];

export const SEED_COUNT = SEEDS.length;

function seedJson(index: number): JsonObject {
  const seed = SEEDS[index % SEEDS.length] as (typeof SEEDS)[number];
  return JSON.parse(JSON.stringify(seed.build())) as JsonObject;
}

export function seedName(index: number): string {
  return (SEEDS[index % SEEDS.length] as (typeof SEEDS)[number]).name;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Strings that have broken parsers before: lone surrogates, bidi controls, BOM, NUL, line separators, combining. */
const SPECIAL_STRINGS = [
  '\uD800',
  '\uDFFF',
  '\uDBFF\uDFFF',
  '\u202E',
  '\u200F',
  '\u061C',
  '\u2066',
  '\uFEFF',
  '\u0000',
  '\u2028',
  '\u2029',
  'e\u0301',
  '\uFFFF',
  '\uFFFE',
  '𝕏',
  '🏳️‍🌈',
  'İ',
  'ß',
  'ﬃ',
  '\\',
  '"',
  '%00',
  '${x}',
  '{{context.patientId}}',
  '../',
  'Patient/pat-1',
  'Encounter/enc-1',
  '#',
  'urn:uuid:',
  '__proto__',
  'constructor',
  'toString',
] as const;

export const unicodeString: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...SPECIAL_STRINGS), fc.string({ unit: 'binary', maxLength: 6 })), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

/** A long string, generated as (unit, length) so that it prints and shrinks as two small values. */
export interface LongText {
  readonly unit: string;
  readonly length: number;
}

/** Units chosen for what they stress: letter runs (regexes over references), separators, multi-byte, escapes. */
const LONG_UNITS = ['A', 'Ab', 'Zz', 'x', '/', '9', ' ', '.', '-', '\u202E', '\uD800', 'é', '😀', 'Patient/', '%'];

const longText = (minLength: number, maxLength: number): fc.Arbitrary<LongText> =>
  fc.record({ unit: fc.constantFrom(...LONG_UNITS), length: fc.integer({ min: minLength, max: maxLength }) });

function materializeLong(text: LongText): string {
  return text.unit.repeat(Math.max(1, Math.floor(text.length / text.unit.length)));
}

/** Number spellings JSON allows but JS cannot hold faithfully: spliced into the body as raw text. */
const RAW_NUMBERS = ['1e400', '-1e400', '1e-400', '-0', '-0.0', '123456789012345678901234567890', '1E+2', '0.1e1'];

/** A value for a replaced or added field: any JSON, a wrong-typed scalar, a long or odd string, a raw number. */
type Value =
  | { readonly kind: 'json'; readonly value: Json }
  | { readonly kind: 'long'; readonly text: LongText }
  | { readonly kind: 'raw'; readonly token: string };

const smallJson = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;

const wrongScalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5),
  fc.constantFrom('', ' ', '0', 'null', 'true', '[]', '{}', 'NaN'),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
);

const valueArb: fc.Arbitrary<Value> = fc.oneof(
  { weight: 4, arbitrary: wrongScalar.map((value): Value => ({ kind: 'json', value })) },
  { weight: 3, arbitrary: smallJson.map((value): Value => ({ kind: 'json', value })) },
  { weight: 2, arbitrary: unicodeString.map((value): Value => ({ kind: 'json', value })) },
  { weight: 1, arbitrary: longText(256, 20_000).map((text): Value => ({ kind: 'long', text })) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((token): Value => ({ kind: 'raw', token })) },
);

/** Keys for added unknown fields: random, prototype names, CDS Hooks names in the wrong place, odd unicode. */
const fieldKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'resourceType',
    'entry',
    'resource',
    'id',
    'reference',
    'status',
    'code',
    'coding',
    'extension',
    'contained',
    'encounter',
    'patient',
    'draftResources',
    'prefetch',
    'context',
    'hook',
    '',
    '\u202Eevil',
    '\uD800',
    'a.b',
    'a/b',
  ),
);

// ---------------------------------------------------------------------------------------------------------------
// JSON tree helpers

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pathsOf(root: Json, filter: (value: Json) => boolean = () => true, limit = 5_000): Path[] {
  const out: Path[] = [];
  const visited = new Set<unknown>();
  const walk = (value: Json, path: (string | number)[]): void => {
    if (out.length >= limit) {
      return;
    }
    if (typeof value === 'object' && value !== null) {
      // Mutations can place a subtree inside itself; walk each node once.
      if (visited.has(value)) {
        return;
      }
      visited.add(value);
    }
    if (path.length > 0 && filter(value)) {
      out.push([...path]);
    }
    if (Array.isArray(value)) {
      value.forEach((child, i) => {
        walk(child, [...path, i]);
      });
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        walk(value[key] as Json, [...path, key]);
      }
    }
  };
  walk(root, []);
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') {
      node = node[key];
    } else if (isObject(node) && typeof key === 'string' && Object.hasOwn(node, key)) {
      node = node[key];
    } else {
      return undefined;
    }
  }
  return node;
}

/** Sets an own, enumerable property (also for keys like `__proto__`, which plain assignment would not create). */
function defineField(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAt(root: Json, path: Path, value: Json): void {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') {
    parent[key] = value;
  } else if (isObject(parent) && typeof key === 'string') {
    defineField(parent, key, value);
  }
}

function deleteAt(root: Json, path: Path): void {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') {
    parent.splice(key, 1);
  } else if (isObject(parent) && typeof key === 'string') {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- deleting a field is the mutation
    delete parent[key];
  }
}

const pick = <T>(items: readonly T[], n: number): T => items[Math.abs(n) % items.length] as T;

/** A deep copy, so that a resource placed inside itself (or twice) never makes a cycle or shares children. */
const copyOf = (value: Json): Json => JSON.parse(acyclicJson(value)) as Json;

/**
 * JSON text of a value that mutations may have made cyclic (a subtree placed inside its own descendant): JSON cannot
 * carry a cycle, so each back-edge is cut (null) rather than letting the generator, not the service, fail.
 */
function acyclicJson(root: Json): string {
  const ancestors: unknown[] = [];
  return JSON.stringify(root, function (this: unknown, _key: string, value: unknown) {
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) {
      ancestors.pop();
    }
    if (ancestors.includes(value)) {
      return null;
    }
    ancestors.push(value);
    return value;
  });
}

/** Raw-text splices: a unique string placeholder is replaced by raw JSON text after serialization. */
class Splices {
  private readonly raws: string[] = [];

  placeholder(raw: string): string {
    this.raws.push(raw);
    return `@@oncosign-fuzz-raw-${String(this.raws.length - 1)}@@`;
  }

  serialize(root: Json): string {
    let text = acyclicJson(root);
    this.raws.forEach((raw, i) => {
      text = text.split(`"@@oncosign-fuzz-raw-${String(i)}@@"`).join(raw);
    });
    return text;
  }
}

function valueOf(value: Value, splices: Splices): Json {
  switch (value.kind) {
    case 'json':
      return value.value;
    case 'long':
      return materializeLong(value.text);
    case 'raw':
      return splices.placeholder(value.token);
  }
}

/** Keeps the fuzzer on loopback: any fhirServer that is a URL becomes DEAD_FHIR_SERVER (a path suffix is kept). */
function loopbackOnly(root: Json): void {
  if (!isObject(root) || !Object.hasOwn(root, 'fhirServer')) {
    return;
  }
  const server = root.fhirServer;
  if (typeof server !== 'string') {
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(server);
  } catch {
    return;
  }
  const suffix = parsed.pathname.replace(/[^A-Za-z0-9/_-]/g, '').slice(0, 40);
  defineField(root, 'fhirServer', `${DEAD_FHIR_SERVER}${suffix}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Wrong FHIR shapes inside prefetch and draft resources

const WEIRD_DATES = [
  '2025-02-30T10:00:00Z',
  '2025-13-01T10:00:00Z',
  '2025-03-04T24:00:00Z',
  '2025-03-04T10:00:00-25:00',
  '2025-03-04T10:00:00+99:99',
  '+275760-09-13T00:00:00Z',
  '275760-09-14T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999+14:00',
  '2025-03-04T10:00:00.12345678901234567890Z',
  '2025',
  '2025-03',
  '2025-03-04',
  '2025-03-04T10:00',
  '',
  'T',
  'yesterday',
  '1e10',
  '2025-03-04T10:00:00Z\u202E',
  '２０２５-０３-０４',
];

const WEIRD_REFERENCES = [
  '',
  'Patient/',
  'Patient/pat-1/_history/2',
  'Patient/pat-2',
  'Encounter/enc-1/_history/',
  'https://ehr.example/fhir/Patient/pat-1',
  'urn:uuid:',
  'urn:uuid:4b3f0e56-0d7e-4d39-9a0b-5d4c1a8a0c11',
  '#',
  '#carbo',
  '#nope',
  'Patient/../../etc/passwd',
  'patient/pat-1',
  'Encounter/enc-1?x=1',
  '/Encounter/enc-1',
  'Encounter/' + 'e'.repeat(65),
  '\uD800/enc-1',
  'Encounter/enc\u202E-1',
];

const UNKNOWN_TYPES: Json[] = [
  'Foo',
  '',
  'bundle',
  'Encounter ',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'OperationOutcome',
  'Bundle',
  'Patient',
  'Parameters',
  'Binary',
  'ΕΝΚΑΟΥΝΤΕΡ',
  7,
  null,
  [],
  {},
  true,
];

const PERIOD_KEYS = [
  'period',
  'effectivePeriod',
  'performedPeriod',
  'onsetPeriod',
  'abatementPeriod',
  'billablePeriod',
];
const DATE_KEYS = [
  'effectiveDateTime',
  'performedDateTime',
  'onsetDateTime',
  'abatementDateTime',
  'recordedDate',
  'authoredOn',
  'created',
  'effectiveInstant',
  'servicedDate',
];
const REFERENCE_KEYS = ['subject', 'patient', 'encounter', 'context', 'medicationReference', 'condition', 'request'];

export const SHAPES = [
  'code-as-number',
  'coding-not-array',
  'coding-code-number',
  'period-as-string',
  'period-start-number',
  'dates-garbage',
  'entry-not-array',
  'entry-element-null',
  'resource-null',
  'resource-array',
  'unknown-type',
  'no-type',
  'status-wrong',
  'id-wrong',
  'reference-wrong',
  'reference-not-object',
  'nested-bundle',
  'operation-outcome',
  'next-link',
  'contained-weird',
  'quantity-wrong',
  'array-for-object',
  'object-for-array',
  'claim-lines-wrong',
  'encounter-diagnosis-wrong',
  'duplicate-entries',
] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Every key of `r` (recursively, bounded) whose name is in `names`, as paths relative to r. */
function keyPaths(r: Json, names: readonly string[]): Path[] {
  return pathsOf(r, () => true, 2_000).filter((p) => names.includes(String(p[p.length - 1])));
}

function applyShape(root: Json, path: Path, shape: ShapeName, variant: number, splices: Splices): void {
  const r = getAt(root, path);
  if (!isObject(r)) {
    return;
  }
  const bundleOf = (): JsonObject | undefined => {
    if (r.resourceType === 'Bundle') {
      return r;
    }
    // The resource's own Bundle, when it sits in entry[i].resource.
    const parent = path.length >= 3 ? getAt(root, path.slice(0, -3)) : undefined;
    return isObject(parent) && parent.resourceType === 'Bundle' ? parent : undefined;
  };
  const setEach = (names: readonly string[], value: (n: number) => Json): void => {
    const found = keyPaths(r, names);
    if (found.length === 0) {
      defineField(r, pick(names, variant), value(0));
      return;
    }
    found.forEach((p, i) => {
      setAt(r, p, value(variant + i));
    });
  };
  switch (shape) {
    case 'code-as-number':
      defineField(r, 'code', pick<Json>([42, 0, -1, 3.14, 1e21], variant));
      return;
    case 'coding-not-array':
      defineField(r, 'code', { coding: { system: ICD10, code: 'C50.912' } });
      return;
    case 'coding-code-number':
      defineField(r, 'code', {
        coding: [{ system: pick([ICD10, CPT, ''], variant), code: pick<Json>([7, null], variant) }],
      });
      return;
    case 'period-as-string':
      setEach(PERIOD_KEYS, (n) => pick<Json>(['yesterday', '2025-03-04T10:00:00Z', '', 5, true], n));
      return;
    case 'period-start-number':
      setEach(PERIOD_KEYS, (n) => ({ start: pick<Json>([20250304, -1, true, [], {}], n), end: null }));
      return;
    case 'dates-garbage':
      for (const p of keyPaths(r, ['start', 'end', ...DATE_KEYS])) {
        setAt(r, p, pick(WEIRD_DATES, variant + p.length));
      }
      setEach(['effectivePeriod', 'period', 'performedPeriod'], (n) => ({
        start: pick(WEIRD_DATES, n),
        end: pick(WEIRD_DATES, n + 7),
      }));
      return;
    case 'entry-not-array': {
      const bundle = bundleOf();
      if (bundle) {
        defineField(
          bundle,
          'entry',
          pick<Json>(
            [{}, 'x', 5, null, true, { resource: copyOf(bundle.entry ?? null) }, { 0: { resource: copyOf(r) } }],
            variant,
          ),
        );
      }
      return;
    }
    case 'entry-element-null': {
      const bundle = bundleOf();
      if (bundle && Array.isArray(bundle.entry)) {
        const junk = pick<Json>([null, 5, 'x', [], { resource: null }, { resource: [] }, { fullUrl: 7 }], variant);
        bundle.entry.splice(variant % (bundle.entry.length + 1), 0, junk);
      }
      return;
    }
    case 'resource-null':
      setAt(root, path, null);
      return;
    case 'resource-array':
      setAt(root, path, pick<Json>([[copyOf(r)], [], 'Encounter/enc-1', 0], variant));
      return;
    case 'unknown-type':
      defineField(r, 'resourceType', pick(UNKNOWN_TYPES, variant));
      return;
    case 'no-type':
      deleteAt(r, ['resourceType']);
      return;
    case 'status-wrong':
      if (variant % 4 === 0) {
        deleteAt(r, ['status']);
      } else {
        defineField(
          r,
          'status',
          pick<Json>([5, null, '', 'entered-in-error', 'cancelled', 'unknown', ['final']], variant),
        );
      }
      return;
    case 'id-wrong':
      defineField(
        r,
        'id',
        pick<Json>([5, '', 'x'.repeat(65), '../etc', 'enc-1', null, 'A/B', 'pat-1', '\uD800'], variant),
      );
      return;
    case 'reference-wrong':
      for (const p of keyPaths(r, ['reference'])) {
        setAt(r, p, pick(WEIRD_REFERENCES, variant + p.length));
      }
      setEach(REFERENCE_KEYS, (n) => ({ reference: pick(WEIRD_REFERENCES, n) }));
      return;
    case 'reference-not-object':
      setEach(REFERENCE_KEYS, (n) => pick<Json>(['Patient/pat-1', 5, null, [{ reference: 'Patient/pat-1' }]], n));
      return;
    case 'nested-bundle':
      setAt(root, path, {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: copyOf(r) }, { resource: copyOf(r) }],
      });
      return;
    case 'operation-outcome':
      setAt(root, path, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: pick(['not-found', 'exception', 'processing'], variant) }],
      });
      return;
    case 'next-link': {
      const bundle = bundleOf();
      if (bundle) {
        defineField(bundle, 'link', [
          {
            relation: 'next',
            url: pick<Json>(
              [`${DEAD_FHIR_SERVER}/Condition?page=2`, 'Condition?page=2', '', 5, null, '../../x'],
              variant,
            ),
          },
        ]);
      }
      return;
    }
    case 'contained-weird':
      defineField(r, 'contained', [
        null,
        5,
        { resourceType: 'Medication', id: 'carbo', code: 5 },
        { resourceType: 'Medication', id: 'm2', code: CARBOPLATIN },
        { resourceType: 'Medication' },
        [],
      ] as Json[]);
      defineField(r, 'medicationReference', {
        reference: pick(['#carbo', '#m2', '#', '#nope', 'Medication/m2'], variant),
      });
      return;
    case 'quantity-wrong':
      setEach(['valueQuantity', 'dose', 'rateQuantity', 'quantity'], (n) =>
        pick<Json>(
          [
            '7',
            { value: '7' },
            { value: null },
            { value: -0 },
            { value: 1e308 },
            { value: splices.placeholder('1e400') },
          ],
          n,
        ),
      );
      return;
    case 'array-for-object':
      setEach(['subject', 'period', 'code', 'dosage', 'effectivePeriod', 'class'], (n) =>
        pick<Json>([[{ reference: 'Patient/pat-1' }], [], [null]], n),
      );
      return;
    case 'object-for-array':
      setEach(['category', 'diagnosis', 'item', 'type', 'reasonCode', 'partOf', 'extension', 'coding'], (n) =>
        pick<Json>([{ coding: [] }, {}, { 0: 'x' }, 'x'], n),
      );
      return;
    case 'claim-lines-wrong':
      defineField(r, 'item', [
        { sequence: '1', productOrService: 5 },
        { sequence: 2, productOrService: { coding: [{ system: HCPCS, code: 'J9045' }] }, modifier: 'JW' },
        { sequence: 3, productOrService: { coding: [] }, diagnosisSequence: ['1', null] },
        { productOrService: { coding: [{ code: '96413-59' }] }, quantity: { value: -3 }, encounter: 'Encounter/enc-1' },
        null,
      ] as Json[]);
      return;
    case 'encounter-diagnosis-wrong':
      defineField(r, 'diagnosis', [
        { condition: 'Condition/cancer-pain', rank: '1' },
        null,
        { condition: { reference: 'Condition/cancer-pain' }, rank: -1, use: 5 },
        { condition: { reference: 'Condition/cancer-pain' }, rank: 1e308 },
      ] as Json[]);
      return;
    case 'duplicate-entries': {
      const bundle = bundleOf();
      if (bundle && Array.isArray(bundle.entry)) {
        const copies = Array.from({ length: 1 + (variant % 5) }, (): Json => ({ resource: copyOf(r) }));
        bundle.entry.push(...copies);
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Descriptors

export type Mutation =
  | { readonly op: 'replace'; readonly at: number; readonly value: Value }
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'add'; readonly at: number; readonly key: string; readonly value: Value }
  | { readonly op: 'string'; readonly at: number; readonly value: Value }
  | { readonly op: 'shape'; readonly at: number; readonly shape: ShapeName; readonly variant: number }
  | { readonly op: 'move'; readonly at: number; readonly to: number };

export type FuzzCase =
  | { readonly family: 'mutated'; readonly seed: number; readonly mutations: readonly Mutation[] }
  | { readonly family: 'json'; readonly value: Json }
  | {
      readonly family: 'raw';
      readonly bytes: RawBody;
      readonly contentType: string;
      readonly contentEncoding: string | undefined;
    }
  | {
      readonly family: 'deep';
      readonly seed: number;
      readonly where: string;
      readonly depth: number;
      readonly kind: DeepKind;
    }
  | {
      readonly family: 'huge';
      readonly seed: number;
      readonly where: string;
      readonly count: number;
      readonly element: HugeElement;
    }
  | {
      readonly family: 'long';
      readonly seed: number;
      readonly target: 'reference-fields' | 'all-strings-of-a-resource' | 'one-string';
      readonly at: number;
      readonly text: LongText;
    }
  | { readonly family: 'path'; readonly seed: number; readonly segment: string; readonly feedback: boolean };

export type RawBody =
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  | { readonly kind: 'truncated'; readonly seed: number; readonly cut: number }
  | { readonly kind: 'garbage-suffix'; readonly seed: number; readonly suffix: string }
  | { readonly kind: 'bad-utf8'; readonly seed: number; readonly at: number; readonly sequence: readonly number[] }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'gzip-of-seed'; readonly seed: number };

export type DeepKind = 'array' | 'object' | 'mixed';
export type HugeElement =
  | 'valid'
  | 'linked-open-infusion'
  | 'empty-object'
  | 'null'
  | 'number'
  | 'other-patient'
  | 'unknown-type'
  | 'bad-shape'
  | 'same-id'
  | 'mixed';

// Where deep structures and huge arrays go (dot paths into the seed; created if absent).
export const DEEP_WHERE = [
  'prefetch.deep',
  'prefetch.conditions',
  'prefetch.conditions.entry',
  'prefetch.conditions.entry.0',
  'prefetch.conditions.entry.0.resource',
  'prefetch.encounter.extension',
  'prefetch.encounter.period',
  'prefetch.encounter.class',
  'prefetch.procedures.entry.0.resource.code',
  'prefetch.medicationAdministrations.entry.0.resource.dosage',
  'context.draftResources',
  'context.draftResources.entry',
  'context.draftResources.entry.0.resource',
  'context.draftResources.entry.0.resource.contained',
  'context.deep',
  'extension',
  'hookInstance',
  'fhirAuthorization',
] as const;

export const HUGE_WHERE = [
  'prefetch.conditions',
  'prefetch.procedures',
  'prefetch.medicationAdministrations',
  'prefetch.painScores',
  'prefetch.carePlans',
  'prefetch.claims',
  'prefetch.medicationRequests',
  'context.draftResources',
] as const;

const HUGE_ELEMENTS: readonly HugeElement[] = [
  'valid',
  'linked-open-infusion',
  'empty-object',
  'null',
  'number',
  'other-patient',
  'unknown-type',
  'bad-shape',
  'same-id',
  'mixed',
];

const CONTENT_TYPES = [
  'application/json',
  'application/fhir+json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset',
  'application/json; charset="utf-8"; foo=bar',
  'application/vnd.example+json',
  'APPLICATION/JSON',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json;;',
];

const CONTENT_ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'GZIP', 'x-unknown', 'gzip, deflate', ''];

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fieldKey, value: valueArb }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('string' as const), at: fc.nat(), value: valueArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('shape' as const),
      at: fc.nat(),
      shape: fc.constantFrom(...SHAPES),
      variant: fc.nat({ max: 1_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), at: fc.nat(), to: fc.nat() }) },
);

const seedIndex = fc.nat({ max: SEEDS.length - 1 });

/** A valid request from one of the seeds with 1 to 5 mutations: wrong types, deletions, unknown fields, shapes. */
export const mutatedCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('mutated' as const),
  seed: seedIndex,
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 5 }),
});

/** Mutations that only break FHIR shapes inside prefetch and draft resources. */
export const fhirShapeCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('mutated' as const),
  seed: seedIndex,
  mutations: fc.array(
    fc.record({
      op: fc.constant('shape' as const),
      at: fc.nat(),
      shape: fc.constantFrom(...SHAPES),
      variant: fc.nat({ max: 1_000 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

/** Any JSON value as the body, and objects shaped like a request whose every field may be anything. */
export const jsonCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.record({ family: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json> }),
  fc.record({
    family: fc.constant('json' as const),
    value: fc.record(
      {
        hook: fc.oneof(fc.constant('encounter-sign'), smallJson),
        hookInstance: fc.oneof(fc.uuid(), unicodeString, smallJson),
        context: fc.oneof(
          fc.record(
            {
              userId: fc.oneof(fc.constant('Practitioner/1'), smallJson),
              patientId: fc.oneof(fc.constant('pat-1'), unicodeString, smallJson),
              encounterId: fc.oneof(fc.constant('enc-1'), fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/), smallJson),
              draftResources: smallJson,
            },
            { requiredKeys: [] },
          ),
          smallJson,
        ),
        prefetch: fc.oneof(fc.dictionary(fc.string({ maxLength: 30 }), smallJson, { maxKeys: 6 }), smallJson),
        fhirServer: fc.oneof(fc.constant(DEAD_FHIR_SERVER), smallJson),
        fhirAuthorization: smallJson,
      },
      { requiredKeys: [] },
    ),
  }),
);

/** Bytes that are not (valid, UTF-8) JSON, and JSON under odd content types and content encodings. */
export const rawCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('raw' as const),
  bytes: fc.oneof(
    fc.record({
      kind: fc.constant('bytes' as const),
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }),
    }),
    fc.record({ kind: fc.constant('truncated' as const), seed: seedIndex, cut: fc.nat() }),
    fc.record({
      kind: fc.constant('garbage-suffix' as const),
      seed: seedIndex,
      suffix: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('}', ']', ',', '\u0000', ' x')),
    }),
    fc.record({
      kind: fc.constant('bad-utf8' as const),
      seed: seedIndex,
      at: fc.nat(),
      sequence: fc.constantFrom(
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xff],
        [0xc0, 0xaf],
        [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82],
        [0xef, 0xbb, 0xbf],
        [0x00],
      ),
    }),
    fc.record({
      kind: fc.constant('literal' as const),
      text: fc.constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '{}',
        '"x"',
        '1e400',
        'true',
        '\uFEFF{}',
        '{"hook":',
        '[[[[',
        '{"a":1}{}',
      ),
    }),
    fc.record({ kind: fc.constant('gzip-of-seed' as const), seed: seedIndex }),
  ),
  contentType: fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, fc.constantFrom(...CONTENT_TYPES)),
  contentEncoding: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...CONTENT_ENCODINGS) },
  ),
});

/** Up to 5 000 levels of nested arrays / objects at places inside prefetch, context.draftResources and elsewhere. */
export const deepCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('deep' as const),
  seed: seedIndex,
  where: fc.constantFrom(...DEEP_WHERE),
  depth: fc.oneof(fc.constant(5_000), fc.integer({ min: 100, max: 5_000 })),
  kind: fc.constantFrom<DeepKind>('array', 'object', 'mixed'),
});

/** Up to 20 000 small entries in a prefetch Bundle (or draftResources). */
export const hugeCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('huge' as const),
  seed: seedIndex,
  where: fc.constantFrom(...HUGE_WHERE),
  count: fc.oneof(fc.constant(20_000), fc.integer({ min: 1_000, max: 20_000 })),
  element: fc.constantFrom(...HUGE_ELEMENTS),
});

/** 40k-60k character strings at references, at every string of one resource, or at one string anywhere. */
export const longCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('long' as const),
  seed: seedIndex,
  target: fc.constantFrom('reference-fields' as const, 'all-strings-of-a-resource' as const, 'one-string' as const),
  at: fc.nat(),
  text: longText(40_000, 60_000),
});

/** Everything, weighted for throughput (what scripts/fuzz.ts runs). */
/** Pieces of a path segment: valid and broken percent-encodings, the real service ids, dots, odd characters. */
const SEGMENT_PIECES = [
  'oncology-encounter-sign',
  'oncology-patient-view',
  '%',
  '%Z',
  '%ZZ',
  '%E0%A4%A',
  '%FF',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  '%2F',
  '%2e%2e',
  '%25',
  '..',
  '.',
  '~',
  '-',
  '_',
  'x',
  '0',
];

/** POSTs to /cds-services/<segment>[/feedback]: malformed percent-encoding and unknown ids must not be 5xx. */
export const pathCase: fc.Arbitrary<FuzzCase> = fc.record({
  family: fc.constant('path' as const),
  seed: seedIndex,
  segment: fc
    .array(
      fc.oneof(
        fc.constantFrom(...SEGMENT_PIECES),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).map((t) => encodeURIComponent(t)),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((pieces) => pieces.join('')),
  feedback: fc.boolean(),
});

export const anyCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 40, arbitrary: mutatedCase },
  { weight: 20, arbitrary: fhirShapeCase },
  { weight: 10, arbitrary: jsonCase },
  { weight: 12, arbitrary: rawCase },
  { weight: 2, arbitrary: deepCase },
  { weight: 1, arbitrary: hugeCase },
  { weight: 2, arbitrary: longCase },
  { weight: 2, arbitrary: pathCase },
);

// Regression examples: cases the fuzzer found, kept so that every run tries them first.
export const EXAMPLES = {
  corruptGzip: {
    family: 'raw',
    bytes: { kind: 'literal', text: 'not gzip at all' },
    contentType: 'application/json',
    contentEncoding: 'gzip',
  },
  malformedPercentEncoding: { family: 'path', seed: 0, segment: '%E0%A4%A', feedback: false },
  letterRunReference: {
    family: 'long',
    seed: 0,
    target: 'reference-fields',
    at: 0,
    text: { unit: 'A', length: 60_000 },
  },
  deepArraysInPrefetch: { family: 'deep', seed: 2, where: 'prefetch.deep', depth: 5_000, kind: 'array' },
  deepObjectsInDraft: {
    family: 'deep',
    seed: 3,
    where: 'context.draftResources.entry.0.resource',
    depth: 5_000,
    kind: 'object',
  },
  twentyThousandConditions: {
    family: 'huge',
    seed: 2,
    where: 'prefetch.conditions',
    count: 20_000,
    element: 'valid',
  },
  twentyThousandOpenInfusions: {
    family: 'huge',
    seed: 1,
    where: 'prefetch.medicationAdministrations',
    count: 20_000,
    element: 'linked-open-infusion',
  },
} as const satisfies Record<string, FuzzCase>;

// ---------------------------------------------------------------------------------------------------------------
// Materialization

export interface FuzzRequest {
  /** The path to POST to; FUZZ_SERVICE_PATH unless the case is about paths. */
  readonly path?: string;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly contentEncoding?: string;
}

const json = (text: string): FuzzRequest => ({ body: Buffer.from(text, 'utf8'), contentType: 'application/json' });

function applyMutation(root: Json, m: Mutation, splices: Splices): void {
  switch (m.op) {
    case 'replace':
    case 'delete': {
      const paths = pathsOf(root);
      if (paths.length === 0) {
        return;
      }
      const path = pick(paths, m.at);
      if (m.op === 'delete') {
        deleteAt(root, path);
      } else {
        setAt(root, path, valueOf(m.value, splices));
      }
      return;
    }
    case 'add': {
      const containers = [[] as Path, ...pathsOf(root, (v) => isObject(v) || Array.isArray(v))];
      const target = getAt(root, pick(containers, m.at));
      if (Array.isArray(target)) {
        target.push(valueOf(m.value, splices));
      } else if (isObject(target)) {
        defineField(target, m.key, valueOf(m.value, splices));
      }
      return;
    }
    case 'string': {
      const strings = pathsOf(root, (v) => typeof v === 'string');
      const paths = strings.length > 0 ? strings : pathsOf(root);
      if (paths.length > 0) {
        setAt(root, pick(paths, m.at), valueOf(m.value, splices));
      }
      return;
    }
    case 'shape': {
      const resources = pathsOf(root, (v) => isObject(v) && Object.hasOwn(v, 'resourceType'));
      if (resources.length > 0) {
        applyShape(root, pick(resources, m.at), m.shape, m.variant, splices);
      }
      return;
    }
    case 'move': {
      const paths = pathsOf(root);
      if (paths.length < 2) {
        return;
      }
      const from = pick(paths, m.at);
      const to = pick(paths, m.to);
      const value = getAt(root, from);
      const isInside = to.length >= from.length && from.every((k, i) => to[i] === k);
      if (value !== undefined && !isInside) {
        setAt(root, to, copyOf(value));
      }
      return;
    }
  }
}

/** Sets a dot path (numeric segments index arrays), creating objects on the way. */
function setDotPath(root: JsonObject, dotPath: string, value: Json): void {
  const segments = dotPath.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  let node: Json = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (Array.isArray(node) && typeof segment === 'number') {
      if (last) {
        node[segment] = value;
      } else {
        node[segment] = isObject(node[segment]) || Array.isArray(node[segment]) ? node[segment] : {};
        node = node[segment];
      }
    } else if (isObject(node)) {
      const key = String(segment);
      if (last) {
        defineField(node, key, value);
      } else {
        const next = node[key];
        if (!isObject(next) && !Array.isArray(next)) {
          defineField(node, key, typeof segments[i + 1] === 'number' ? [] : {});
        }
        node = node[key] as Json;
      }
    }
  });
}

function deepText(depth: number, kind: DeepKind): string {
  switch (kind) {
    case 'array':
      return '['.repeat(depth) + ']'.repeat(depth);
    case 'object':
      return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    case 'mixed': {
      const half = Math.floor(depth / 2);
      return '[{"resourceType":"Bundle","entry":'.repeat(half) + '[]' + '}]'.repeat(half);
    }
  }
}

const HUGE_TYPES: Record<string, string> = {
  'prefetch.conditions': 'Condition',
  'prefetch.procedures': 'Procedure',
  'prefetch.medicationAdministrations': 'MedicationAdministration',
  'prefetch.painScores': 'Observation',
  'prefetch.carePlans': 'CarePlan',
  'prefetch.claims': 'Claim',
  'prefetch.medicationRequests': 'MedicationRequest',
  'context.draftResources': 'MedicationAdministration',
};

function hugeEntry(type: string, element: HugeElement, i: number): Json {
  const id = `h${String(i)}`;
  const base = (t: string): JsonObject => {
    const r: JsonObject = { resourceType: t, id, subject: { reference: 'Patient/pat-1' } };
    if (t !== 'Condition') {
      r.status = t === 'Observation' ? 'final' : t === 'CarePlan' || t === 'MedicationRequest' ? 'active' : 'completed';
    }
    if (t === 'Observation') {
      r.code = { coding: [{ system: 'http://loinc.org', code: '72514-3' }] };
      r.valueQuantity = { value: i % 11 };
      r.effectiveDateTime = '2025-03-04T09:10:00-05:00';
    }
    if (t === 'Claim') {
      delete r.subject;
      r.patient = { reference: 'Patient/pat-1' };
      r.item = [{ sequence: 1, productOrService: { coding: [{ system: CPT, code: '96413' }] } }];
    }
    return r;
  };
  switch (element) {
    case 'valid':
      return { resource: base(type) };
    case 'linked-open-infusion':
      return {
        resource: {
          resourceType: 'MedicationAdministration',
          id,
          status: 'completed',
          medicationCodeableConcept: CARBOPLATIN,
          subject: { reference: 'Patient/pat-1' },
          context: { reference: 'Encounter/enc-1' },
          effectivePeriod: { start: '2025-03-04T10:00:00-05:00' },
          dosage: { route: IV_ROUTE },
        } as unknown as Json,
      };
    case 'empty-object':
      return {};
    case 'null':
      return null;
    case 'number':
      return i;
    case 'other-patient':
      return { resource: { ...base(type), subject: { reference: `Patient/other-${String(i)}` } } };
    case 'unknown-type':
      return { resource: { resourceType: `Type${String(i % 97)}`, id } };
    case 'bad-shape':
      return { resource: { ...base(type), status: i, code: 'x', effectivePeriod: 'yesterday' } };
    case 'same-id':
      return { resource: { ...base(type), id: 'same' } };
    case 'mixed':
      return hugeEntry(type, pick(HUGE_ELEMENTS.slice(0, -1), i * 7 + 3), i);
  }
}

function stringPathsForLong(root: Json, c: Extract<FuzzCase, { family: 'long' }>): Path[] {
  switch (c.target) {
    case 'reference-fields':
      return pathsOf(root, (v) => typeof v === 'string').filter((p) => {
        const key = String(p[p.length - 1]);
        return key === 'reference' || key === 'fullUrl';
      });
    case 'all-strings-of-a-resource': {
      const resources = pathsOf(root, (v) => isObject(v) && Object.hasOwn(v, 'resourceType'));
      const chosen = resources.length > 0 ? pick(resources, c.at) : [];
      const inside = getAt(root, chosen);
      return inside === undefined
        ? []
        : pathsOf(inside, (v) => typeof v === 'string')
            .filter((p) => p[p.length - 1] !== 'resourceType')
            .map((p) => [...chosen, ...p]);
    }
    case 'one-string': {
      const strings = pathsOf(root, (v) => typeof v === 'string');
      return strings.length > 0 ? [pick(strings, c.at)] : [];
    }
  }
}

function rawBytes(raw: RawBody): Uint8Array {
  switch (raw.kind) {
    case 'bytes':
      return Uint8Array.from(raw.bytes);
    case 'truncated': {
      const text = JSON.stringify(seedJson(raw.seed));
      return Buffer.from(text.slice(0, raw.cut % text.length), 'utf8');
    }
    case 'garbage-suffix':
      return Buffer.from(JSON.stringify(seedJson(raw.seed)) + raw.suffix, 'utf8');
    case 'bad-utf8': {
      const text = Buffer.from(JSON.stringify(seedJson(raw.seed)), 'utf8');
      // Inside a string: right after the opening quote of some string value.
      const quotes: number[] = [];
      text.forEach((b, i) => {
        if (b === 0x22) {
          quotes.push(i);
        }
      });
      const at = quotes.length > 0 ? pick(quotes, raw.at) + 1 : 0;
      return Buffer.concat([text.subarray(0, at), Uint8Array.from(raw.sequence), text.subarray(at)]);
    }
    case 'literal':
      return Buffer.from(raw.text, 'utf8');
    case 'gzip-of-seed':
      return gzipSync(Buffer.from(JSON.stringify(seedJson(raw.seed)), 'utf8'));
  }
}

/** The HTTP requests of one case: one, or two (length L, then 2L) for the long-string scaling check. */
export function buildRequests(c: FuzzCase): FuzzRequest[] {
  switch (c.family) {
    case 'mutated': {
      const root: Json = seedJson(c.seed);
      const splices = new Splices();
      for (const m of c.mutations) {
        applyMutation(root, m, splices);
      }
      loopbackOnly(root);
      return [json(splices.serialize(root))];
    }
    case 'json': {
      const root = JSON.parse(JSON.stringify(c.value)) as Json;
      loopbackOnly(root);
      return [json(JSON.stringify(root))];
    }
    case 'raw': {
      let body = rawBytes(c.bytes);
      // Raw bytes never carry a non-loopback fhirServer in practice; make sure of it anyway.
      try {
        const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as Json;
        if (isObject(parsed) && Object.hasOwn(parsed, 'fhirServer')) {
          loopbackOnly(parsed);
          body = Buffer.from(JSON.stringify(parsed), 'utf8');
        }
      } catch {
        // not JSON: nothing to sanitize
      }
      return [
        {
          body,
          contentType: c.contentType,
          ...(c.contentEncoding !== undefined ? { contentEncoding: c.contentEncoding } : {}),
        },
      ];
    }
    case 'deep': {
      const root = seedJson(c.seed);
      const splices = new Splices();
      setDotPath(root, c.where, splices.placeholder(deepText(c.depth, c.kind)));
      loopbackOnly(root);
      return [json(splices.serialize(root))];
    }
    case 'huge': {
      const root = seedJson(c.seed);
      const type = HUGE_TYPES[c.where] ?? 'Condition';
      const entries = Array.from({ length: c.count }, (_, i) => hugeEntry(type, c.element, i));
      const bundle = {
        resourceType: 'Bundle',
        type: c.where.startsWith('context.') ? 'collection' : 'searchset',
        entry: entries,
      };
      setDotPath(root, c.where, bundle);
      loopbackOnly(root);
      return [json(JSON.stringify(root))];
    }
    case 'long': {
      const make = (length: number): FuzzRequest => {
        const root: Json = seedJson(c.seed);
        const text = materializeLong({ unit: c.text.unit, length });
        for (const path of stringPathsForLong(root, c)) {
          setAt(root, path, text);
        }
        loopbackOnly(root);
        return json(JSON.stringify(root));
      };
      return [make(Math.floor(c.text.length / 2)), make(c.text.length)];
    }
    case 'path': {
      const root = seedJson(c.seed);
      loopbackOnly(root);
      return [{ ...json(JSON.stringify(root)), path: `/cds-services/${c.segment}${c.feedback ? '/feedback' : ''}` }];
    }
  }
}

/** One line for logs and failure messages (the descriptor, with long values abbreviated). */
export function describeCase(c: FuzzCase): string {
  const text = JSON.stringify(c, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…(${String(value.length)})` : value,
  );
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

export interface FuzzResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
  readonly ms: number;
  /** Set when no response came back (timeout, connection reset). */
  readonly error?: string;
}

export type Sender = (request: FuzzRequest) => Promise<FuzzResponse>;

/** Paths of null values; CDS Hooks responses must not contain null. */
export function nullPaths(value: unknown, path = '$', out: string[] = []): string[] {
  if (out.length >= 10) {
    return out;
  }
  if (value === null) {
    out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nullPaths(v, `${path}[${String(i)}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      nullPaths(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/**
 * The properties every response must have: it came back within CALL_DEADLINE_MS; status < 500; a 401 is empty;
 * anything else is JSON (an OperationOutcome for errors); a 200 has a `cards` array and no null anywhere.
 */
export function checkResponse(res: FuzzResponse): string[] {
  if (res.error !== undefined) {
    return [`no response after ${res.ms.toFixed(0)} ms: ${res.error}`];
  }
  const problems: string[] = [];
  if (res.ms > CALL_DEADLINE_MS) {
    problems.push(`took ${res.ms.toFixed(0)} ms (deadline ${String(CALL_DEADLINE_MS)} ms)`);
  }
  if (res.status >= 500) {
    problems.push(`status ${String(res.status)}`);
  }
  if (res.status === 401) {
    if (res.text !== '') {
      problems.push('401 with a body');
    }
    return problems;
  }
  if (!/^application\/json\b/i.test(res.contentType ?? '')) {
    problems.push(`content-type ${res.contentType ?? '(none)'}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    problems.push(`body is not JSON: ${res.text.slice(0, 120)}`);
    return problems;
  }
  if (res.status === 200) {
    if (!isObject(body) || !Array.isArray(body.cards)) {
      problems.push('200 without a cards array');
    }
    const nulls = nullPaths(body);
    if (nulls.length > 0) {
      problems.push(`null in a 200 body at ${nulls.join(', ')}`);
    }
  } else if (!isObject(body) || body.resourceType !== 'OperationOutcome') {
    problems.push(`${String(res.status)} body is not an OperationOutcome`);
  }
  return problems;
}

export interface CaseOutcome {
  readonly violations: readonly string[];
  readonly responses: readonly FuzzResponse[];
  readonly bytes: number;
}

/** Sends the case's request(s) and checks every property, including the scaling one for long strings. */
export async function runFuzzCase(c: FuzzCase, send: Sender): Promise<CaseOutcome> {
  const requests = buildRequests(c);
  const responses: FuzzResponse[] = [];
  for (const request of requests) {
    responses.push(await send(request));
  }
  const violations = responses.flatMap((res, i) =>
    checkResponse(res).map((p) => (responses.length > 1 ? `request ${String(i + 1)}: ${p}` : p)),
  );
  const [small, large] = responses;
  if (c.family === 'long' && small !== undefined && large !== undefined) {
    if (large.ms > SCALING_FLOOR_MS && large.ms > 3 * small.ms + 250) {
      violations.push(
        `superlinear: ${large.ms.toFixed(0)} ms for ${String(c.text.length)} characters vs ` +
          `${small.ms.toFixed(0)} ms for half as many`,
      );
    }
  }
  const bytes = requests.reduce((n, r) => n + r.body.byteLength, 0);
  return { violations, responses, bytes };
}

/** A failure message: the descriptor, the violations and the first response (status and the start of its body). */
export function failureMessage(c: FuzzCase, outcome: CaseOutcome): string {
  const first = outcome.responses.find((r) => checkResponse(r).length > 0) ?? outcome.responses[0];
  const seen = first
    ? ` (status ${String(first.status)}, ${first.ms.toFixed(0)} ms, body ${first.text.slice(0, 200)})`
    : '';
  return `${describeCase(c)}: ${outcome.violations.join('; ')}${seen}`;
}
