import { readdirSync } from 'node:fs';
import type { Bundle, MeasureReport, Patient } from 'fhir/r4.js';
import { buildSnapshot, type PatientSnapshot, type SourcedResource } from '../src/fhir/snapshot.js';
import { externalFixtures, readJson } from './fixtures.js';

export const CMS157_DIR = `${externalFixtures}ecqm-cms157-oncology-pain-intensity/tests/`;

export interface MeasureCase {
  readonly name: string;
  readonly patientId: string;
  readonly resources: readonly SourcedResource[];
  readonly snapshot: PatientSnapshot;
  /** Expected population counts from the authors' MeasureReport, keyed like `InitialPopulation_1`. */
  readonly expected: Readonly<Record<string, number>>;
}

/** The measure authors' 10 test cases: each a transaction Bundle with its expected MeasureReport. */
export function loadMeasureCases(): MeasureCase[] {
  return readdirSync(CMS157_DIR)
    .filter((f) => f.includes('__'))
    .sort()
    .map((file) => {
      const bundle = readJson<Bundle>(`${CMS157_DIR}${file}`);
      const resources = (bundle.entry ?? []).map((e) => ({ resource: e.resource, fullUrl: e.fullUrl }));
      const patient = resources
        .map((r) => r.resource)
        .find((r): r is Patient => (r as Patient | undefined)?.resourceType === 'Patient');
      const report = resources
        .map((r) => r.resource)
        .find((r): r is MeasureReport => (r as MeasureReport | undefined)?.resourceType === 'MeasureReport');
      const expected: Record<string, number> = {};
      for (const group of report?.group ?? []) {
        for (const population of group.population ?? []) {
          const code = population.id ?? population.code?.coding?.[0]?.code ?? '';
          expected[code] = population.count ?? 0;
        }
      }
      const patientId = patient?.id ?? '';
      return {
        name: file.split('__')[0] ?? file,
        patientId,
        resources,
        snapshot: buildSnapshot({ patientId, resources }).snapshot,
        expected,
      };
    });
}
