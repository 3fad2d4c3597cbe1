import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { projectPath } from '../paths.js';

/** The value sets the rules ask for. Start-up fails if any is missing from `terminology/`. */
export const VALUE_SET_IDS = [
  'antineoplastic-drug',
  'route-intravascular',
  'administration-method-push',
  'cms157-cancer',
  'cms157-chemotherapy-administration',
  'cms157-radiation-treatment-management',
  'cms157-pain-assessment-tool',
  'cms157-office-visit',
  'cms157-telehealth-encounter',
  'icd10-malignancy-or-uncertain',
  'icd10-in-situ-neoplasm',
  'icd10-primary-malignancy',
  'icd10-secondary-malignancy',
  'icd10-malignancy-without-site',
  'icd10-malignancy-in-remission',
  'icd10-personal-history-of-malignancy',
  'icd10-antineoplastic-therapy-encounter',
  'icd10-chronic-pain-nec',
  'icd10-site-of-pain',
  'pain-condition',
  'pain-intensity-instrument',
  'analgesic-drug',
  'pain-plan-service',
  'evaluation-and-management-visit',
  'chemotherapy-administration-code',
  'radiation-delivery',
  'immunotherapy-drug',
  'hormonal-antineoplastic-drug',
  'route-subcutaneous-or-intramuscular',
  'route-oral',
  'hydration-fluid',
  'supportive-oncology-drug',
  'initial-administration-code',
  'chemotherapy-initial-code',
  'drug-administration-code',
  'bundled-access-code',
] as const;
export type ValueSetId = (typeof VALUE_SET_IDS)[number];

/** A coding as FHIR sends it; every field optional because real data omits them. */
export interface CodingLike {
  readonly system?: string | undefined;
  readonly code?: string | undefined;
  readonly display?: string | undefined;
}

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const normaliserSchema = z.enum(['trim', 'upper', 'icd10', 'ndc']);
type Normaliser = z.infer<typeof normaliserSchema>;

const codeSystemsFileSchema = z.object({
  systems: z.array(
    z.object({ name: z.string(), uri: z.string(), aliases: z.array(z.string()), normalise: normaliserSchema }),
  ),
});

const includeSchema = z.union([
  z.object({ system: z.string(), codes: z.array(z.object({ code: z.string(), display: z.string().optional() })) }),
  z.object({ system: z.string(), pattern: z.string(), note: z.string().optional() }),
]);

const valueSetFileSchema = z.object({
  valueSets: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      grounding: z.enum(['FIRM', 'FIRM (secondary)', 'JUDGMENT']),
      source: z.string(),
      include: z.array(includeSchema),
      /**
       * Lower-case names a record's free text may use for members (JUDGMENT: the documented fallback for drugs sent
       * with no code we know, e.g. "NS", "D5W"); RxNorm ingredient displays are added to these automatically.
       */
      textNames: z.array(z.string().regex(/^[a-z0-9][a-z0-9 '-]*$/)).optional(),
    }),
  ),
});

export interface ValueSetInfo {
  readonly id: string;
  readonly title: string;
  readonly grounding: string;
  readonly source: string;
}

interface CompiledValueSet {
  readonly info: ValueSetInfo;
  readonly keys: ReadonlySet<string>;
  /** Lower-case ingredient names of the set's RxNorm ingredient codes (displays without a strength or form). */
  readonly ingredientNames: ReadonlySet<string>;
  readonly patterns: readonly { readonly system: string; readonly regex: RegExp }[];
}

function normaliseCode(code: string, how: Normaliser): string {
  const trimmed = code.trim();
  switch (how) {
    case 'trim':
      return trimmed;
    case 'upper':
      return trimmed.toUpperCase();
    case 'icd10': {
      // EHRs send ICD-10-CM both dotted (C50.911) and undotted (C50911).
      const compact = trimmed.toUpperCase().replace('.', '');
      return compact.length > 3 ? `${compact.slice(0, 3)}.${compact.slice(3)}` : compact;
    }
    case 'ndc':
      return normaliseNdc(trimmed);
  }
}

/** NDCs arrive as 10-digit 4-4-2, 5-3-2 or 5-4-1 with hyphens, or as the 11-digit 5-4-2 billing form. */
function normaliseNdc(ndc: string): string {
  const parts = ndc.split('-');
  if (parts.length === 3) {
    const [labeler = '', product = '', pkg = ''] = parts;
    return labeler.padStart(5, '0') + product.padStart(4, '0') + pkg.padStart(2, '0');
  }
  return ndc.replace(/\D/g, '');
}

/**
 * Code systems and value sets, loaded once from `terminology/*.json`, answering membership in O(1)
 * (plus a handful of pattern checks for ranges such as HCPCS J9xxx). Codings are matched by (system, code)
 * after mapping system aliases (OIDs etc.) to the canonical URI and normalising the code's spelling.
 */
export class Terminology {
  private readonly canonicalSystem = new Map<string, { uri: string; normalise: Normaliser }>();
  private readonly valueSets = new Map<string, CompiledValueSet>();

  constructor(directory: string = projectPath('terminology')) {
    const files = readdirSync(directory)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const read = (file: string): unknown => JSON.parse(readFileSync(`${directory}/${file}`, 'utf8')) as unknown;
    for (const system of codeSystemsFileSchema.parse(read('code-systems.json')).systems) {
      for (const uri of [system.uri, ...system.aliases]) {
        this.canonicalSystem.set(uri, { uri: system.uri, normalise: system.normalise });
      }
    }
    for (const file of files.filter((f) => f !== 'code-systems.json')) {
      const parsed = valueSetFileSchema.safeParse(read(file));
      if (!parsed.success) {
        throw new Error(`terminology/${file}: ${z.prettifyError(parsed.error)}`);
      }
      for (const vs of parsed.data.valueSets) {
        if (this.valueSets.has(vs.id)) {
          throw new Error(`terminology/${file}: value set ${vs.id} is defined twice`);
        }
        this.valueSets.set(vs.id, this.compile(vs, file));
      }
    }
    const missing = VALUE_SET_IDS.filter((id) => !this.valueSets.has(id));
    if (missing.length > 0) {
      throw new Error(`terminology/: value sets required by the rules are missing: ${missing.join(', ')}`);
    }
  }

  private compile(vs: z.infer<typeof valueSetFileSchema>['valueSets'][number], file: string): CompiledValueSet {
    const keys = new Set<string>();
    const ingredientNames = new Set<string>(vs.textNames ?? []);
    const patterns: { system: string; regex: RegExp }[] = [];
    for (const include of vs.include) {
      const system = this.canonicalSystem.get(include.system);
      if (!system) {
        throw new Error(`terminology/${file}: value set ${vs.id} uses unknown code system ${include.system}`);
      }
      if ('codes' in include) {
        for (const { code, display } of include.codes) {
          keys.add(`${system.uri}|${normaliseCode(code, system.normalise)}`);
          // An RxNorm ingredient's display is its name ("carboplatin"); products carry strengths and forms.
          if (system.uri === RXNORM && display !== undefined && !/\d/.test(display)) {
            ingredientNames.add(display.toLowerCase());
          }
        }
      } else {
        patterns.push({ system: system.uri, regex: new RegExp(include.pattern) });
      }
    }
    return {
      info: { id: vs.id, title: vs.title, grounding: vs.grounding, source: vs.source },
      keys,
      ingredientNames,
      patterns,
    };
  }

  /** The canonical URI for a system URI or alias, or undefined when the system is not one we know. */
  canonical(system: string | undefined): string | undefined {
    return system === undefined ? undefined : this.canonicalSystem.get(system)?.uri;
  }

  /** True when the coding is in the value set. */
  has(valueSet: ValueSetId, coding: CodingLike): boolean {
    const vs = this.valueSets.get(valueSet);
    if (!vs || coding.system === undefined || coding.code === undefined) {
      return false;
    }
    const system = this.canonicalSystem.get(coding.system);
    if (!system) {
      return false;
    }
    const code = normaliseCode(coding.code, system.normalise);
    if (vs.keys.has(`${system.uri}|${code}`)) {
      return true;
    }
    return vs.patterns.some((p) => p.system === system.uri && p.regex.test(code));
  }

  /** A coding with its system made canonical and its code normalised; undefined for unknown systems. */
  normalise(coding: CodingLike): { system: string; code: string } | undefined {
    if (coding.system === undefined || coding.code === undefined) {
      return undefined;
    }
    const system = this.canonicalSystem.get(coding.system);
    return system ? { system: system.uri, code: normaliseCode(coding.code, system.normalise) } : undefined;
  }

  /** The first coding of the list that is in the value set. */
  match(valueSet: ValueSetId, codings: readonly CodingLike[] | undefined): CodingLike | undefined {
    return codings?.find((c) => this.has(valueSet, c));
  }

  /** The ingredient names the value set lists (for the documented name fallback when a drug carries no known code). */
  ingredientNames(valueSet: ValueSetId): ReadonlySet<string> {
    return this.valueSets.get(valueSet)?.ingredientNames ?? new Set();
  }

  info(valueSet: ValueSetId): ValueSetInfo | undefined {
    return this.valueSets.get(valueSet)?.info;
  }
}
