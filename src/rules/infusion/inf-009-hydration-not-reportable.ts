import { SYSTEM } from '../../terminology/systems.js';
import { referenceKey } from '../../fhir/references.js';
import type { Rule } from '../types.js';
import { isIntravascular, overlapInTime, type AdministrationFact } from '../../facts/administrations.js';
import { isHydrationReportable } from './time-rules.js';

/*
 * INF-009 Hydration not separately reportable (CODER). FIRM (secondary): hydration is not reported when it lasts 30
 * minutes or less, runs concurrently with another infusion, or only carries the drug / keeps the line open [S13d, S14,
 * S15]. Fires when 96360 or 96361 is billed and a hydration administration (crystalloid) of the encounter is 30
 * minutes or less (site setting; one payer uses 15 [S14]), overlaps an antineoplastic or other drug infusion, or is
 * part of another administration (partOf). Silent when the hydration lacks times, and when no hydration code is billed.
 * Not implementable from FHIR data: "its own medical indication" for sequential hydration (then 59/X modifiers per
 * payer) is a free-text judgment; override reason "separately-indicated".
 */
export const inf009HydrationNotReportable: Rule = {
  id: 'INF-009',
  title: 'Hydration not separately reportable',
  grounding: 'FIRM (secondary)',
  sources: [
    'AAPC, avoid infusion confusion [S13d]',
    'Select Health hydration policy [S14]',
    'CMS IOM 100-04 ch.12 30.5 via [S15]',
  ],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['minutes', 'reason'] },
  evaluate({ facts, settings }) {
    const hydrationCodes = facts.codes.all.filter(
      (c) => c.system === SYSTEM.cpt && (c.code === '96360' || c.code === '96361'),
    );
    if (hydrationCodes.length === 0) {
      return [];
    }
    const administrations = facts.administrations;
    const drugs = administrations.filter((f) => f.drug.drugClass !== 'hydration' && isIntravascular(f));
    for (const hydration of administrations.filter(
      (f) => f.drug.drugClass === 'hydration' && f.minutes !== undefined,
    )) {
      const minutes = hydration.minutes ?? 0;
      const carrier = hydration.partOf.some((p) => drugs.some((d) => d.reference === referenceKey(p)));
      const concurrent = drugs.find((d) => overlapInTime(hydration, d) || stillRunningDuring(d, hydration));
      const reason = carrier
        ? 'used as carrier'
        : concurrent
          ? `concurrent with ${concurrent.drug.name}`
          : !isHydrationReportable(minutes, settings.hydrationMinimumMinutes)
            ? `≤${settings.hydrationMinimumMinutes} min`
            : undefined;
      if (reason !== undefined) {
        return [
          {
            params: { minutes: String(minutes), reason },
            evidence: [
              hydration.reference,
              ...(concurrent ? [concurrent.reference] : []),
              ...hydrationCodes.map((c) => c.reference),
            ],
          },
        ];
      }
    }
    return [];
  },
};

/** A drug infusion still running (in-progress, no end yet) overlaps a hydration that ended after the drug started. */
function stillRunningDuring(drug: AdministrationFact, hydration: AdministrationFact): boolean {
  return (
    drug.status === 'in-progress' &&
    drug.endMs === undefined &&
    drug.startMs !== undefined &&
    hydration.endMs !== undefined &&
    drug.startMs < hydration.endMs
  );
}
