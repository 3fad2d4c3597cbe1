import { inf001StopTimeMissing } from './infusion/inf-001-stop-time-missing.js';
import { pain001ChemoPainNotQuantified } from './pain/pain-001-chemo-pain-not-quantified.js';
import { pain002RadiationPainNotQuantified } from './pain/pain-002-radiation-pain-not-quantified.js';
import { pain003PainPlanMissing } from './pain/pain-003-pain-plan-missing.js';
import { pain004Add0521F } from './pain/pain-004-add-0521f.js';
import { pain005Add1125F1126F } from './pain/pain-005-add-1125f-1126f.js';
import { pain006CategoryIiConflict } from './pain/pain-006-category-ii-conflict.js';
import { pain007CategoryIiModifiers } from './pain/pain-007-category-ii-modifiers.js';
import type { Rule } from './types.js';

/** Every rule the service knows, in catalogue order. Adding a rule means adding it here and a template in cards/. */
export const allRules: readonly Rule[] = [
  pain001ChemoPainNotQuantified,
  pain002RadiationPainNotQuantified,
  pain003PainPlanMissing,
  pain004Add0521F,
  pain005Add1125F1126F,
  pain006CategoryIiConflict,
  pain007CategoryIiModifiers,
  inf001StopTimeMissing,
];
