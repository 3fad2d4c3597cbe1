/*
 * Counts, per rule, the fixture encounters it fires on: every encounter of every patient in
 * ../shared/fixtures/external, evaluated as if it were being signed. `npx tsx scripts/fixture-report.ts [--json]`.
 */
import { loadFhirResources } from '../src/devtools/memory-fhir-server.js';
import { groupByPatient } from '../src/fhir/grouping.js';
import { focusSnapshot } from '../src/fhir/focus.js';
import { indexPatient } from '../src/fhir/patient-index.js';
import { projectPath } from '../src/paths.js';
import { evaluateSnapshot } from '../src/rules/run-rules.js';
import { allRules } from '../src/rules/index.js';
import { defaultRuleSettings } from '../src/config/rule-settings.js';
import { Terminology } from '../src/terminology/terminology.js';
import { administrationCases } from '../test-support/administration-cases.js';

const external = projectPath('..', 'shared', 'fixtures', 'external');
const sets: Record<string, string[]> = {
  'cms157-tests': [`${external}/ecqm-cms157-oncology-pain-intensity/tests`],
  'synthea-oncology': [`${external}/synthea-smart-generated-sample-data/oncology`],
  'synthea-non-oncology': [`${external}/synthea-smart-generated-sample-data/non-oncology`],
  'hl7-medadmin': [`${external}/hl7-fhir-r4-core-examples-medadmin`],
  mcode: [`${external}/hl7-mcode-ig-examples`],
};

const terminology = new Terminology();
const deps = {
  rules: allRules.filter((r) => r.enabledByDefault),
  terminology,
  settings: defaultRuleSettings,
};

export interface FixtureCounts {
  readonly set: string;
  readonly patients: number;
  readonly encounters: number;
  readonly fired: Record<string, number>;
}

export async function fixtureCounts(): Promise<FixtureCounts[]> {
  const out: FixtureCounts[] = [];
  for (const [set, paths] of Object.entries(sets)) {
    const { resources } = await loadFhirResources(paths.filter((p) => !p.endsWith('.md')));
    const patients = groupByPatient(resources.map((resource) => ({ resource })));
    const fired: Record<string, number> = {};
    let encounters = 0;
    for (const patient of patients) {
      const index = indexPatient({ patientId: patient.patientId, resources: patient.resources });
      for (const encounter of index.lists.Encounter) {
        encounters += 1;
        const result = evaluateSnapshot(focusSnapshot(index, encounter.id), deps);
        for (const finding of result.findings) {
          fired[finding.ruleId] = (fired[finding.ruleId] ?? 0) + 1;
        }
      }
    }
    out.push({ set, patients: patients.length, encounters, fired });
  }
  return out;
}

/** INF rules per administration: each HL7 / mCODE administration around a matching encounter. */
export async function administrationCounts(): Promise<
  { set: string; administrations: number; fired: Record<string, number> }[]
> {
  const infRules = deps.rules.filter((r) => r.id.startsWith('INF-'));
  const out = [];
  for (const set of ['hl7-medadmin', 'mcode'] as const) {
    const fired: Record<string, number> = {};
    const cases = await administrationCases(sets[set]?.[0] ?? '');
    for (const { snapshot } of cases) {
      for (const finding of evaluateSnapshot(snapshot, { ...deps, rules: infRules }).findings) {
        fired[finding.ruleId] = (fired[finding.ruleId] ?? 0) + 1;
      }
    }
    out.push({ set, administrations: cases.length, fired });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const counts = await fixtureCounts();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(counts, null, 2));
  } else {
    const header = ['rule', ...counts.map((c) => c.set), 'total'];
    console.log(header.join('\t'));
    console.log(['patients / encounters', ...counts.map((c) => `${c.patients} / ${c.encounters}`), ''].join('\t'));
    for (const rule of allRules) {
      const row = counts.map((c) => c.fired[rule.id] ?? 0);
      console.log([rule.id, ...row, row.reduce((a, b) => a + b, 0)].join('\t'));
    }
    const perAdministration = await administrationCounts();
    console.log(
      `\nINF rules per administration\t${perAdministration.map((c) => `${c.set} (${String(c.administrations)})`).join('\t')}`,
    );
    for (const rule of allRules.filter((r) => r.id.startsWith('INF-'))) {
      console.log([rule.id, ...perAdministration.map((c) => c.fired[rule.id] ?? 0)].join('\t'));
    }
  }
}
