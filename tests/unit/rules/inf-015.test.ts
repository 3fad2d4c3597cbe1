import type { MedicationAdministration } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { inf015IncompleteRecord } from '../../../src/rules/infusion/inf-015-incomplete-record.js';
import {
  aChemo,
  anAdministration,
  aSupportive,
  BORTEZOMIB_ATC,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  maRef,
  PACLITAXEL,
  run,
  VANCOMYCIN,
} from '../../../test-support/inf-builders.js';

/*
 * INF-015 (incomplete antineoplastic administration record), rule in isolation. Per its header and oncology-rules.md
 * INF-015: (default, warning) an antineoplastic administration lacks dosage.route or dosage.dose; (variant rate, info)
 * an IV infusion (not a push) lacks dosage.rate[x]. Route/dose findings come before the rate one. "Missing coded drug"
 * is not implementable (an uncoded drug cannot be recognised as an antineoplastic) and is not tested.
 */

const rule = inf015IncompleteRecord;
const MA = maRef('ma-1');

/** The administration with dosage.rateRatio instead of rateQuantity. */
function withRateRatio(administration: MedicationAdministration): MedicationAdministration {
  const { rateQuantity: _dropped, ...dosage } = administration.dosage ?? {};
  return {
    ...administration,
    dosage: {
      ...dosage,
      rateRatio: { numerator: { value: 500, unit: 'mL' }, denominator: { value: 2, unit: 'h' } },
    },
  };
}

const fires: readonly InfFiringCase[] = [
  {
    name: 'no route',
    resources: [aChemo('ma-1', 0, 45, { route: null })],
    params: { drug: 'carboplatin', missing: 'route' },
    evidence: [MA],
  },
  {
    name: 'no dose',
    resources: [aChemo('ma-1', 0, 45, { dose: null })],
    params: { drug: 'carboplatin', missing: 'dose' },
    evidence: [MA],
  },
  {
    name: 'neither route nor dose',
    resources: [aChemo('ma-1', 0, 45, { route: null, dose: null })],
    params: { drug: 'carboplatin', missing: 'route and dose' },
    evidence: [MA],
  },
  {
    name: 'two drugs, one without route, one without dose',
    resources: [aChemo('ma-1', 0, 45, { route: null }), aChemo('ma-2', 45, 90, { drug: PACLITAXEL, dose: null })],
    params: { drug: 'carboplatin and paclitaxel', missing: 'route and dose' },
    evidence: [MA, maRef('ma-2')],
  },
  {
    name: 'SC antineoplastic without dose',
    resources: [anAdministration('ma-1', { drug: BORTEZOMIB_ATC, route: 'sc', dose: null, rate: false })],
    params: { drug: 'bortezomib', missing: 'dose' },
    evidence: [MA],
  },
  {
    name: 'no dose and no rate: the warning wins over the rate info',
    resources: [aChemo('ma-1', 0, 45, { dose: null, rate: false })],
    params: { drug: 'carboplatin', missing: 'dose' },
    evidence: [MA],
  },
  {
    name: 'in-progress pump infusion without dose',
    resources: [aChemo('ma-1', 0, null, { dose: null, status: 'in-progress', device: true })],
    params: { drug: 'carboplatin', missing: 'dose' },
    evidence: [MA],
  },
  {
    name: 'rate: IV infusion of 45 min without rate',
    resources: [aChemo('ma-1', 0, 45, { rate: false })],
    variant: 'rate',
    params: { drug: 'carboplatin', missing: 'rate' },
    evidence: [MA],
  },
  {
    name: 'rate: boundary 16 min infusion without rate',
    resources: [aChemo('ma-1', 0, 16, { rate: false })],
    variant: 'rate',
    params: { drug: 'carboplatin', missing: 'rate' },
    evidence: [MA],
  },
  {
    name: 'rate: IV without times (cannot be a push by duration) and without rate',
    resources: [aChemo('ma-1', 0, null, { rate: false })],
    variant: 'rate',
    params: { drug: 'carboplatin', missing: 'rate' },
    evidence: [MA],
  },
];

const silent: readonly InfCase[] = [
  { name: 'complete IV infusion (route, dose, rateQuantity)', resources: [aChemo('ma-1', 0, 45)] },
  { name: 'complete IV infusion with rateRatio', resources: [withRateRatio(aChemo('ma-1', 0, 45))] },
  { name: 'boundary: 15 min IV (a push) without rate', resources: [aChemo('ma-1', 0, 15, { rate: false })] },
  { name: 'documented push of 30 min without rate', resources: [aChemo('ma-1', 0, 30, { push: true, rate: false })] },
  {
    name: 'SC antineoplastic without rate',
    resources: [anAdministration('ma-1', { drug: BORTEZOMIB_ATC, route: 'sc', rate: false })],
  },
  {
    name: 'intra-arterial infusion without rate (rate check is IV only)',
    resources: [aChemo('ma-1', 0, 45, { route: 'ia', rate: false })],
  },
  {
    name: 'non-antineoplastic without route or dose (vancomycin)',
    resources: [aChemo('ma-1', 0, 45, { drug: VANCOMYCIN, route: null, dose: null })],
  },
  {
    name: 'supportive drug without dose or rate',
    resources: [aSupportive('ma-s', 0, 30, { dose: null, rate: false })],
  },
  { name: 'not-done without dose', resources: [aChemo('ma-1', 0, 45, { status: 'not-done', dose: null })] },
  {
    name: 'entered-in-error without route',
    resources: [aChemo('ma-1', 0, 45, { status: 'entered-in-error', route: null })],
  },
  { name: 'no administrations', resources: [] },
];

describe('INF-015 incomplete antineoplastic administration record', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
