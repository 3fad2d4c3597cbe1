/*
 * Generates the published drug value sets and the drug-ingredient map in terminology/generated/ from value sets
 * published in public repositories (VSAC expansions in the CMS eCQM repositories, the AHRQ CDS Connect pain
 * management artifacts, the CMS HCPCS Level II file). The source files are NOT kept in this repository: fetch them
 * first (each into <sources>/<owner>/<repo>/<path>, at the commit named in the config) and pass that folder:
 *
 *   npx tsx scripts/generate-terminology.ts --sources /work/vsac-sources
 *   npx tsx scripts/generate-terminology.ts --sources DIR [--config scripts/terminology-sources.json] [--out DIR]
 *
 * The config (scripts/terminology-sources.json) names, for each generated value set, its source files with their
 * repository, commit, path, value-set URL/OID and licence, and how codes are selected; every output value set
 * carries that provenance and the command line that produced it. Output is deterministic: sets, systems and codes
 * are sorted, there is no timestamp, and the JSON is formatted with the repository's prettier config.
 *
 * Source formats read:
 * - fhir-valueset: a FHIR ValueSet resource; members are expansion.contains (nested contains flattened), or
 *   compose.include[].concept when it has no expansion. VSAC caps an expansion page at 1,000 codes: a file whose
 *   expansion.total is larger than what it contains is reported (the codes it has are still used).
 * - cql-exec-vsac-db: the valueset-db.json cache written by cql-exec-vsac ({oid: {version: [{code, system}]}});
 *   it has no displays, so its codes get ingredient names only from a display source.
 * - cms-hcpcs-markdown: the CMS HCPCS Level II alpha-numeric file as a markdown table
 *   (| HCPC | SEQNUM | RECID | LONG DESCRIPTION | SHORT DESCRIPTION |), one row per code.
 *
 * Selection per source (all optional): codePattern (regex on the code), exclude (codes left out, each with its
 * reason), byIngredient (keep a code only when it has parsed ingredient names and every one of them is the single
 * ingredient of some code selected directly for the same set: how HCPCS drug codes outside the chemotherapy
 * section, and Q5xxx biosimilars, are matched to a class). Display sources only lend displays to codes that a
 * member source lists without one.
 *
 * Ingredient naming convention (the drug-ingredient map, terminology/generated/drug-ingredients.json):
 * - RxNorm clinical/branded drugs (SCD/SBD, "carboplatin 10 MG/ML Injectable Solution", "... [Paraplatin]"):
 *   the brand in [...] is dropped; leading quantity factors and qualitative distinctions ("1.5 ML", "12 HR",
 *   "Abuse-Deterrent", "3-Month") are dropped; the display is split on " / " into components and each component's
 *   ingredient is the text before its first strength ("<number> <UNIT>"). Packs (GPCK/BPCK, "{28 (a 2.5 MG Oral
 *   Tablet) / 21 (b 200 MG Oral Tablet) } Pack [Brand]") give the ingredients of every component drug. A display
 *   without a strength is an ingredient only when it starts in lower case (RxNorm IN/PIN; brand names are
 *   capitalised and give nothing).
 * - HCPCS ("Injection, carboplatin, 50 mg", "Vincristine sulfate, 1 mg", "Injection, rituximab 10 mg and
 *   hyaluronidase"): parenthesised text is dropped; the description is split on "," and ";"; a leading "Injection" or
 *   "Infusion" and formulation-only parts ("liposomal", "recombinant", "biosimilar") are skipped; the next part
 *   is the ingredient phrase, split on "/" and " and " (doses removed); a later part of the form "<dose> and <x>"
 *   adds x. Interferon subtypes ("interferon, alfa-2b") are joined. Solution names are mapped to RxNorm ingredient
 *   names: normal saline -> sodium chloride, dextrose/D5W -> glucose, Ringer's lactate -> sodium chloride, sodium
 *   lactate, potassium chloride, calcium chloride; water is dropped.
 * - Every name is then lower-cased; salt and ester words after the first word are removed ("morphine sulfate" ->
 *   morphine, "pemetrexed disodium" -> pemetrexed) unless the first word is itself an ion ("sodium chloride",
 *   "magnesium sulfate" stay whole); formulation words (liposome, liposomal, protein-bound, particles, implant,
 *   intravesical, instillation, infusion, live) are removed; an FDA four-letter biosimilar suffix is removed
 *   ("trastuzumab-dkst" -> trastuzumab, "calaspargase pegol-mknl" -> calaspargase pegol). Names are de-duplicated
 *   and sorted.
 * - NDC displays are parsed as RxNorm displays when they have that shape; others give no ingredients.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const NDC = 'http://hl7.org/fhir/sid/ndc';

/** Source spellings of the drug code systems, mapped to the canonical URIs of terminology/code-systems.json. */
const SYSTEM_SPELLINGS: Readonly<Record<string, string>> = {
  [RXNORM]: RXNORM,
  'urn:oid:2.16.840.1.113883.6.88': RXNORM,
  'https://www.nlm.nih.gov/research/umls/rxnorm': RXNORM,
  [HCPCS]: HCPCS,
  'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets': HCPCS,
  'http://www.nlm.nih.gov/research/umls/hcpcs': HCPCS,
  'urn:oid:2.16.840.1.113883.6.285': HCPCS,
  'urn:oid:2.16.840.1.113883.6.14': HCPCS,
  [NDC]: NDC,
  'urn:oid:2.16.840.1.113883.6.69': NDC,
};

const selectSchema = z
  .object({
    codePattern: z.string().optional(),
    exclude: z.array(z.object({ code: z.string(), reason: z.string() })).optional(),
    byIngredient: z.boolean().optional(),
  })
  .strict();

const sourceSchema = z
  .object({
    repository: z.string(),
    commit: z.string(),
    path: z.string(),
    format: z.enum(['fhir-valueset', 'cql-exec-vsac-db', 'cms-hcpcs-markdown']),
    valueSet: z.string(),
    version: z.string().optional(),
    licence: z.string(),
    select: selectSchema.optional(),
  })
  .strict();
type Source = z.infer<typeof sourceSchema>;

const configSchema = z
  .object({
    description: z.string(),
    valueSets: z.array(
      z
        .object({
          id: z.string(),
          title: z.string(),
          grounding: z.enum(['FIRM', 'FIRM (secondary)', 'JUDGMENT']),
          source: z.string(),
          members: z.array(sourceSchema).nonempty(),
        })
        .strict(),
    ),
    displaySources: z.array(sourceSchema),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

/** One code as a source lists it (system already canonical). */
interface SourceCode {
  readonly system: string;
  readonly code: string;
  readonly display: string | undefined;
}

const containsSchema: z.ZodType<{ system?: string; code?: string; display?: string; contains?: unknown[] }> =
  z.looseObject({
    system: z.string().optional(),
    code: z.string().optional(),
    display: z.string().optional(),
    contains: z.array(z.unknown()).optional(),
  });

const fhirValueSetSchema = z.looseObject({
  resourceType: z.literal('ValueSet'),
  url: z.string(),
  version: z.string().optional(),
  expansion: z.looseObject({ total: z.number().optional(), contains: z.array(containsSchema).optional() }).optional(),
  compose: z
    .looseObject({
      include: z.array(
        z.looseObject({
          system: z.string().optional(),
          concept: z.array(z.looseObject({ code: z.string(), display: z.string().optional() })).optional(),
        }),
      ),
    })
    .optional(),
});

const vsacDbSchema = z.record(
  z.string(),
  z.record(z.string(), z.array(z.looseObject({ code: z.string(), system: z.string() }))),
);

function canonicalSystem(system: string | undefined, where: string): string | undefined {
  if (system === undefined) {
    throw new Error(`${where}: a code has no system`);
  }
  return SYSTEM_SPELLINGS[system];
}

function oidOf(valueSet: string): string {
  return valueSet.split('/').pop() ?? valueSet;
}

/** Reads the codes of one source file; codes of systems other than RxNorm, HCPCS and NDC are ignored. */
export function readSource(sourcesDir: string, source: Source, warn: (message: string) => void): SourceCode[] {
  const file = `${sourcesDir}/${source.repository}/${source.path}`;
  const where = `${source.repository}/${source.path}`;
  const text = readFileSync(file, 'utf8');
  const codes: SourceCode[] = [];
  const add = (system: string | undefined, code: string, display: string | undefined): void => {
    const canonical = canonicalSystem(system, where);
    if (canonical !== undefined) {
      codes.push({ system: canonical, code: code.trim(), display: display?.trim() });
    }
  };
  switch (source.format) {
    case 'fhir-valueset': {
      const vs = fhirValueSetSchema.parse(JSON.parse(text));
      if (vs.url !== source.valueSet && oidOf(vs.url) !== oidOf(source.valueSet)) {
        throw new Error(`${where}: value set ${vs.url} is not the configured ${source.valueSet}`);
      }
      if (source.version !== undefined && vs.version !== source.version) {
        throw new Error(`${where}: version ${vs.version ?? '(none)'} is not the configured ${source.version}`);
      }
      if (vs.expansion?.contains) {
        const walk = (entries: readonly unknown[]): void => {
          for (const entry of entries) {
            const c = containsSchema.parse(entry);
            if (c.code !== undefined) {
              add(c.system, c.code, c.display);
            }
            walk(c.contains ?? []);
          }
        };
        walk(vs.expansion.contains);
        const listed = vs.expansion.contains.length;
        if (vs.expansion.total !== undefined && vs.expansion.total > listed) {
          warn(`${where}: expansion lists ${listed} of ${vs.expansion.total} codes (one VSAC page); using those`);
        }
      } else {
        for (const include of vs.compose?.include ?? []) {
          for (const concept of include.concept ?? []) {
            add(include.system, concept.code, concept.display);
          }
        }
      }
      break;
    }
    case 'cql-exec-vsac-db': {
      const db = vsacDbSchema.parse(JSON.parse(text));
      const versions = db[oidOf(source.valueSet)];
      if (!versions) {
        throw new Error(`${where}: has no value set ${oidOf(source.valueSet)}`);
      }
      const version = source.version ?? Object.keys(versions).sort()[0] ?? '';
      const entries = versions[version];
      if (!entries) {
        throw new Error(`${where}: value set ${oidOf(source.valueSet)} has no version ${version}`);
      }
      for (const entry of entries) {
        add(entry.system, entry.code, undefined);
      }
      break;
    }
    case 'cms-hcpcs-markdown': {
      for (const line of text.split('\n')) {
        const cells = line.split('|').map((cell) => cell.trim());
        // | HCPC | SEQNUM | RECID | LONG DESCRIPTION | SHORT DESCRIPTION |: RECID 3 is a code's first record.
        const [, code = '', , recid = '', description = ''] = cells;
        if (/^[A-V][0-9]{4}$/.test(code) && recid === '3') {
          add(HCPCS, code, description);
        }
      }
      break;
    }
  }
  if (codes.length === 0) {
    throw new Error(`${where}: no RxNorm, HCPCS or NDC codes read`);
  }
  return codes;
}

// ---------------------------------------------------------------------------------------------------------------
// Ingredient names from displays (the convention is documented at the top of this file).

const SALT_WORDS = new Set([
  'hydrochloride',
  'hcl',
  'dihydrochloride',
  'sulfate',
  'sulphate',
  'citrate',
  'acetate',
  'sodium',
  'disodium',
  'potassium',
  'calcium',
  'magnesium',
  'mesylate',
  'dimesylate',
  'tartrate',
  'bitartrate',
  'phosphate',
  'diphosphate',
  'maleate',
  'tromethamine',
  'besylate',
  'succinate',
  'fumarate',
  'bromide',
  'hydrobromide',
  'trihydrate',
  'monohydrate',
  'dihydrate',
  'anhydrous',
  'meglumine',
  'dimeglumine',
  'tosylate',
  'ditosylate',
  'malate',
  'pamoate',
  'polistirex',
  'terephthalate',
  'epolamine',
  'hyclate',
  'lysine',
  'napsylate',
  'mucate',
  'methylbromide',
]);
const ION_WORDS = new Set(['sodium', 'potassium', 'calcium', 'magnesium', 'zinc', 'lithium', 'ammonium', 'ferric']);
const FORMULATION_WORDS = new Set([
  'liposome',
  'liposomal',
  'protein-bound',
  'particles',
  'implant',
  'intravesical',
  'instillation',
  'infusion',
  'injection',
  'live',
  'tincture',
]);

/** Lower case, salts and formulation words removed, biosimilar suffix removed; '' when nothing is left. */
export function normaliseIngredient(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/[,;]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  const first = words[0];
  if (first === undefined) {
    return '';
  }
  const kept = words.filter((w, i) => {
    if (FORMULATION_WORDS.has(w)) {
      return false;
    }
    return i === 0 || ION_WORDS.has(first) || !SALT_WORDS.has(w);
  });
  return kept
    .map((w) => w.replace(/^([a-z][a-z0-9]{3,}(?:-[a-z0-9]+)*)-[a-z]{4}$/, '$1'))
    .join(' ')
    .trim();
}

const STRENGTH = / \d[\d.,]*(?: [A-Z][A-Z/%0-9-]*|%)/;
const LEADING_QUALIFIER = /^(?:\d[\d.,]* [A-Z]+|\d+-(?:Day|Week|Month|Hour)|[A-Z][a-z]+-[A-Z][a-z]+|Matrix Delivery) /;

function rxnormComponentIngredient(component: string): string | undefined {
  let text = component.trim();
  while (LEADING_QUALIFIER.test(text)) {
    text = text.replace(LEADING_QUALIFIER, '');
  }
  const strength = STRENGTH.exec(` ${text}`);
  if (strength) {
    return ` ${text}`.slice(1, strength.index);
  }
  return undefined;
}

/** Ingredient names of an RxNorm-style display (SCD, SBD, GPCK, BPCK, IN/PIN); [] when none can be read. */
export function rxnormIngredients(display: string): string[] {
  const withoutBrand = display.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
  const pack = /^\{(.*)\}\s*Pack$/.exec(withoutBrand);
  const drugs = pack ? [...(pack[1] ?? '').matchAll(/\(([^()]*)\)/g)].map((m) => m[1] ?? '') : [withoutBrand];
  const names: string[] = [];
  for (const drug of drugs) {
    const components = drug.split(' / ');
    const parsed = components.map(rxnormComponentIngredient);
    if (parsed.every((p) => p !== undefined)) {
      names.push(...parsed);
    } else if (components.length === 1 && /^[a-z]/.test(drug) && !/\d/.test(drug)) {
      names.push(drug); // IN / PIN: an ingredient name alone, lower case
    }
  }
  return finish(names);
}

const HCPCS_SKIP_PART = /^(injection|infusion|liposomal|recombinant|biosimilar|intravesical|powder or solution)$/;

function hcpcsSolutionNames(phrase: string): string {
  return phrase
    .replace(
      /\b(lactated ringers?|ringers? lactate)\b/g,
      'sodium chloride/sodium lactate/potassium chloride/calcium chloride',
    )
    .replace(/\bnormal saline( solution)?\b/g, 'sodium chloride')
    .replace(/\b(d5w|dextrose)\b/g, 'glucose')
    .replace(/\d+(\.\d+)?%\s*/g, '')
    .replace(/ in /g, '/')
    .replace(/\bwater\b/g, '');
}

const HCPCS_DOSE =
  /(?:,?\s*(?:up to|per)?\s*\d[\d.,]*\s*(?:mg|mcg|gm?|grams?|ml|cc|units?|iu|microgram|micrograms|milligrams?|million units)\b.*)$/;

/** Ingredient names of an HCPCS Level II drug descriptor; [] when none can be read. */
export function hcpcsIngredients(description: string): string[] {
  const text = description
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ');
  const parts = text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  let index = 0;
  while (index < parts.length && HCPCS_SKIP_PART.test(parts[index] ?? '')) {
    index += 1;
  }
  let phrase = (parts[index] ?? '').replace(/^(injection|infusion)\s+/, '');
  if (/^interferon$/.test(phrase) && /^(alfa|beta|gamma)\b/.test(parts[index + 1] ?? '')) {
    phrase = `${phrase} ${parts[index + 1] ?? ''}`;
  }
  const phrases = [phrase];
  for (const later of parts.slice(index + 1)) {
    const added = /^\d[\d.,]*\s*\w+ and (.+)$/.exec(later);
    if (added?.[1] !== undefined) {
      phrases.push(added[1]);
    }
  }
  const names = phrases
    .flatMap((p) => hcpcsSolutionNames(p).split(/\/| and /))
    .map((n) =>
      n
        .replace(/^\d[\d.,]*\s*(mg|mcg|g|ml|units?)\s+/, '')
        .replace(HCPCS_DOSE, '')
        .replace(/\s+per\s+.*$/, ''),
    )
    .filter((n) => !/^(not otherwise|prescription drug|drug|unclassified)/.test(n.trim()));
  return finish(names);
}

function finish(names: readonly string[]): string[] {
  return [...new Set(names.map(normaliseIngredient).filter((n) => n !== ''))].sort();
}

export function ingredientsOfDisplay(system: string, display: string | undefined): string[] {
  if (display === undefined) {
    return [];
  }
  return system === HCPCS ? hcpcsIngredients(display) : rxnormIngredients(display);
}

// ---------------------------------------------------------------------------------------------------------------
// Generation

interface GeneratedCode {
  code: string;
  display?: string;
}

export interface GenerateOptions {
  readonly sourcesDir: string;
  readonly config: Config;
  readonly configPath: string;
  readonly outDir: string;
  readonly commandLine: string;
  readonly warn?: (message: string) => void;
}

export interface GenerateSummary {
  readonly files: readonly { readonly file: string; readonly bytes: number }[];
  readonly valueSets: readonly { readonly id: string; readonly codes: Readonly<Record<string, number>> }[];
  readonly ingredientCodes: number;
}

function provenanceOf(source: Source, role: 'members' | 'displays'): Record<string, unknown> {
  return {
    repository: source.repository,
    path: source.path,
    commit: source.commit,
    valueSet: source.valueSet,
    ...(source.version === undefined ? {} : { version: source.version }),
    licence: source.licence,
    role,
    ...(source.select === undefined ? {} : { select: source.select }),
  };
}

const keyOf = (system: string, code: string): string => `${system}|${code}`;

/** Code-unit order, not localeCompare: the output must not depend on the machine's locale. */
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const warn =
    options.warn ??
    ((message: string) => {
      console.warn(message);
    });
  const { config } = options;
  const cache = new Map<string, SourceCode[]>();
  const read = (source: Source): SourceCode[] => {
    const id = `${source.repository}/${source.path}#${source.valueSet}|${source.version ?? ''}`;
    let codes = cache.get(id);
    if (!codes) {
      codes = readSource(options.sourcesDir, source, warn);
      cache.set(id, codes);
    }
    return codes;
  };

  // Displays from every source (members first, then display sources), first non-empty one wins.
  const displays = new Map<string, string>();
  for (const source of [...config.valueSets.flatMap((vs) => vs.members), ...config.displaySources]) {
    for (const c of read(source)) {
      if (c.display !== undefined && c.display !== '' && !displays.has(keyOf(c.system, c.code))) {
        displays.set(keyOf(c.system, c.code), c.display);
      }
    }
  }
  const ingredientsOf = (system: string, code: string): string[] =>
    ingredientsOfDisplay(system, displays.get(keyOf(system, code)));

  const generatedBy = {
    script: 'scripts/generate-terminology.ts',
    commandLine: options.commandLine,
    config: options.configPath,
  };
  const ingredientMap = new Map<string, Map<string, string[]>>();
  const summaryFiles: { file: string; bytes: number }[] = [];
  const summarySets: { id: string; codes: Record<string, number> }[] = [];
  const outputs = new Map<string, unknown>();

  for (const vs of [...config.valueSets].sort((a, b) => byString(a.id, b.id))) {
    const members = new Map<string, SourceCode>();
    const select = (source: Source, codes: readonly SourceCode[], vocabulary?: ReadonlySet<string>): void => {
      const pattern = source.select?.codePattern === undefined ? undefined : new RegExp(source.select.codePattern);
      const excluded = new Set((source.select?.exclude ?? []).map((e) => e.code));
      for (const c of codes) {
        if ((pattern && !pattern.test(c.code)) || excluded.has(c.code)) {
          continue;
        }
        if (vocabulary) {
          const names = ingredientsOf(c.system, c.code);
          if (names.length === 0 || !names.every((n) => vocabulary.has(n))) {
            continue;
          }
        }
        members.set(keyOf(c.system, c.code), { ...c, display: displays.get(keyOf(c.system, c.code)) });
      }
    };
    const direct = vs.members.filter((s) => s.select?.byIngredient !== true);
    for (const source of direct) {
      select(source, read(source));
    }
    // The set's ingredient vocabulary: the single ingredient of each directly selected code.
    const vocabulary = new Set<string>();
    for (const c of members.values()) {
      const names = ingredientsOf(c.system, c.code);
      if (names.length === 1 && names[0] !== undefined) {
        vocabulary.add(names[0]);
      }
    }
    for (const source of vs.members.filter((s) => s.select?.byIngredient === true)) {
      select(source, read(source), vocabulary);
    }

    const bySystem = new Map<string, GeneratedCode[]>();
    for (const c of [...members.values()].sort((a, b) => byString(a.code, b.code))) {
      bySystem.set(c.system, [
        ...(bySystem.get(c.system) ?? []),
        c.display === undefined ? { code: c.code } : { code: c.code, display: c.display },
      ]);
      const names = ingredientsOf(c.system, c.code);
      if (names.length > 0) {
        const perSystem = ingredientMap.get(c.system) ?? new Map<string, string[]>();
        perSystem.set(c.code, [...new Set([...(perSystem.get(c.code) ?? []), ...names])].sort());
        ingredientMap.set(c.system, perSystem);
      }
    }
    const systems = [...bySystem.keys()].sort();
    summarySets.push({ id: vs.id, codes: Object.fromEntries(systems.map((s) => [s, bySystem.get(s)?.length ?? 0])) });
    outputs.set(`${vs.id}.json`, {
      description: `${vs.title}. Generated by scripts/generate-terminology.ts from published value sets; do not edit by hand (see generatedBy and each value set's provenance). ${config.description}`,
      generatedBy,
      valueSets: [
        {
          id: vs.id,
          title: vs.title,
          grounding: vs.grounding,
          source: vs.source,
          provenance: vs.members.map((s) => provenanceOf(s, 'members')),
          include: systems.map((system) => ({ system, codes: bySystem.get(system) ?? [] })),
        },
      ],
    });
  }

  const drugIngredients: Record<string, Record<string, string[]>> = {};
  let ingredientCodes = 0;
  for (const system of [...ingredientMap.keys()].sort()) {
    const perSystem = ingredientMap.get(system) ?? new Map<string, string[]>();
    drugIngredients[system] = Object.fromEntries(
      [...perSystem.entries()].sort(([a], [b]) => byString(a, b)).map(([code, names]) => [code, names]),
    );
    ingredientCodes += perSystem.size;
  }
  const allSources = [
    ...config.valueSets.flatMap((vs) => vs.members.map((s) => provenanceOf(s, 'members'))),
    ...config.displaySources.map((s) => provenanceOf(s, 'displays')),
  ];
  const uniqueSources = [...new Map(allSources.map((p) => [JSON.stringify(p), p])).values()];
  outputs.set('drug-ingredients.json', {
    description:
      "Ingredient names per drug code (RxNorm product, HCPCS J/Q code, NDC) of the published drug value sets, derived from the sources' display strings by the naming convention documented in scripts/generate-terminology.ts (lower case, salts and biosimilar suffixes removed, one name per ingredient, sorted). Read by Terminology.ingredientsOf. Generated; do not edit by hand.",
    generatedBy,
    provenance: uniqueSources,
    drugIngredients,
  });

  mkdirSync(options.outDir, { recursive: true });
  for (const stale of readdirSync(options.outDir).filter((f) => f.endsWith('.json') && !outputs.has(f))) {
    rmSync(`${options.outDir}/${stale}`);
  }
  const prettierConfig = (await resolveConfig(`${options.outDir}/x.json`)) ?? {};
  for (const [file, content] of [...outputs.entries()].sort(([a], [b]) => byString(a, b))) {
    const text = await format(JSON.stringify(content), { ...prettierConfig, parser: 'json' });
    writeFileSync(`${options.outDir}/${file}`, text);
    summaryFiles.push({ file, bytes: Buffer.byteLength(text) });
  }
  return { files: summaryFiles, valueSets: summarySets, ingredientCodes };
}

export function loadConfig(path: string): Config {
  return configSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
  const sourcesDir = argument(args, '--sources');
  if (sourcesDir === undefined) {
    console.error('usage: npx tsx scripts/generate-terminology.ts --sources DIR [--config FILE] [--out DIR]');
    process.exit(2);
  }
  // Paths given on the command line are relative to the working directory; the defaults to the repository root.
  const configArg = argument(args, '--config');
  const outArg = argument(args, '--out');
  const configPath = configArg ?? 'scripts/terminology-sources.json';
  const outDir = outArg ?? 'terminology/generated';
  const summary = await generate({
    sourcesDir: resolve(sourcesDir),
    config: loadConfig(configArg === undefined ? resolve(root, configPath) : resolve(configPath)),
    configPath,
    outDir: outArg === undefined ? resolve(root, outDir) : resolve(outArg),
    commandLine: ['npx tsx scripts/generate-terminology.ts', ...args].join(' '),
  });
  for (const vs of summary.valueSets) {
    console.log(
      `${vs.id}: ${Object.entries(vs.codes)
        .map(([s, n]) => `${String(n)} ${s}`)
        .join(', ')}`,
    );
  }
  console.log(`drug-ingredients: ${String(summary.ingredientCodes)} codes`);
  for (const f of summary.files) {
    console.log(`${outDir}/${f.file}: ${String(f.bytes)} bytes`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
