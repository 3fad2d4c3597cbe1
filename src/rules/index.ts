import { dx001Z51First } from './diagnosis/dx-001-z51-first.js';
import { dx002Z51WithoutNeoplasm } from './diagnosis/dx-002-z51-without-neoplasm.js';
import { dx003WrongZ51 } from './diagnosis/dx-003-wrong-z51.js';
import { dx004HistoryCodeDuringTreatment } from './diagnosis/dx-004-history-code-during-treatment.js';
import { dx005ActiveCodeAfterResolution } from './diagnosis/dx-005-active-code-after-resolution.js';
import { dx006G893Sequencing } from './diagnosis/dx-006-g893-sequencing.js';
import { dx007G893WithG892 } from './diagnosis/dx-007-g893-with-g892.js';
import { dx008SitePainWithG893 } from './diagnosis/dx-008-site-pain-with-g893.js';
import { dx009MetastaticSiteFirst } from './diagnosis/dx-009-metastatic-site-first.js';
import { dx010SecondaryWithoutPrimary } from './diagnosis/dx-010-secondary-without-primary.js';
import { dx011ChemoWithoutDiagnosis } from './diagnosis/dx-011-chemo-without-diagnosis.js';
import { dx012UnspecifiedSite } from './diagnosis/dx-012-unspecified-site.js';
import { dx013CancerNotOnProblemList } from './diagnosis/dx-013-cancer-not-on-problem-list.js';
import { inf001StopTimeMissing } from './infusion/inf-001-stop-time-missing.js';
import { inf002StartTimeMissing } from './infusion/inf-002-start-time-missing.js';
import { inf003PushInfusionMismatch } from './infusion/inf-003-push-infusion-mismatch.js';
import { inf004AdditionalHourUnits } from './infusion/inf-004-additional-hour-units.js';
import { inf005TwoInitialCodes } from './infusion/inf-005-two-initial-codes.js';
import { inf006InitialCodeHierarchy } from './infusion/inf-006-initial-code-hierarchy.js';
import { inf007AddOnWithoutPrimary } from './infusion/inf-007-add-on-without-primary.js';
import { inf008SequentialChemoCount } from './infusion/inf-008-sequential-chemo-count.js';
import { inf009HydrationNotReportable } from './infusion/inf-009-hydration-not-reportable.js';
import { inf010ProlongedPump } from './infusion/inf-010-prolonged-pump.js';
import { inf011PumpRefillRecord } from './infusion/inf-011-pump-refill-record.js';
import { inf012PortFlushWithOtherServices } from './infusion/inf-012-port-flush-with-other-services.js';
import { inf013MissingAdministrationCode } from './infusion/inf-013-missing-administration-code.js';
import { inf014CodeWithoutAntineoplastic } from './infusion/inf-014-code-without-antineoplastic.js';
import { inf015IncompleteRecord } from './infusion/inf-015-incomplete-record.js';
import { inf016JzMissing } from './infusion/inf-016-jz-missing.js';
import { inf017WastageMismatch } from './infusion/inf-017-wastage-mismatch.js';
import { inf018EmWithAdministration } from './infusion/inf-018-em-with-administration.js';
import { inf019BundledAccess } from './infusion/inf-019-bundled-access.js';
import { inf020TreatmentIntent } from './infusion/inf-020-treatment-intent.js';
import { pain001ChemoPainNotQuantified } from './pain/pain-001-chemo-pain-not-quantified.js';
import { pain002RadiationPainNotQuantified } from './pain/pain-002-radiation-pain-not-quantified.js';
import { pain003PainPlanMissing } from './pain/pain-003-pain-plan-missing.js';
import { pain004Add0521F } from './pain/pain-004-add-0521f.js';
import { pain005Add1125F1126F } from './pain/pain-005-add-1125f-1126f.js';
import { pain006CategoryIiConflict } from './pain/pain-006-category-ii-conflict.js';
import { pain007CategoryIiModifiers } from './pain/pain-007-category-ii-modifiers.js';
import type { Rule } from './types.js';

/** Every rule the service knows, in catalogue order. Adding a rule: docs/adding-a-rule.md. */
export const allRules: readonly Rule[] = [
  pain001ChemoPainNotQuantified,
  pain002RadiationPainNotQuantified,
  pain003PainPlanMissing,
  pain004Add0521F,
  pain005Add1125F1126F,
  pain006CategoryIiConflict,
  pain007CategoryIiModifiers,
  inf001StopTimeMissing,
  inf002StartTimeMissing,
  inf003PushInfusionMismatch,
  inf004AdditionalHourUnits,
  inf005TwoInitialCodes,
  inf006InitialCodeHierarchy,
  inf007AddOnWithoutPrimary,
  inf008SequentialChemoCount,
  inf009HydrationNotReportable,
  inf010ProlongedPump,
  inf011PumpRefillRecord,
  inf012PortFlushWithOtherServices,
  inf013MissingAdministrationCode,
  inf014CodeWithoutAntineoplastic,
  inf015IncompleteRecord,
  inf016JzMissing,
  inf017WastageMismatch,
  inf018EmWithAdministration,
  inf019BundledAccess,
  inf020TreatmentIntent,
  dx001Z51First,
  dx002Z51WithoutNeoplasm,
  dx003WrongZ51,
  dx004HistoryCodeDuringTreatment,
  dx005ActiveCodeAfterResolution,
  dx006G893Sequencing,
  dx007G893WithG892,
  dx008SitePainWithG893,
  dx009MetastaticSiteFirst,
  dx010SecondaryWithoutPrimary,
  dx011ChemoWithoutDiagnosis,
  dx012UnspecifiedSite,
  dx013CancerNotOnProblemList,
];
