import { audienceOf, type Audience } from '../../cds/audience.js';
import type { RuleMode } from '../../config/site-file.js';

/*
 * The alert burden each rule would have: cards per 100 encounters, as the audit finds them (every encounter signed
 * once, before the card budget and before override memory, so an upper bound of what clinicians and coders would see),
 * per rule and per audience (src/cds/audience.ts). A site reads it before switching a rule on, or out of shadow.
 */

export interface RuleBurden {
  readonly audience: readonly Audience[];
  readonly mode: RuleMode;
  readonly cards: number;
  readonly per100Encounters: number;
}

export interface AudienceBurden {
  readonly rules: number;
  readonly cards: number;
  readonly per100Encounters: number;
}

export interface Burden {
  readonly encounters: number;
  readonly perRule: Record<string, RuleBurden>;
  /** A rule for both audiences counts in both. Rules in shadow or off count too: this is what they would cost. */
  readonly perAudience: Record<Audience, AudienceBurden>;
  /** The cards the active rules would return, and those the shadow and off rules would add. */
  readonly perMode: Partial<Record<RuleMode, AudienceBurden>>;
}

const per100 = (cards: number, encounters: number): number =>
  encounters === 0 ? 0 : Math.round((10_000 * cards) / encounters) / 100;

export function computeBurden(
  findings: Readonly<Record<string, number>>,
  encounters: number,
  modeOf: (ruleId: string) => RuleMode,
): Burden {
  const perRule: Record<string, RuleBurden> = {};
  const sum = (ids: readonly string[]): AudienceBurden => {
    const cards = ids.reduce((n, id) => n + (findings[id] ?? 0), 0);
    return { rules: ids.length, cards, per100Encounters: per100(cards, encounters) };
  };
  const ids = Object.keys(findings).sort();
  for (const id of ids) {
    const cards = findings[id] ?? 0;
    perRule[id] = {
      audience: audienceOf(id),
      mode: modeOf(id),
      cards,
      per100Encounters: per100(cards, encounters),
    };
  }
  const perMode: Partial<Record<RuleMode, AudienceBurden>> = {};
  for (const mode of ['active', 'shadow', 'off'] as const) {
    const of = ids.filter((id) => perRule[id]?.mode === mode);
    if (of.length > 0) {
      perMode[mode] = sum(of);
    }
  }
  return {
    encounters,
    perRule,
    perAudience: {
      clinician: sum(ids.filter((id) => audienceOf(id).includes('clinician'))),
      coder: sum(ids.filter((id) => audienceOf(id).includes('coder'))),
    },
    perMode,
  };
}
