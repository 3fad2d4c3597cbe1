import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { projectPath } from '../paths.js';
import { MAX_CODE_SYSTEM_LENGTH, MAX_REMEMBERED_CODINGS, MAX_REMEMBERED_SYSTEM_MATCHES } from '../config/limits.js';

/**
 * The value sets the code asks for. Start-up fails if any is missing from `terminology/` (the published-* sets are
 * generated into `terminology/generated/` by scripts/generate-terminology.ts and included by the hand-written ones).
 */
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
  'published-antineoplastic-drug',
  'published-analgesic-drug',
  'published-hydration-fluid',
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
    z.object({
      name: z.string(),
      uri: z.string(),
      aliases: z.array(z.string()),
      /**
       * Regular expressions for families of system URIs that name this system per tenant, as Oracle Health's
       * billing code systems do (`https://fhir.cerner.com/<tenant>/CodeSystem/BillCodes-CPT`).
       */
      aliasPatterns: z.array(z.string()).optional(),
      normalise: normaliserSchema,
    }),
  ),
});

const includeSchema = z.union([
  z.object({ system: z.string(), codes: z.array(z.object({ code: z.string(), display: z.string().optional() })) }),
  z.object({ system: z.string(), pattern: z.string(), note: z.string().optional() }),
  // Every member of another value set (hand-written or generated), resolved once all files are read.
  z.object({ valueSet: z.string(), note: z.string().optional() }).strict(),
]);

/** Where a generated value set's codes came from (scripts/generate-terminology.ts writes it). */
const provenanceSchema = z.object({
  repository: z.string(),
  path: z.string(),
  commit: z.string(),
  valueSet: z.string(),
  version: z.string().optional(),
  licence: z.string(),
});

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
       * with no code we know, e.g. "NS", "D5W"); RxNorm ingredient displays and the ingredient names of member codes
       * (drug-ingredients.json) are added to these automatically.
       */
      textNames: z.array(z.string().regex(/^[a-z0-9][a-z0-9 '-]*$/)).optional(),
      provenance: z.array(provenanceSchema).optional(),
    }),
  ),
});

/** terminology/generated/drug-ingredients.json: ingredient names per drug code, keyed by canonical system URI. */
const ingredientFileSchema = z.object({
  drugIngredients: z.record(z.string(), z.record(z.string(), z.array(z.string()).nonempty())),
});

export interface ValueSetInfo {
  readonly id: string;
  readonly title: string;
  readonly grounding: string;
  readonly source: string;
}

/** A coding's canonical system and normalised code, and the `system|code` key value sets are stored under. */
interface NormalisedCoding {
  readonly system: string;
  readonly code: string;
  readonly key: string;
}

interface CompiledValueSet {
  readonly info: ValueSetInfo;
  readonly keys: ReadonlySet<string>;
  /** Lower-case ingredient names of the set's RxNorm ingredient codes (displays without a strength or form). */
  readonly ingredientNames: ReadonlySet<string>;
  readonly patterns: readonly { readonly system: string; readonly regex: RegExp }[];
}

/** A value set as read from its file, before `{"valueSet": …}` includes are resolved. */
interface ParsedValueSet extends CompiledValueSet {
  readonly file: string;
  readonly includes: readonly string[];
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
  private readonly systemPatterns: { regex: RegExp; system: { uri: string; normalise: Normaliser } }[] = [];
  /** Pattern-matched system URIs seen so far (bounded: a request cannot grow it without limit). */
  private readonly patternHits = new Map<string, { uri: string; normalise: Normaliser } | undefined>();
  private readonly valueSets = new Map<string, CompiledValueSet>();
  /** Normalised codings by system as sent, then code as sent: a coding is normalised once, not per look-up. */
  private readonly normalised = new Map<string, Map<string, NormalisedCoding>>();
  private rememberedCodings = 0;
  /** Pattern results per value set and coding key (only value sets with patterns; bounded like the codings). */
  private readonly patternResults = new Map<CompiledValueSet, Map<string, boolean>>();
  private rememberedPatternResults = 0;

  private readonly ingredients = new Map<string, readonly string[]>();

  /**
   * Reads `code-systems.json`, every other `*.json` in `directory` and every `*.json` in `directory/generated`
   * (written by scripts/generate-terminology.ts). Value sets may include other value sets by id; includes are
   * flattened into one key set per value set after all files are read, so membership stays one hash lookup.
   * Throws at start-up on an unknown system, a duplicate id, an include of an unknown id or an include cycle.
   */
  constructor(directory: string = projectPath('terminology')) {
    const read = (file: string): unknown => JSON.parse(readFileSync(`${directory}/${file}`, 'utf8')) as unknown;
    for (const system of codeSystemsFileSchema.parse(read('code-systems.json')).systems) {
      for (const uri of [system.uri, ...system.aliases]) {
        this.canonicalSystem.set(uri, { uri: system.uri, normalise: system.normalise });
      }
      for (const pattern of system.aliasPatterns ?? []) {
        this.systemPatterns.push({
          regex: new RegExp(pattern),
          system: { uri: system.uri, normalise: system.normalise },
        });
      }
    }
    const jsonIn = (folder: string, prefix: string): string[] =>
      existsSync(folder)
        ? readdirSync(folder)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .map((f) => `${prefix}${f}`)
        : [];
    const files = [
      ...jsonIn(directory, '').filter((f) => f !== 'code-systems.json'),
      ...jsonIn(`${directory}/generated`, 'generated/'),
    ];
    const parsedSets = new Map<string, ParsedValueSet>();
    for (const file of files) {
      const content = read(file);
      if (typeof content === 'object' && content !== null && 'drugIngredients' in content) {
        this.readIngredients(file, content);
        continue;
      }
      const parsed = valueSetFileSchema.safeParse(content);
      if (!parsed.success) {
        throw new Error(`terminology/${file}: ${z.prettifyError(parsed.error)}`);
      }
      for (const vs of parsed.data.valueSets) {
        if (parsedSets.has(vs.id)) {
          throw new Error(`terminology/${file}: value set ${vs.id} is defined twice`);
        }
        parsedSets.set(vs.id, this.compile(vs, file));
      }
    }
    this.resolveIncludes(parsedSets);
    const missing = VALUE_SET_IDS.filter((id) => !this.valueSets.has(id));
    if (missing.length > 0) {
      throw new Error(`terminology/: value sets required by the rules are missing: ${missing.join(', ')}`);
    }
  }

  /** Flattens `{"valueSet": id}` includes depth-first; an unknown id or a cycle stops start-up with the path. */
  private resolveIncludes(parsedSets: ReadonlyMap<string, ParsedValueSet>): void {
    const resolving: string[] = [];
    const resolve = (id: string): CompiledValueSet => {
      const done = this.valueSets.get(id);
      if (done) {
        return done;
      }
      const vs = parsedSets.get(id);
      if (!vs) {
        throw new Error(`terminology/: unknown value set ${id}`);
      }
      if (resolving.includes(id)) {
        throw new Error(
          `terminology/: value-set include cycle: ${[...resolving.slice(resolving.indexOf(id)), id].join(' -> ')}`,
        );
      }
      resolving.push(id);
      const keys = new Set(vs.keys);
      const ingredientNames = new Set(vs.ingredientNames);
      for (const key of vs.keys) {
        this.ingredients.get(key)?.forEach((name) => ingredientNames.add(name.toLowerCase()));
      }
      const patterns = [...vs.patterns];
      for (const included of vs.includes) {
        if (!parsedSets.has(included)) {
          throw new Error(`terminology/${vs.file}: value set ${id} includes unknown value set ${included}`);
        }
        const member = resolve(included);
        for (const key of member.keys) {
          keys.add(key);
        }
        member.ingredientNames.forEach((name) => ingredientNames.add(name));
        patterns.push(...member.patterns.filter((p) => !patterns.includes(p)));
      }
      resolving.pop();
      const compiled: CompiledValueSet = { info: vs.info, keys, ingredientNames, patterns };
      this.valueSets.set(id, compiled);
      return compiled;
    };
    for (const id of [...parsedSets.keys()].sort()) {
      resolve(id);
    }
  }

  private readIngredients(file: string, content: unknown): void {
    const parsed = ingredientFileSchema.safeParse(content);
    if (!parsed.success) {
      throw new Error(`terminology/${file}: ${z.prettifyError(parsed.error)}`);
    }
    for (const [uri, codes] of Object.entries(parsed.data.drugIngredients)) {
      const system = this.canonicalSystem.get(uri);
      if (!system) {
        throw new Error(`terminology/${file}: drug-ingredient map uses unknown code system ${uri}`);
      }
      for (const [code, names] of Object.entries(codes)) {
        const key = `${system.uri}|${normaliseCode(code, system.normalise)}`;
        const merged = [...new Set([...(this.ingredients.get(key) ?? []), ...names])].sort();
        this.ingredients.set(key, merged);
      }
    }
  }

  private compile(vs: z.infer<typeof valueSetFileSchema>['valueSets'][number], file: string): ParsedValueSet {
    const keys = new Set<string>();
    const ingredientNames = new Set<string>(vs.textNames ?? []);
    const patterns: { system: string; regex: RegExp }[] = [];
    const includes: string[] = [];
    for (const include of vs.include) {
      if ('valueSet' in include) {
        includes.push(include.valueSet);
        continue;
      }
      const system = this.canonicalSystem.get(include.system);
      if (!system) {
        throw new Error(`terminology/${file}: value set ${vs.id} uses unknown code system ${include.system}`);
      }
      if ('codes' in include) {
        for (const { code, display } of include.codes) {
          keys.add(`${system.uri}|${normaliseCode(code, system.normalise)}`);
          // An RxNorm ingredient's display is its name ("carboplatin"); products carry strengths and forms.
          if (system.uri === RXNORM && display !== undefined && !/\d/.test(display)) {
            const name = display.toLowerCase();
            ingredientNames.add(name);
            // An ingredient code names itself: carboplatin as RxNorm 40048 and as J9045 are the same drug.
            const key = `${system.uri}|${normaliseCode(code, system.normalise)}`;
            this.ingredients.set(key, [...new Set([...(this.ingredients.get(key) ?? []), name])].sort());
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
      includes,
      file,
    };
  }

  private systemOf(uri: string): { uri: string; normalise: Normaliser } | undefined {
    const known = this.canonicalSystem.get(uri);
    if (known || this.systemPatterns.length === 0) {
      return known;
    }
    if (this.patternHits.has(uri)) {
      return this.patternHits.get(uri);
    }
    const matched =
      uri.length <= MAX_CODE_SYSTEM_LENGTH ? this.systemPatterns.find((p) => p.regex.test(uri)) : undefined;
    if (this.patternHits.size < MAX_REMEMBERED_SYSTEM_MATCHES) {
      this.patternHits.set(uri, matched?.system);
    }
    return matched?.system;
  }

  /** The canonical URI for a system URI or alias, or undefined when the system is not one we know. */
  canonical(system: string | undefined): string | undefined {
    return system === undefined ? undefined : this.systemOf(system)?.uri;
  }

  /** The coding normalised (canonical system, code spelling), memoised by the strings as sent. */
  private normalisedOf(system: string | undefined, code: string | undefined): NormalisedCoding | undefined {
    if (system === undefined || code === undefined) {
      return undefined;
    }
    const bySystem = this.normalised.get(system);
    const remembered = bySystem?.get(code);
    if (remembered) {
      return remembered;
    }
    const known = this.systemOf(system);
    if (!known) {
      return undefined;
    }
    const normalisedCode = normaliseCode(code, known.normalise);
    const result: NormalisedCoding = {
      system: known.uri,
      code: normalisedCode,
      key: `${known.uri}|${normalisedCode}`,
    };
    if (this.rememberedCodings < MAX_REMEMBERED_CODINGS) {
      this.rememberedCodings += 1;
      if (bySystem) {
        bySystem.set(code, result);
      } else {
        this.normalised.set(system, new Map([[code, result]]));
      }
    }
    return result;
  }

  /** True when the coding is in the value set. */
  has(valueSet: ValueSetId, coding: CodingLike): boolean {
    const vs = this.valueSets.get(valueSet);
    if (!vs) {
      return false;
    }
    const normalised = this.normalisedOf(coding.system, coding.code);
    if (!normalised) {
      return false;
    }
    if (vs.keys.has(normalised.key)) {
      return true;
    }
    if (vs.patterns.length === 0) {
      return false;
    }
    let results = this.patternResults.get(vs);
    const remembered = results?.get(normalised.key);
    if (remembered !== undefined) {
      return remembered;
    }
    const { system, code } = normalised;
    const matched = vs.patterns.some((p) => p.system === system && p.regex.test(code));
    if (this.rememberedPatternResults < MAX_REMEMBERED_CODINGS) {
      this.rememberedPatternResults += 1;
      if (!results) {
        results = new Map();
        this.patternResults.set(vs, results);
      }
      results.set(normalised.key, matched);
    }
    return matched;
  }

  /** A coding with its system made canonical and its code normalised; undefined for unknown systems. */
  normalise(coding: CodingLike): { system: string; code: string } | undefined {
    const normalised = this.normalisedOf(coding.system, coding.code);
    return normalised ? { system: normalised.system, code: normalised.code } : undefined;
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

  /**
   * The ingredient names of a drug code (RxNorm product, HCPCS J/Q code, NDC) from the generated drug-ingredient
   * map (terminology/generated/drug-ingredients.json), lower case, salt and biosimilar suffix removed, sorted;
   * several for a combination product. Codes are matched as for value sets (system aliases, NDC 10/11-digit with
   * or without hyphens, HCPCS case). Undefined when the code is not in the map.
   */
  ingredientsOf(coding: CodingLike): readonly string[] | undefined {
    const normalised = this.normalisedOf(coding.system, coding.code);
    return normalised ? this.ingredients.get(normalised.key) : undefined;
  }
}
