/*
 * CMS157 on our measure module and on the reference CQL engine (cql-execution + cql-exec-fhir, FHIR 4.0.1 model
 * info), same data, same measurement period: the comparison itself, shared by the integration test
 * (tests/integration/cql-peer.int.test.ts, which checks the populations agree) and the benchmark CLI
 * (bench/cql-peer.ts, which prints the timings). Method: ../shared/reference/cql-peer-notes.md and bench/cql-peer.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import cql from 'cql-execution';
import type { Library, ValueSetDictionary } from 'cql-execution';
import cqlfhir from 'cql-exec-fhir';
import type { PatientSource } from 'cql-exec-fhir';
import type { Bundle, Resource, ValueSet } from 'fhir/r4.js';
import { loadFhirResources } from '../src/devtools/memory-fhir-server.js';
import { groupByPatient } from '../src/fhir/grouping.js';
import type { SnapshotResourceType } from '../src/fhir/resources.js';
import { indexPatient, type SourcedResource } from '../src/fhir/snapshot.js';
import {
  evaluateCms157,
  noPopulations,
  type Cms157Populations,
  type MeasurementPeriod,
} from '../src/measures/cms157.js';
import { Terminology } from '../src/terminology/terminology.js';
import { loadEngine } from '../src/engine.js';
import { externalFixtures } from './fixtures.js';

const { observationFilter } = loadEngine(undefined);

export const POPULATIONS = [
  { key: 'initialPopulation1', expression: 'Initial Population 1', label: 'IP1' },
  { key: 'denominator1', expression: 'Denominator 1', label: 'DEN1' },
  { key: 'numerator1', expression: 'Numerator 1', label: 'NUM1' },
  { key: 'initialPopulation2', expression: 'Initial Population 2', label: 'IP2' },
  { key: 'denominator2', expression: 'Denominator 2', label: 'DEN2' },
  { key: 'numerator2', expression: 'Numerator 2', label: 'NUM2' },
] as const;

export type PopulationKey = (typeof POPULATIONS)[number]['key'];
export type PopulationCounts = Record<PopulationKey, number>;

export interface Disagreement {
  readonly set: string;
  /** Test-case title or Synthea file name. */
  readonly patient: string;
  readonly patientId: string;
  readonly encounter: string;
  readonly population: PopulationKey;
  readonly ours: boolean;
  readonly cql: boolean;
}

export interface PeerSetReport {
  readonly name: string;
  readonly description: string;
  readonly measurementPeriod: MeasurementPeriod;
  readonly patients: number;
  readonly encounters: number;
  /** Median over timed rounds of (round time / patients), ms. */
  readonly oursMsPerPatient: number;
  readonly cqlMsPerPatient: number;
  /** cqlMsPerPatient / oursMsPerPatient. */
  readonly ratio: number;
  /** The patient with the highest median time, per engine. */
  readonly slowestPatient: {
    readonly ours: { readonly patient: string; readonly ms: number };
    readonly cql: { readonly patient: string; readonly ms: number };
  };
  readonly populationTotals: { readonly ours: PopulationCounts; readonly cql: PopulationCounts };
  /** Every encounter that either engine puts in any population, with the populations each puts it in. */
  readonly encountersInAPopulation: readonly {
    readonly patient: string;
    readonly encounter: string;
    readonly ours: readonly PopulationKey[];
    readonly cql: readonly PopulationKey[];
  }[];
  readonly disagreements: readonly Disagreement[];
}

export interface PeerReport {
  readonly rounds: number;
  /** One-off costs, left out of the per-patient figures. */
  readonly setupMs: {
    readonly loadFixtures: number;
    readonly oursTerminology: number;
    readonly cqlLibraryAndValueSets: number;
    readonly cqlPatientSource: number;
  };
  readonly cqlValueSetCodes: number;
  readonly engines: { readonly cqlExecution: string; readonly cqlExecFhir: string };
  readonly totalMs: number;
  readonly sets: readonly PeerSetReport[];
}

const require = createRequire(import.meta.url);
function packageVersion(name: string): string {
  const json = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
  return json.version ?? '?';
}

const CMS157_DIR = `${externalFixtures}ecqm-cms157-oncology-pain-intensity/`;
const SYNTHEA_DIR = `${externalFixtures}synthea-smart-generated-sample-data/`;
const MAIN_LIBRARY = 'OncologyPainIntensityQuantifiedFHIR';
const MP_2025: MeasurementPeriod = { start: '2025-01-01T00:00:00.000Z', end: '2025-12-31T23:59:59.999Z' };
const MP_2018: MeasurementPeriod = { start: '2018-01-01T00:00:00.000Z', end: '2018-12-31T23:59:59.999Z' };

interface BenchPatient {
  readonly label: string;
  readonly patientId: string;
  /** The patient's resources as groupByPatient gives them (references already rewritten to Type/id). */
  readonly resources: readonly SourcedResource[];
  /** The same resources as one collection Bundle, for cql-exec-fhir. */
  readonly bundle: Bundle;
}

type Membership = Record<PopulationKey, boolean>;
/** Encounter id → populations it is in. */
type PatientResult = Map<string, Membership>;

interface CqlResult {
  readonly members: PatientResult;
  /** Lengths of the Encounter lists the population expressions return. */
  readonly lengths: PopulationCounts;
}

function zeroCounts(): PopulationCounts {
  return {
    initialPopulation1: 0,
    denominator1: 0,
    numerator1: 0,
    initialPopulation2: 0,
    denominator2: 0,
    numerator2: 0,
  };
}

function jsonFiles(dir: string, filter: (name: string) => boolean = () => true): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && filter(f))
    .sort()
    .map((f) => `${dir}${f}`);
}

/** One file = one patient: loaded with loadFhirResources, grouped with groupByPatient, wrapped as a Bundle. */
async function loadPatients(files: readonly string[], label: (file: string) => string): Promise<BenchPatient[]> {
  const patients: BenchPatient[] = [];
  for (const file of files) {
    const { resources, skipped } = await loadFhirResources([file]);
    if (skipped.length > 0) {
      throw new Error(`${file}: ${skipped.map((s) => s.reason).join('; ')}`);
    }
    const groups = groupByPatient(resources.map((resource) => ({ resource })));
    const [group] = groups;
    if (group === undefined || groups.length !== 1) {
      throw new Error(`${file}: expected one patient, found ${groups.length}`);
    }
    patients.push({
      label: label(file),
      patientId: group.patientId,
      resources: group.resources,
      bundle: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: group.resources.map((s) => ({ resource: s.resource as Resource })),
      },
    });
  }
  return patients;
}

/** What CMS157 reads, as the CQL library's retrieves do; Synthea's Claims, EOBs and the rest are not looked at. */
const MEASURE_RESOURCE_TYPES: ReadonlySet<SnapshotResourceType> = new Set([
  'Encounter',
  'Condition',
  'Procedure',
  'Observation',
]);

/**
 * Our side: index the patient (part of the measured time), keeping the Observations the measure can read (the engine's
 * pain-assessment filter, as the CQL retrieve by value set does), then evaluate CMS157 over its lists.
 */
function evaluateOurs(patient: BenchPatient, period: MeasurementPeriod, terminology: Terminology): PatientResult {
  const index = indexPatient({
    patientId: patient.patientId,
    resources: patient.resources,
    keepObservation: observationFilter,
    resourceTypes: MEASURE_RESOURCE_TYPES,
  });
  const { Encounter, Condition, Procedure, Observation } = index.lists;
  const populations: Cms157Populations[] = evaluateCms157(
    { encounters: Encounter, conditions: Condition, procedures: Procedure, observations: Observation },
    period,
    terminology,
  );
  return new Map(populations.map(({ encounterId, ...membership }) => [encounterId, membership]));
}

interface CqlPeer {
  readonly library: Library;
  readonly codeService: InstanceType<typeof cql.CodeService>;
  readonly patientSource: PatientSource;
  readonly valueSetCodes: number;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** ELM, value sets and library: the engine's one-off setup. */
async function setUpCqlLibrary(): Promise<Omit<CqlPeer, 'patientSource'>> {
  const elm: Record<string, unknown> = {};
  for (const file of jsonFiles(`${CMS157_DIR}elm/`)) {
    elm[basename(file, '.json')] = await readJson(file);
  }
  const repository = new cql.Repository(elm);
  // By name only: the main library's ELM identifier says 0.2.000 while its file name says 0.3.000.
  const library = repository.resolve(MAIN_LIBRARY);
  if (library === undefined) {
    throw new Error(`ELM library ${MAIN_LIBRARY} not found in ${CMS157_DIR}elm/`);
  }
  const valueSets: ValueSetDictionary = {};
  let valueSetCodes = 0;
  for (const file of jsonFiles(`${CMS157_DIR}valuesets/`)) {
    const vs = await readJson<ValueSet>(file);
    if (vs.url === undefined || vs.version === undefined) {
      throw new Error(`${file}: value set without url or version`);
    }
    const codes = (vs.expansion?.contains ?? []).flatMap((c) =>
      c.code !== undefined && c.system !== undefined
        ? [{ code: c.code, system: c.system, ...(c.version !== undefined ? { version: c.version } : {}) }]
        : [],
    );
    valueSetCodes += codes.length;
    valueSets[vs.url] = { ...valueSets[vs.url], [vs.version]: codes };
  }
  for (const { expression } of POPULATIONS) {
    if (library.expressions[expression] === undefined) {
      throw new Error(`ELM library ${MAIN_LIBRARY} has no definition "${expression}"`);
    }
  }
  return { library, codeService: new cql.CodeService(valueSets), valueSetCodes };
}

function measurementPeriodParameter(period: MeasurementPeriod): InstanceType<typeof cql.Interval> {
  return new cql.Interval(cql.DateTime.parse(period.start), cql.DateTime.parse(period.end), true, true);
}

/** Fixed so that nothing depends on when the benchmark runs (CMS157 does not call Now()/Today()). */
const EXECUTION_DATE_TIME = cql.DateTime.fromJSDate(new Date('2026-01-15T00:00:00.000Z'), 0);

/** The engine's side: load the patient's Bundle into the reused PatientSource, evaluate the six populations. */
async function evaluateCql(
  peer: CqlPeer,
  patient: BenchPatient,
  parameters: Record<string, unknown>,
): Promise<CqlResult> {
  peer.patientSource.reset();
  peer.patientSource.loadBundles([patient.bundle]);
  const current = peer.patientSource.currentPatient();
  if (current === undefined) {
    throw new Error(`${patient.label}: the PatientSource yields no patient`);
  }
  const context = new cql.PatientContext(peer.library, current, peer.codeService, parameters, EXECUTION_DATE_TIME);
  const members: PatientResult = new Map();
  const lengths = zeroCounts();
  for (const { key, expression } of POPULATIONS) {
    const definition = peer.library.expressions[expression] as InstanceType<typeof cql.Expression>;
    const value: unknown = await definition.execute(context);
    if (!Array.isArray(value)) {
      throw new Error(`${patient.label}: "${expression}" returned ${typeof value}, not a list`);
    }
    // Population count = list length (a duplicate would count twice here and once per encounter below).
    lengths[key] = value.length;
    for (const item of value as unknown[]) {
      const id = (item as { getId?: () => unknown }).getId?.();
      if (typeof id !== 'string') {
        throw new Error(`${patient.label}: "${expression}" returned an item that is not an Encounter with an id`);
      }
      const membership = members.get(id) ?? noPopulations();
      membership[key] = true;
      members.set(id, membership);
    }
  }
  return { members, lengths };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

interface SetDefinition {
  readonly name: string;
  readonly description: string;
  readonly period: MeasurementPeriod;
  readonly patients: readonly BenchPatient[];
}

async function runSet(
  set: SetDefinition,
  rounds: number,
  terminology: Terminology,
  peer: CqlPeer,
): Promise<PeerSetReport> {
  const parameters = { 'Measurement Period': measurementPeriodParameter(set.period) };
  const { patients } = set;
  const oursRoundMs: number[] = [];
  const cqlRoundMs: number[] = [];
  const oursPatientMs = patients.map((): number[] => []);
  const cqlPatientMs = patients.map((): number[] => []);
  let oursResults: PatientResult[] = [];
  let cqlResults: CqlResult[] = [];

  // Round 0 is the untimed warm-up; its results are the ones compared.
  for (let r = 0; r <= rounds; r += 1) {
    const ours: PatientResult[] = [];
    const roundStart = performance.now();
    patients.forEach((patient, i) => {
      const start = performance.now();
      ours.push(evaluateOurs(patient, set.period, terminology));
      oursPatientMs[i]!.push(performance.now() - start);
    });
    const oursRound = performance.now() - roundStart;

    const theirs: CqlResult[] = [];
    const cqlStart = performance.now();
    for (const [i, patient] of patients.entries()) {
      const start = performance.now();
      theirs.push(await evaluateCql(peer, patient, parameters));
      cqlPatientMs[i]!.push(performance.now() - start);
    }
    const cqlRound = performance.now() - cqlStart;

    if (r === 0) {
      oursResults = ours;
      cqlResults = theirs;
      oursPatientMs.forEach((m) => m.splice(0));
      cqlPatientMs.forEach((m) => m.splice(0));
    } else {
      oursRoundMs.push(oursRound / patients.length);
      cqlRoundMs.push(cqlRound / patients.length);
    }
  }

  const oursTotals = zeroCounts();
  const cqlTotals = zeroCounts();
  const disagreements: Disagreement[] = [];
  const encountersInAPopulation: PeerSetReport['encountersInAPopulation'][number][] = [];
  const memberOf = (m: Membership): PopulationKey[] => POPULATIONS.filter((p) => m[p.key]).map((p) => p.key);
  let encounters = 0;
  for (const [i, patient] of patients.entries()) {
    const ours = oursResults[i]!;
    const { members: theirs, lengths } = cqlResults[i]!;
    const ids = new Set([...ours.keys(), ...theirs.keys()]);
    encounters += ids.size;
    for (const { key } of POPULATIONS) {
      cqlTotals[key] += lengths[key];
    }
    for (const id of [...ids].sort()) {
      const mine = ours.get(id) ?? noPopulations();
      const cqlSide = theirs.get(id) ?? noPopulations();
      if (memberOf(mine).length > 0 || memberOf(cqlSide).length > 0) {
        encountersInAPopulation.push({
          patient: patient.label,
          encounter: id,
          ours: memberOf(mine),
          cql: memberOf(cqlSide),
        });
      }
      for (const { key } of POPULATIONS) {
        oursTotals[key] += mine[key] ? 1 : 0;
        if (mine[key] !== cqlSide[key]) {
          disagreements.push({
            set: set.name,
            patient: patient.label,
            patientId: patient.patientId,
            encounter: id,
            population: key,
            ours: mine[key],
            cql: cqlSide[key],
          });
        }
      }
    }
  }

  const slowest = (times: readonly number[][]): { patient: string; ms: number } => {
    let best = { patient: '', ms: -1 };
    times.forEach((t, i) => {
      const ms = t.length > 0 ? median(t) : 0;
      if (ms > best.ms) {
        best = { patient: patients[i]!.label, ms: round3(ms) };
      }
    });
    return best;
  };

  const oursMsPerPatient = median(oursRoundMs);
  const cqlMsPerPatient = median(cqlRoundMs);
  return {
    name: set.name,
    description: set.description,
    measurementPeriod: set.period,
    patients: patients.length,
    encounters,
    oursMsPerPatient: round3(oursMsPerPatient),
    cqlMsPerPatient: round3(cqlMsPerPatient),
    ratio: Math.round((cqlMsPerPatient / oursMsPerPatient) * 10) / 10,
    slowestPatient: { ours: slowest(oursPatientMs), cql: slowest(cqlPatientMs) },
    populationTotals: { ours: oursTotals, cql: cqlTotals },
    encountersInAPopulation,
    disagreements,
  };
}

export async function runCqlPeerComparison(options: { rounds?: number } = {}): Promise<PeerReport> {
  const rounds = options.rounds ?? 5;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`rounds must be a positive integer, got ${rounds}`);
  }
  const started = performance.now();

  let t = performance.now();
  const authorCases = await loadPatients(
    jsonFiles(`${CMS157_DIR}tests/`, (f) => f.includes('__')),
    (file) => basename(file, '.json').split('__')[0] ?? file,
  );
  const synthea = await loadPatients(
    [...jsonFiles(`${SYNTHEA_DIR}oncology/`), ...jsonFiles(`${SYNTHEA_DIR}non-oncology/`)],
    (file) => basename(file, '.json').replace(/_[0-9a-f]{8}-[0-9a-f-]{27}$/, ''),
  );
  const loadFixtures = performance.now() - t;

  t = performance.now();
  const terminology = new Terminology();
  const oursTerminology = performance.now() - t;

  t = performance.now();
  const libraryAndValueSets = await setUpCqlLibrary();
  const cqlLibraryAndValueSets = performance.now() - t;

  t = performance.now();
  const peer: CqlPeer = { ...libraryAndValueSets, patientSource: cqlfhir.PatientSource.FHIRv401() };
  const cqlPatientSource = performance.now() - t;

  const sets: SetDefinition[] = [
    {
      name: 'cms157-authors-mp2025',
      description: "the measure authors' 10 test cases, MP 2025",
      period: MP_2025,
      patients: authorCases,
    },
    {
      name: 'synthea-mp2025',
      description: '17 Synthea patients (11 oncology, 6 not), MP 2025',
      period: MP_2025,
      patients: synthea,
    },
    {
      name: 'synthea-mp2018',
      description: '17 Synthea patients (11 oncology, 6 not), MP 2018',
      period: MP_2018,
      patients: synthea,
    },
  ];
  const reports: PeerSetReport[] = [];
  for (const set of sets) {
    reports.push(await runSet(set, rounds, terminology, peer));
  }

  return {
    rounds,
    setupMs: {
      loadFixtures: round3(loadFixtures),
      oursTerminology: round3(oursTerminology),
      cqlLibraryAndValueSets: round3(cqlLibraryAndValueSets),
      cqlPatientSource: round3(cqlPatientSource),
    },
    cqlValueSetCodes: peer.valueSetCodes,
    engines: { cqlExecution: packageVersion('cql-execution'), cqlExecFhir: packageVersion('cql-exec-fhir') },
    totalMs: round3(performance.now() - started),
    sets: reports,
  };
}
