/*
 * The time arithmetic of drug-administration coding (oncology-rules.md section 0.4). D is whole minutes from
 * effectivePeriod.start to .end. CPT words every threshold as "greater than"; sources per function.
 */

/** Push: 15 minutes or less [S10, S13c] (a documented push with the professional present is a push whatever D). */
export const PUSH_MAX_MINUTES = 15;
/** Prolonged infusion with a pump (96416/96425): more than 8 hours [S16]. */
export const PROLONGED_MIN_MINUTES = 8 * 60;
/** Hydration (96360) is reportable only above 30 minutes [S13d]; one payer says 15 [S14]: a site setting. */
export const DEFAULT_HYDRATION_MIN_MINUTES = 30;

export function isPushDuration(minutes: number): boolean {
  return minutes <= PUSH_MAX_MINUTES;
}

/**
 * Additional-hour units (96415, 96423, 96366, 96361): each needs more than 30 minutes beyond the last full hour, and
 * the base code covers up to 90 minutes, so 16-90 min = 0, 91-150 = 1, 151-210 = 2 [S13a, S13b].
 */
export function addOnHourUnits(minutes: number): number {
  return minutes <= 90 ? 0 : Math.ceil((minutes - 90) / 60);
}

export function isHydrationReportable(minutes: number, minimumMinutes = DEFAULT_HYDRATION_MIN_MINUTES): boolean {
  return minutes > minimumMinutes;
}

export function isProlongedInfusion(minutes: number): boolean {
  return minutes > PROLONGED_MIN_MINUTES;
}
