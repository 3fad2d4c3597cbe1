import { describe, expect, it } from 'vitest';
import { inf006InitialCodeHierarchy } from '../../../src/rules/infusion/inf-006-initial-code-hierarchy.js';
import { defaultRuleSettings } from '../../../src/config/rule-settings.js';
import {
  aChemo,
  aClaim,
  aCode,
  aDiagnosis,
  aHydration,
  anAdministration,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  lineRef,
  maRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-006 (initial code does not follow the hierarchy), rule in isolation. Per its header and oncology-rules.md
 * INF-006: fires when an IV or intra-arterial antineoplastic was given, a non-chemotherapy initial code (96360, 96365,
 * 96369, 96374) is billed and no chemotherapy initial code (96409, 96413, 96416, 96420, 96422, 96425) is; in a
 * facility always, in an office only when Z51.11/Z51.12 is coded. Setting 'unknown' (the default): silent. The
 * suggested code is 96409 when every chemo was a push, else 96413.
 */

const rule = inf006InitialCodeHierarchy;
const MA = maRef('ma-1');
const facility = { careSetting: 'facility' } as const;
const office = { careSetting: 'office' } as const;
const chemo = aChemo('ma-1', 30, 90);
const hydration = aHydration('ma-h', 0, 30);

const fires: readonly InfFiringCase[] = [
  {
    name: 'facility: chemo infusion, 96365 billed as initial (Procedure), no chemo initial code',
    resources: [chemo, aCode('p-1', '96365'), aCode('p-2', '96417')],
    settings: facility,
    params: { code: '96413', billed: '96365' },
    evidence: [MA, procRef('p-1')],
  },
  {
    name: 'facility: hydration 96360 billed as initial, chemo billed as 96411 add-on',
    resources: [hydration, chemo, aCode('p-1', '96360'), aCode('p-2', '96411')],
    settings: facility,
    params: { code: '96413', billed: '96360' },
    evidence: [MA, procRef('p-1')],
  },
  {
    name: 'facility: 96365 and 96360 both billed, as draft Claim lines',
    resources: [chemo, aClaim(['96365', '96360'])],
    settings: facility,
    params: { code: '96413', billed: '96365, 96360' },
    evidence: [MA, lineRef(1), lineRef(2)],
  },
  {
    name: 'facility: documented chemo push only, 96374 billed: suggest 96409',
    resources: [aChemo('ma-1', 0, 5, { push: true }), aCode('p-1', '96374')],
    settings: facility,
    params: { code: '96409', billed: '96374' },
    evidence: [MA, procRef('p-1')],
  },
  {
    name: 'facility: intra-arterial chemo, 96369 billed',
    resources: [aChemo('ma-1', 0, 60, { route: 'ia' }), aCode('p-1', '96369')],
    settings: facility,
    params: { code: '96413', billed: '96369' },
    evidence: [MA, procRef('p-1')],
  },
  {
    name: 'office: Z51.11 coded, 96365 billed as initial',
    resources: [chemo, aDiagnosis('dx-1', 'Z51.11'), aCode('p-1', '96365')],
    settings: office,
    params: { code: '96413', billed: '96365' },
    evidence: [MA, procRef('p-1')],
  },
  {
    name: 'office: Z51.12 coded, 96360 billed as initial',
    resources: [chemo, aDiagnosis('dx-1', 'Z51.12'), aDiagnosis('dx-2', 'C50.911'), aCode('p-1', '96360')],
    settings: office,
    params: { code: '96413', billed: '96360' },
    evidence: [MA, procRef('p-1')],
  },
];

const silent: readonly InfCase[] = [
  {
    name: "setting 'unknown' (the default): suppressed",
    resources: [chemo, aCode('p-1', '96365')],
  },
  {
    name: "setting 'unknown' given explicitly, Z51.11 coded",
    resources: [chemo, aDiagnosis('dx-1', 'Z51.11'), aCode('p-1', '96365')],
    settings: { careSetting: 'unknown' },
  },
  {
    name: 'office: no Z51.11/Z51.12 (visit for another reason)',
    resources: [chemo, aDiagnosis('dx-1', 'E86.0'), aCode('p-1', '96360')],
    settings: office,
  },
  {
    name: 'office: no diagnosis at all',
    resources: [chemo, aCode('p-1', '96365')],
    settings: office,
  },
  {
    name: 'facility: chemo initial 96413 is billed next to 96365',
    resources: [chemo, aCode('p-1', '96413'), aCode('p-2', '96365')],
    settings: facility,
  },
  ...['96409', '96416', '96420', '96422', '96425'].map((code): InfCase => ({
    name: `facility: chemo initial ${code} is billed next to 96360`,
    resources: [chemo, aCode('p-1', code), aCode('p-2', '96360')],
    settings: facility,
  })),
  {
    name: 'facility: only 96413 billed',
    resources: [chemo, aCode('p-1', '96413')],
    settings: facility,
  },
  {
    name: 'facility: nothing billed (INF-013)',
    resources: [chemo],
    settings: facility,
  },
  {
    name: 'facility: no antineoplastic given (hydration only, 96360)',
    resources: [aHydration('ma-h', 0, 60), aCode('p-1', '96360')],
    settings: facility,
  },
  {
    name: 'facility: antineoplastic given SC only (injection), 96365 billed for another drug',
    resources: [anAdministration('ma-1', { route: 'sc', start: 0, end: 2 }), aCode('p-1', '96365')],
    settings: facility,
  },
  {
    name: 'facility: the IV chemo is not-done',
    resources: [aChemo('ma-1', 0, 60, { status: 'not-done' }), aCode('p-1', '96365')],
    settings: facility,
  },
  {
    name: 'facility: the IV chemo is entered-in-error',
    resources: [aChemo('ma-1', 0, 60, { status: 'entered-in-error' }), aCode('p-1', '96365')],
    settings: facility,
  },
  {
    name: 'facility: the non-chemo initial code is a not-done Procedure',
    resources: [chemo, aCode('p-1', '96365', { status: 'not-done' })],
    settings: facility,
  },
];

describe('INF-006 initial code does not follow the hierarchy', () => {
  it("defaults to careSetting 'unknown'", () => {
    expect(defaultRuleSettings.careSetting).toBe('unknown');
  });

  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources, settings }) => {
    expect(run(rule, resources, settings !== undefined ? { settings } : {})).toEqual([]);
  });
});
