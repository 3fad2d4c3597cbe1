import { describe, expect, it } from 'vitest';
import { inf001StopTimeMissing } from '../../../src/rules/infusion/inf-001-stop-time-missing.js';
import { inf002StartTimeMissing } from '../../../src/rules/infusion/inf-002-start-time-missing.js';
import {
  aChemo,
  aHydration,
  anAdministration,
  at,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  maRef,
  PACLITAXEL,
  run,
  VANCOMYCIN,
} from '../../../test-support/inf-builders.js';

/*
 * INF-002 (infusion start time missing), rule in isolation. Per its header and oncology-rules.md INF-002 ("as INF-001"):
 * fires for a completed or stopped IV / intra-arterial antineoplastic administration whose start has no time of day
 * (no effective[x], a period with an end only, or a date-only value such as mCODE's "2018-04-22"). Silent for
 * in-progress, documented pushes, other routes, not-done and entered-in-error. One finding for all such drugs.
 */

const rule = inf002StartTimeMissing;

const fires: readonly InfFiringCase[] = [
  {
    name: 'no effective[x] at all',
    resources: [anAdministration('ma-1', { noEffective: true })],
    params: { drug: 'carboplatin', documented: 'nothing' },
    evidence: [maRef('ma-1')],
  },
  {
    name: 'effectivePeriod with an end but no start',
    resources: [aChemo('ma-1', null, 45)],
    params: { drug: 'carboplatin', documented: 'nothing' },
    evidence: [maRef('ma-1')],
  },
  {
    name: 'date-only effectiveDateTime (mCODE style)',
    resources: [anAdministration('ma-1', { effectiveDateTime: '2025-03-04' })],
    params: { drug: 'carboplatin', documented: '2025-03-04' },
    evidence: [maRef('ma-1')],
  },
  {
    name: 'date-only effectivePeriod.start with a timed end',
    resources: [
      {
        ...aChemo('ma-1', null, null),
        effectivePeriod: { start: '2025-03-04', end: at(45) },
      },
    ],
    params: { drug: 'carboplatin', documented: '2025-03-04' },
    evidence: [maRef('ma-1')],
  },
  {
    name: 'stopped, no start',
    resources: [aChemo('ma-1', null, 45, { status: 'stopped' })],
    params: { drug: 'carboplatin', documented: 'nothing' },
    evidence: [maRef('ma-1')],
  },
  {
    name: 'intra-arterial route',
    resources: [aChemo('ma-1', null, 45, { route: 'ia' })],
    params: { drug: 'carboplatin', documented: 'nothing' },
    evidence: [maRef('ma-1')],
  },
  {
    name: 'two drugs without start: one finding naming both',
    resources: [aChemo('ma-1', null, 45), aChemo('ma-2', null, 100, { drug: PACLITAXEL })],
    params: { drug: 'carboplatin and paclitaxel', documented: 'nothing' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'one complete and one without start: only the latter',
    resources: [aChemo('ma-ok', 0, 45), aChemo('ma-2', null, 100, { drug: PACLITAXEL })],
    params: { drug: 'paclitaxel', documented: 'nothing' },
    evidence: [maRef('ma-2')],
  },
  {
    name: 'an entered-in-error copy next to the real one (only the real one counts)',
    resources: [aChemo('ma-err', null, 45, { status: 'entered-in-error' }), aChemo('ma-1', null, 45)],
    params: { drug: 'carboplatin', documented: 'nothing' },
    evidence: [maRef('ma-1')],
  },
];

const silent: readonly InfCase[] = [
  { name: 'control: start and end documented', resources: [aChemo('ma-1', 0, 45)] },
  { name: 'start with time, no end (INF-001, not INF-002)', resources: [aChemo('ma-1', 0, null)] },
  { name: 'in-progress without start', resources: [aChemo('ma-1', null, null, { status: 'in-progress' })] },
  { name: 'not-done without start', resources: [aChemo('ma-1', null, 45, { status: 'not-done' })] },
  { name: 'entered-in-error without start', resources: [aChemo('ma-1', null, 45, { status: 'entered-in-error' })] },
  { name: 'on-hold without start', resources: [aChemo('ma-1', null, 45, { status: 'on-hold' })] },
  { name: 'documented push without times', resources: [anAdministration('ma-1', { noEffective: true, push: true })] },
  { name: 'subcutaneous, no times', resources: [anAdministration('ma-1', { noEffective: true, route: 'sc' })] },
  {
    name: 'oral, date only',
    resources: [anAdministration('ma-1', { effectiveDateTime: '2025-03-04', route: 'oral' })],
  },
  { name: 'route not documented', resources: [anAdministration('ma-1', { noEffective: true, route: null })] },
  { name: 'hydration without start', resources: [aHydration('ma-1', null, 45)] },
  {
    name: 'non-antineoplastic (vancomycin) without start',
    resources: [aChemo('ma-1', null, 45, { drug: VANCOMYCIN })],
  },
  {
    name: 'administration of another encounter',
    resources: [aChemo('ma-1', null, 45, { encounter: 'Encounter/enc-2' })],
  },
];

describe('INF-002 infusion start time missing', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  it('date-only effectiveDateTime: INF-002 fires and INF-001 stays silent (one card, not two)', () => {
    const resources = [anAdministration('ma-1', { effectiveDateTime: '2025-03-04' })];
    expect(run(rule, resources).map((f) => f.ruleId)).toEqual(['INF-002']);
    expect(run(inf001StopTimeMissing, resources)).toEqual([]);
  });

  it('start with a time and no end: INF-001 fires and INF-002 stays silent', () => {
    const resources = [aChemo('ma-1', 0, null)];
    expect(run(rule, resources)).toEqual([]);
    expect(run(inf001StopTimeMissing, resources).map((f) => f.ruleId)).toEqual(['INF-001']);
  });
});
