import { inf001StopTimeMissing } from './infusion/inf-001-stop-time-missing.js';
import type { Rule } from './types.js';

/** Every rule the service knows, in catalogue order. Adding a rule means adding it here and a template in cards/. */
export const allRules: readonly Rule[] = [inf001StopTimeMissing];
