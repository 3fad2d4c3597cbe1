import { describe, expect, it } from 'vitest';
import { allRules } from '../../../src/rules/index.js';
import { inf020TreatmentIntent } from '../../../src/rules/infusion/inf-020-treatment-intent.js';
import {
  aChemo,
  aCode,
  anAdministration,
  anOrder,
  aPlan,
  aSupportive,
  CAPECITABINE_ATC,
  CARBOPLATIN,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  maRef,
  ONDANSETRON,
  PACLITAXEL,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-020 (treatment intent not documented), rule in isolation. JUDGMENT, off by default (catalogue: "off by
 * default"). Per its header: fires when an antineoplastic is given in this encounter and no mCODE
 * mcode-procedure-intent extension is recorded on an antineoplastic MedicationRequest, on a Procedure of the
 * encounter, or on an active CarePlan of the patient. Evaluated directly here, so it fires although it is off by
 * default.
 */

const rule = inf020TreatmentIntent;
const MA = maRef('ma-1');
const chemo = aChemo('ma-1', 0, 45);

const fires: readonly InfFiringCase[] = [
  { name: 'carboplatin given, no intent anywhere', resources: [chemo], params: {}, evidence: [MA] },
  {
    name: 'two antineoplastics given, both in evidence',
    resources: [chemo, aChemo('ma-2', 45, 90, { drug: PACLITAXEL })],
    params: {},
    evidence: [MA, maRef('ma-2')],
  },
  {
    name: 'in-progress pump infusion counts as given',
    resources: [aChemo('ma-1', 0, null, { status: 'in-progress', device: true })],
    params: {},
    evidence: [MA],
  },
  {
    name: 'oral antineoplastic given (intent is about the regimen, not the route)',
    resources: [anAdministration('ma-1', { drug: CAPECITABINE_ATC, route: 'oral' })],
    params: {},
    evidence: [MA],
  },
  {
    name: 'antineoplastic order without the intent extension',
    resources: [chemo, anOrder('mr-1', CARBOPLATIN, false)],
    params: {},
    evidence: [MA],
  },
  {
    name: 'intent only on a completed CarePlan (not active)',
    resources: [chemo, aPlan('cp-1', 'completed', true)],
    params: {},
    evidence: [MA],
  },
  {
    name: 'intent only on a revoked CarePlan',
    resources: [chemo, aPlan('cp-1', 'revoked', true)],
    params: {},
    evidence: [MA],
  },
  {
    name: 'active CarePlan without the intent extension',
    resources: [chemo, aPlan('cp-1', 'active', false)],
    params: {},
    evidence: [MA],
  },
  {
    name: 'intent only on a Procedure of another encounter',
    resources: [chemo, aCode('p-1', '96413', { intent: true, encounter: 'Encounter/enc-0' })],
    params: {},
    evidence: [MA],
  },
  {
    name: 'a not-done administration is not in evidence',
    resources: [chemo, aChemo('ma-x', 45, 90, { drug: PACLITAXEL, status: 'not-done' })],
    params: {},
    evidence: [MA],
  },
  {
    name: 'intent only on a supportive order (ondansetron), not on an antineoplastic order',
    resources: [chemo, anOrder('mr-1', ONDANSETRON, true)],
    params: {},
    evidence: [MA],
  },
];

const silent: readonly InfCase[] = [
  { name: 'intent on the antineoplastic MedicationRequest', resources: [chemo, anOrder('mr-1', CARBOPLATIN, true)] },
  { name: 'intent on a Procedure of this encounter', resources: [chemo, aCode('p-1', '96413', { intent: true })] },
  { name: 'intent on an active CarePlan', resources: [chemo, aPlan('cp-1', 'active', true)] },
  { name: 'no antineoplastic given (ondansetron only)', resources: [aSupportive('ma-s', 0, 20)] },
  { name: 'the antineoplastic is not-done', resources: [aChemo('ma-1', 0, 45, { status: 'not-done' })] },
  {
    name: 'the antineoplastic is entered-in-error',
    resources: [aChemo('ma-1', 0, 45, { status: 'entered-in-error' })],
  },
  { name: 'the antineoplastic is on-hold', resources: [aChemo('ma-1', 0, 45, { status: 'on-hold' })] },
  {
    name: 'the antineoplastic belongs to another encounter',
    resources: [aChemo('ma-1', 0, 45, { encounter: 'Encounter/enc-0' })],
  },
  { name: 'nothing documented', resources: [] },
];

describe('INF-020 treatment intent not documented', () => {
  it('is off by default (enabledByDefault false), and registered', () => {
    expect(rule.enabledByDefault).toBe(false);
    expect(allRules.find((r) => r.id === 'INF-020')).toBe(rule);
  });

  it.each(fires)('fires when evaluated directly: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
