import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';

/*
 * INF-011 Portable pump refill (96521) documentation (CODER + CLIN). Code meaning FIRM: 96521 refilling and
 * maintenance of a portable pump, 96522 implantable pump or reservoir [S16]. Which elements the refill record needs
 * (drug, dose, lot, expiry, start time, the pump) is JUDGMENT / best practice from seed 001.
 * Fires when 96521 or 96522 is billed and the antineoplastic administration of this encounter (the refill) lacks any
 * of: a coded drug, dosage.dose, Medication.batch.lotNumber, Medication.batch.expirationDate, a start time, device.
 * Variant (JUDGMENT, older payer guidance [S16b]): 96521 and 96416 for the same pump on the same encounter.
 * Silent when no antineoplastic administration is documented for the encounter (nothing to check).
 */
export const inf011PumpRefillRecord: Rule = {
  id: 'INF-011',
  title: 'Portable pump refill (96521) documentation',
  grounding: 'JUDGMENT',
  sources: ['ASCO JOP 2010 (96521/96522) [S16]', 'Seed 001 (refill documentation)', 'AAPC pump scenario [S16b]'],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code', 'missing'], 'with-initiation': [] },
  evaluate({ facts }) {
    const codes = facts.codes.all.filter((c) => c.system === SYSTEM.cpt);
    const refill = codes.filter((c) => c.code === '96521' || c.code === '96522');
    if (refill.length === 0) {
      return [];
    }
    const chemo = facts.administrations.filter((f) => f.drug.drugClass === 'antineoplastic');
    const refilled = chemo.find((f) => f.hasDevice) ?? chemo[0];
    if (!refilled) {
      return [];
    }
    const missing = [
      refilled.drug.codings.length === 0 ? 'drug code' : undefined,
      refilled.dose === undefined ? 'dose' : undefined,
      refilled.batch?.lotNumber === undefined ? 'lot' : undefined,
      refilled.batch?.expirationDate === undefined ? 'expiry' : undefined,
      refilled.start === undefined ? 'start time' : undefined,
      refilled.hasDevice ? undefined : 'pump',
    ].filter((m): m is string => m !== undefined);
    if (missing.length > 0) {
      return [
        {
          params: { code: refill[0]?.code ?? '96521', missing: missing.join(', ') },
          evidence: [refilled.reference, ...refill.map((c) => c.reference)],
        },
      ];
    }
    if (refill.some((c) => c.code === '96521') && codes.some((c) => c.code === '96416')) {
      return [
        {
          variant: 'with-initiation',
          params: { code: '96521', missing: '' },
          evidence: [
            refilled.reference,
            ...codes.filter((c) => c.code === '96416' || c.code === '96521').map((c) => c.reference),
          ],
        },
      ];
    }
    return [];
  },
};
