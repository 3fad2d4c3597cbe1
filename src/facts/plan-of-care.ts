import type { Reference } from 'fhir/r4.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology } from '../terminology/terminology.js';
import { SYSTEM } from '../terminology/systems.js';
import type { BilledCode } from './billed-codes.js';
import { codingsOf } from './concepts.js';
import type { OrderFact } from './treatment.js';

/*
 * Evidence of a plan of care for pain documented at this visit (PAIN-003's list; JUDGMENT: no standard says how FHIR
 * proves a pain plan): an active CarePlan for pain (US Core CarePlan with `addresses` or an activity code), an
 * analgesic order (the drug named inline or through a contained or referenced Medication, by ingredient or product
 * code: drugs.ts), a pain or palliative referral or procedure, and 0521F itself.
 */

/** A draft CarePlan may still be discarded; a revoked or completed one is no plan for this visit. */
const livePlanStatuses = new Set(['active']);
/** Orders and referrals that were withdrawn or never valid plan nothing. */
const voidOrderStatuses = new Set(['entered-in-error', 'cancelled', 'revoked']);

function addressesPain(
  snapshot: PatientSnapshot,
  references: readonly Reference[] | undefined,
  terminology: Terminology,
): boolean {
  return (references ?? []).some((reference) => {
    const target = snapshot.resolve(reference);
    return (
      target?.resourceType === 'Condition' && terminology.match('pain-condition', target.code?.coding) !== undefined
    );
  });
}

export function painPlanEvidence(
  snapshot: PatientSnapshot,
  terminology: Terminology,
  ordersToday: readonly OrderFact[],
  codes: readonly BilledCode[],
): string[] {
  const evidence: string[] = [];
  const here = snapshot.thisEncounter;
  for (const plan of here.carePlans) {
    if (!livePlanStatuses.has(plan.status)) {
      continue;
    }
    const activityCodes = (plan.activity ?? []).flatMap((a) => a.detail?.code?.coding ?? []);
    if (addressesPain(snapshot, plan.addresses, terminology) || terminology.match('pain-plan-service', activityCodes)) {
      evidence.push(`CarePlan/${plan.id ?? ''}`);
    }
  }
  for (const order of ordersToday) {
    if (!voidOrderStatuses.has(order.request.status) && order.drug.analgesic) {
      evidence.push(order.reference);
    }
  }
  for (const request of here.serviceRequests) {
    if (voidOrderStatuses.has(request.status)) {
      continue;
    }
    if (
      terminology.match('pain-plan-service', request.code?.coding) !== undefined ||
      addressesPain(snapshot, request.reasonReference, terminology) ||
      terminology.match('pain-condition', codingsOf(request.reasonCode)) !== undefined
    ) {
      evidence.push(`ServiceRequest/${request.id ?? ''}`);
    }
  }
  for (const procedure of here.procedures) {
    if (
      procedure.status !== 'not-done' &&
      terminology.match('pain-plan-service', procedure.code?.coding) !== undefined
    ) {
      evidence.push(`Procedure/${procedure.id ?? ''}`);
    }
  }
  const planCodes = codes.filter((c) => c.system === SYSTEM.cpt && c.code === '0521F' && !c.modifiers.includes('8P'));
  evidence.push(...planCodes.map((c) => c.reference));
  return [...new Set(evidence)];
}
