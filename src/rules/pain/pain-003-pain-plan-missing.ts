import type { Rule } from '../types.js';
import { painPlanSituation } from './pain-plan-rules.js';

/*
 * PAIN-003 Pain present but no plan of care documented (CLIN).
 * FIRM for the requirement: MIPS #144 numerator, a documented plan of care to address pain at the visit [S5, S6,
 * S8, S9]. JUDGMENT for the detector: plan evidence is a pain CarePlan, an analgesic order, a pain/palliative
 * referral or procedure, or 0521F, documented in this encounter (pain-visit.ts painPlanEvidence).
 * Silent when: any plan evidence exists (PAIN-004 takes over), the last score says no pain, the only score is 77565-0,
 * the visit is not a chemotherapy or RT visit for active cancer, or a non-E/M chemo visit (site setting).
 * Not implementable from FHIR data: "patient declined treatment, documented" has no standard representation; such a
 * visit is left to the clinician's override ("patient-declined").
 */
export const pain003PainPlanMissing: Rule = {
  id: 'PAIN-003',
  title: 'Pain present but no plan of care documented',
  grounding: 'FIRM',
  sources: [
    'MIPS Quality #144 Oncology: Plan of Care for Pain, numerator (CBE 0383) [S5, S6]',
    'Quality-data codes 0521F / 0521F-8P [S8]; EOM 4b pain present = score > 0 [S9]',
  ],
  reads: [
    'Encounter',
    'Condition',
    'Procedure',
    'MedicationAdministration',
    'Observation',
    'CarePlan',
    'MedicationRequest',
    'ServiceRequest',
  ],
  enabledByDefault: true,
  card: { default: ['score'] },
  evaluate(context) {
    const situation = painPlanSituation(context);
    if (!situation || situation.plan.length > 0) {
      return [];
    }
    return [
      {
        params: { score: situation.score.display ?? 'pain' },
        evidence: [situation.score.reference, ...situation.visitEvidence],
      },
    ];
  },
};
