import type { Procedure } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { inf013MissingAdministrationCode } from '../../../src/rules/infusion/inf-013-missing-administration-code.js';
import {
  aChemo,
  aClaim,
  aCode,
  aHydration,
  anAdministration,
  aSupportive,
  BORTEZOMIB_ATC,
  CAPECITABINE_ATC,
  CPT,
  ENCOUNTER,
  expectFinding,
  FULVESTRANT_ATC,
  FULVESTRANT_J9395,
  FULVESTRANT_RXNORM,
  GEMCITABINE,
  HCPCS,
  type InfCase,
  type InfFiringCase,
  maRef,
  onlyFinding,
  PACLITAXEL,
  PATIENT,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-013 (antineoplastic given but no chemotherapy administration code), rule in isolation. Per its header and
 * oncology-rules.md INF-013 / 0.4: fires when a completed (or stopped) non-oral antineoplastic administration is
 * documented and no 96401-96549 or G0498 is on the encounter. It lists the codes the documentation supports (IV <= 15
 * min or documented push -> 96409, + 96411 per further pushed drug; IV >= 16 -> 96413 + 96415 per 0.4 + 96417 per
 * further sequential drug; intra-arterial 96420/96422/96423; SC/IM non-hormonal 96401, hormonal (ATC L02) 96402) and
 * proposes one completed Procedure per unit (CPT, subject, encounter, partOf the administration(s)). Silent for oral
 * drugs, in-progress ones, and when times or route are missing.
 */

const rule = inf013MissingAdministrationCode;
const MA = maRef('ma-1');

interface ExpectedProcedure {
  readonly code: string;
  readonly partOf: readonly string[];
}

interface ActionCase extends InfFiringCase {
  readonly procedures: readonly ExpectedProcedure[];
}

/** The Procedure INF-013 proposes for one unit of a code. */
const proposed = ({ code, partOf }: ExpectedProcedure): Procedure => ({
  resourceType: 'Procedure',
  status: 'completed',
  code: { coding: [{ system: CPT, code }] },
  subject: { reference: PATIENT },
  encounter: { reference: ENCOUNTER },
  partOf: partOf.map((reference) => ({ reference })),
});

const unit = (code: string, ...partOf: string[]): ExpectedProcedure => ({ code, partOf });

const fires: readonly ActionCase[] = [
  {
    name: 'IV 45 min -> 96413 × 1',
    resources: [aChemo('ma-1', 0, 45)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '45 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'boundary: IV 16 min -> 96413',
    resources: [aChemo('ma-1', 0, 16)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '16 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'boundary: IV 15 min (not documented as push) -> 96409',
    resources: [aChemo('ma-1', 0, 15)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '15 min', codes: '96409 × 1' },
    evidence: [MA],
    procedures: [unit('96409', MA)],
  },
  {
    name: 'boundary: IV 90 min -> 96413 only',
    resources: [aChemo('ma-1', 0, 90)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '90 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'IV 125 min -> 96413 + 96415 × 1',
    resources: [aChemo('ma-1', 0, 125)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '125 min', codes: '96413 × 1, 96415 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA), unit('96415', MA)],
  },
  {
    name: 'boundary: IV 151 min -> 96413 + 96415 × 2 (one Procedure per unit)',
    resources: [aChemo('ma-1', 0, 151)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '151 min', codes: '96413 × 1, 96415 × 2' },
    evidence: [MA],
    procedures: [unit('96413', MA), unit('96415', MA), unit('96415', MA)],
  },
  {
    name: 'documented push (30 min documented) -> 96409',
    resources: [aChemo('ma-1', 0, 30, { push: true })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: 'push', codes: '96409 × 1' },
    evidence: [MA],
    procedures: [unit('96409', MA)],
  },
  {
    name: 'documented push without times -> 96409',
    resources: [anAdministration('ma-1', { noEffective: true, push: true })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: 'push', codes: '96409 × 1' },
    evidence: [MA],
    procedures: [unit('96409', MA)],
  },
  {
    name: 'two different drugs in sequence -> 96413 + 96417',
    resources: [aChemo('ma-1', 0, 60), aChemo('ma-2', 60, 120, { drug: PACLITAXEL })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '60 min', codes: '96413 × 1, 96417 × 1' },
    evidence: [MA, maRef('ma-2')],
    procedures: [unit('96413', MA), unit('96417', maRef('ma-2'))],
  },
  {
    name: 'second bag of the same drug (30 + 30 min) -> 96413 only',
    resources: [aChemo('ma-1', 0, 30), aChemo('ma-2', 30, 60)],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '30 min', codes: '96413 × 1' },
    evidence: [MA, maRef('ma-2')],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'concurrent second drug -> 96413 only (no 96417)',
    resources: [aChemo('ma-1', 0, 60), aChemo('ma-2', 30, 80, { drug: PACLITAXEL })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '60 min', codes: '96413 × 1' },
    evidence: [MA, maRef('ma-2')],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'push then a different pushed drug -> 96409 + 96411',
    resources: [aChemo('ma-1', 0, 5), aChemo('ma-2', 10, 15, { drug: PACLITAXEL })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '5 min', codes: '96409 × 1, 96411 × 1' },
    evidence: [MA, maRef('ma-2')],
    procedures: [unit('96409', MA), unit('96411', maRef('ma-2'))],
  },
  {
    name: 'intra-arterial 125 min -> 96422 + 96423',
    resources: [aChemo('ma-1', 0, 125, { route: 'ia' })],
    params: { drug: 'carboplatin', route: 'intra-arterial', minutes: '125 min', codes: '96422 × 1, 96423 × 1' },
    evidence: [MA],
    procedures: [unit('96422', MA), unit('96423', MA)],
  },
  {
    name: 'SC non-hormonal (bortezomib, ATC L01XG01) -> 96401',
    resources: [anAdministration('ma-1', { drug: BORTEZOMIB_ATC, route: 'sc', start: 0, end: 1 })],
    params: { drug: 'bortezomib', route: 'injection', minutes: '1 min', codes: '96401 × 1' },
    evidence: [MA],
    procedures: [unit('96401', MA)],
  },
  {
    name: 'SC non-hormonal without times -> 96401 (injections need no times)',
    resources: [anAdministration('ma-1', { drug: BORTEZOMIB_ATC, route: 'sc', noEffective: true })],
    params: { drug: 'bortezomib', route: 'injection', minutes: '', codes: '96401 × 1' },
    evidence: [MA],
    procedures: [unit('96401', MA)],
  },
  {
    name: 'SC fulvestrant by ATC L02BA03 -> 96402',
    resources: [anAdministration('ma-1', { drug: FULVESTRANT_ATC, route: 'sc', start: 0, end: 2 })],
    params: { drug: 'fulvestrant', route: 'injection', minutes: '2 min', codes: '96402 × 1' },
    evidence: [MA],
    procedures: [unit('96402', MA)],
  },
  {
    name: 'IM fulvestrant by ATC L02BA03 -> 96402',
    resources: [anAdministration('ma-1', { drug: FULVESTRANT_ATC, route: 'im', start: 0, end: 2 })],
    params: { drug: 'fulvestrant', route: 'injection', minutes: '2 min', codes: '96402 × 1' },
    evidence: [MA],
    procedures: [unit('96402', MA)],
  },
  {
    name: 'SC fulvestrant by RxNorm 282357 -> 96402',
    resources: [anAdministration('ma-1', { drug: FULVESTRANT_RXNORM, route: 'sc', start: 0, end: 2 })],
    params: { drug: 'fulvestrant', route: 'injection', minutes: '2 min', codes: '96402 × 1' },
    evidence: [MA],
    procedures: [unit('96402', MA)],
  },
  {
    name: 'IM fulvestrant billed as HCPCS J9395 only -> 96402',
    resources: [anAdministration('ma-1', { drug: FULVESTRANT_J9395, route: 'im', start: 0, end: 2 })],
    params: { drug: 'Injection, fulvestrant, 25 mg', route: 'injection', minutes: '2 min', codes: '96402 × 1' },
    evidence: [MA],
    procedures: [unit('96402', MA)],
  },
  {
    name: 'stopped infusion counts as given',
    resources: [aChemo('ma-1', 0, 45, { status: 'stopped' })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '45 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'not-done and entered-in-error administrations are ignored',
    resources: [
      aChemo('ma-x', 0, 200, { status: 'not-done', drug: PACLITAXEL }),
      aChemo('ma-e', 0, 200, { status: 'entered-in-error', drug: GEMCITABINE }),
      aChemo('ma-1', 0, 45),
    ],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '45 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'only non-chemotherapy codes billed (96360 for hydration)',
    resources: [aHydration('ma-h', -60, 0), aChemo('ma-1', 0, 45), aCode('p-h', '96360')],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '45 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
  {
    name: 'the chemo code is a not-done Procedure',
    resources: [aChemo('ma-1', 0, 45), aCode('p-1', '96413', { status: 'not-done' })],
    params: { drug: 'carboplatin', route: 'intravenous', minutes: '45 min', codes: '96413 × 1' },
    evidence: [MA],
    procedures: [unit('96413', MA)],
  },
];

const silent: readonly InfCase[] = [
  { name: '96413 documented as a Procedure', resources: [aChemo('ma-1', 0, 45), aCode('p-1', '96413')] },
  { name: '96413 as a draft Claim line', resources: [aChemo('ma-1', 0, 45), aClaim(['96413'])] },
  {
    name: 'a different chemo code (96409) is on the encounter',
    resources: [aChemo('ma-1', 0, 45), aCode('p-1', '96409')],
  },
  {
    name: 'G0498 (HCPCS) is on the encounter',
    resources: [aChemo('ma-1', 0, 45), aCode('p-1', 'G0498', { system: HCPCS })],
  },
  {
    name: 'oral antineoplastic (capecitabine)',
    resources: [anAdministration('ma-1', { drug: CAPECITABINE_ATC, route: 'oral', start: 0, end: 0 })],
  },
  { name: 'IV, no end (times missing: INF-001)', resources: [aChemo('ma-1', 0, null)] },
  { name: 'IV, no start (times missing: INF-002)', resources: [aChemo('ma-1', null, 45)] },
  {
    name: 'IV, date-only effectiveDateTime',
    resources: [anAdministration('ma-1', { effectiveDateTime: '2025-03-04' })],
  },
  {
    name: 'one of two IV drugs lacks times',
    resources: [aChemo('ma-1', 0, 45), aChemo('ma-2', 45, null, { drug: PACLITAXEL })],
  },
  { name: 'route not documented', resources: [anAdministration('ma-1', { route: null })] },
  {
    name: 'in-progress (pump running: INF-010)',
    resources: [aChemo('ma-1', 0, null, { status: 'in-progress', device: true })],
  },
  { name: 'not-done', resources: [aChemo('ma-1', 0, 45, { status: 'not-done' })] },
  { name: 'entered-in-error', resources: [aChemo('ma-1', 0, 45, { status: 'entered-in-error' })] },
  { name: 'on-hold', resources: [aChemo('ma-1', 0, 45, { status: 'on-hold' })] },
  { name: 'supportive drug only (ondansetron)', resources: [aSupportive('ma-s', 0, 15)] },
  { name: 'hydration only', resources: [aHydration('ma-h', 0, 60)] },
  { name: 'nothing documented', resources: [] },
];

describe('INF-013 antineoplastic given but no chemotherapy administration code', () => {
  it.each(fires)('fires: $name', (row) => {
    const finding = expectFinding(rule, row);
    expect(finding.actions?.map((a) => a.type)).toEqual(row.procedures.map(() => 'create'));
    expect(finding.actions?.map((a) => a.resource)).toEqual(row.procedures.map(proposed));
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  /*
   * "One completed Procedure per unit ... partOf the administration": each proposed unit names the one administration
   * it codes, so that INF-003's one-to-one link (Procedure.partOf) works on the Procedures the card creates.
   */
  it('three drugs in sequence, the second 125 min: 96413 + 96415 + 96417 × 2, each unit partOf its own administration', () => {
    const finding = expectFinding(rule, {
      name: 'three drugs',
      resources: [
        aChemo('ma-1', 0, 60),
        aChemo('ma-2', 60, 185, { drug: PACLITAXEL }),
        aChemo('ma-3', 185, 215, { drug: GEMCITABINE }),
      ],
      params: {
        drug: 'carboplatin',
        route: 'intravenous',
        minutes: '60 min',
        codes: '96413 × 1, 96415 × 1, 96417 × 2',
      },
      evidence: [MA, maRef('ma-2'), maRef('ma-3')],
    });
    expect(finding.actions?.map((a) => a.resource)).toEqual(
      [unit('96413', MA), unit('96415', maRef('ma-2')), unit('96417', maRef('ma-2')), unit('96417', maRef('ma-3'))].map(
        proposed,
      ),
    );
  });

  it('two long infusions of different drugs: each 96415 unit partOf the infusion whose hour it is', () => {
    const finding = onlyFinding(rule, [aChemo('ma-1', 0, 125), aChemo('ma-2', 125, 250, { drug: PACLITAXEL })]);
    expect(finding.params.codes).toBe('96413 × 1, 96415 × 2, 96417 × 1');
    expect(finding.actions?.map((a) => a.resource)).toEqual(
      [unit('96413', MA), unit('96415', MA), unit('96415', maRef('ma-2')), unit('96417', maRef('ma-2'))].map(proposed),
    );
  });

  it('proposes completed CPT Procedures of this patient and encounter, partOf the administration, one per unit', () => {
    const finding = onlyFinding(rule, [aChemo('ma-1', 0, 211)]);
    const resources = (finding.actions ?? []).map((a) => a.resource as Procedure);
    expect(resources.map((r) => r.code?.coding?.[0]?.code)).toEqual(['96413', '96415', '96415', '96415']);
    for (const resource of resources) {
      expect(resource.resourceType).toBe('Procedure');
      expect(resource.status).toBe('completed');
      expect(resource.code?.coding?.[0]?.system).toBe('http://www.ama-assn.org/go/cpt');
      expect(resource.subject.reference).toBe('Patient/pat-1');
      expect(resource.encounter?.reference).toBe('Encounter/enc-1');
      expect(resource.partOf).toEqual([{ reference: 'MedicationAdministration/ma-1' }]);
    }
  });
});
