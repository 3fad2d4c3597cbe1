import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generate,
  hcpcsIngredients,
  loadConfig,
  normaliseIngredient,
  rxnormIngredients,
} from '../../scripts/generate-terminology.js';
import { projectPath } from '../../src/paths.js';
import { Terminology } from '../../src/terminology/terminology.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const NDC = 'http://hl7.org/fhir/sid/ndc';
const FIXTURE = projectPath('tests', 'fixtures', 'terminology-sources');

const terminology = new Terminology();
const scratch: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(`${tmpdir()}/oncosign-terminology-`);
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A copy of terminology/ to add files to; `extra` maps a relative path to its JSON content. */
function terminologyWith(extra: Record<string, unknown>): string {
  const dir = tempDir();
  cpSync(projectPath('terminology'), dir, { recursive: true });
  for (const [file, content] of Object.entries(extra)) {
    writeFileSync(`${dir}/${file}`, JSON.stringify(content));
  }
  return dir;
}

describe('published value sets (terminology/generated)', () => {
  it.each(['published-antineoplastic-drug', 'published-analgesic-drug', 'published-hydration-fluid'] as const)(
    '%s loads with its provenance-bearing source text',
    (id) => {
      const info = terminology.info(id);
      expect(info?.grounding).toBe('FIRM (secondary)');
      expect(info?.source).toMatch(/HCPCS/);
    },
  );

  it('records provenance and the generating command line for every set', () => {
    const config = loadConfig(projectPath('scripts', 'terminology-sources.json'));
    for (const vs of config.valueSets) {
      const file = JSON.parse(readFileSync(projectPath('terminology', 'generated', `${vs.id}.json`), 'utf8'));
      expect(file.generatedBy.commandLine).toMatch(/^npx tsx scripts\/generate-terminology\.ts --sources /);
      const provenance = file.valueSets[0].provenance;
      expect(provenance).toHaveLength(vs.members.length);
      for (const [i, source] of vs.members.entries()) {
        expect(provenance[i]).toMatchObject({
          repository: source.repository,
          path: source.path,
          commit: source.commit,
          valueSet: source.valueSet,
          licence: source.licence,
        });
        expect(provenance[i].commit).toMatch(/^[0-9a-f]{40}$/);
      }
    }
  });

  it('stays small (< 2 MB for all generated files)', () => {
    const dir = projectPath('terminology', 'generated');
    const bytes = readdirSync(dir).reduce((n, f) => n + readFileSync(`${dir}/${f}`).length, 0);
    expect(bytes).toBeLessThan(2_000_000);
  });

  it.each([
    ['carboplatin SCD', 'antineoplastic-drug', { system: RXNORM, code: '597195' }],
    [
      'carboplatin SCD by RxNorm OID',
      'antineoplastic-drug',
      { system: 'urn:oid:2.16.840.1.113883.6.88', code: '597195' },
    ],
    ['published set itself', 'published-antineoplastic-drug', { system: RXNORM, code: '597195' }],
    ['leuprolide 3-month syringe (ADT set)', 'antineoplastic-drug', { system: RXNORM, code: '1946519' }],
    ['letrozole/ribociclib pack (GPCK)', 'antineoplastic-drug', { system: RXNORM, code: '1923053' }],
    ['bevacizumab biosimilar Q5107', 'published-antineoplastic-drug', { system: HCPCS, code: 'Q5107' }],
    ['Q5117, lower case', 'antineoplastic-drug', { system: HCPCS, code: 'q5117' }],
    ['Q5114 by HCPCS OID .285', 'antineoplastic-drug', { system: 'urn:oid:2.16.840.1.113883.6.285', code: 'Q5114' }],
    ['oral capecitabine J8520', 'antineoplastic-drug', { system: HCPCS, code: 'J8520' }],
    ['oral methotrexate J8610 (";" descriptor)', 'published-antineoplastic-drug', { system: HCPCS, code: 'J8610' }],
    ['busulfan J0594 outside J9', 'published-antineoplastic-drug', { system: HCPCS, code: 'J0594' }],
    [
      'carboplatin J9045 under the VSAC HCPCS URI',
      'published-antineoplastic-drug',
      { system: 'http://www.nlm.nih.gov/research/umls/hcpcs', code: 'J9045' },
    ],
    ['oxycodone/acetaminophen SCD', 'analgesic-drug', { system: RXNORM, code: '1049221' }],
    ['ketorolac injection SCD', 'analgesic-drug', { system: RXNORM, code: '1665459' }],
    ['MITRE code without a display', 'published-analgesic-drug', { system: RXNORM, code: '1006079' }],
    ['morphine J2270', 'analgesic-drug', { system: HCPCS, code: 'J2270' }],
    ['acetaminophen IV J0131', 'analgesic-drug', { system: HCPCS, code: 'J0131' }],
    ['Ringer lactate J7120', 'hydration-fluid', { system: HCPCS, code: 'J7120' }],
    ['D5 lactated Ringer J7121', 'published-hydration-fluid', { system: HCPCS, code: 'J7121' }],
  ] as const)('member: %s', (_name, valueSet, coding) => {
    expect(terminology.has(valueSet, coding)).toBe(true);
  });

  it.each([
    [
      'mesna J9209 (excluded from the chemotherapy section)',
      'published-antineoplastic-drug',
      { system: HCPCS, code: 'J9209' },
    ],
    ['filgrastim biosimilar Q5101 (supportive)', 'published-antineoplastic-drug', { system: HCPCS, code: 'Q5101' }],
    ['leucovorin J0640', 'antineoplastic-drug', { system: HCPCS, code: 'J0640' }],
    ['ophthalmic mitomycin J7315', 'published-antineoplastic-drug', { system: HCPCS, code: 'J7315' }],
    ['vancomycin injection', 'antineoplastic-drug', { system: RXNORM, code: '1807516' }],
    ['buprenorphine/naloxone J0572 (OUD)', 'analgesic-drug', { system: HCPCS, code: 'J0572' }],
    ['oral buprenorphine J0571 (excluded)', 'published-analgesic-drug', { system: HCPCS, code: 'J0571' }],
    ['meperidine/promethazine J2180', 'published-analgesic-drug', { system: HCPCS, code: 'J2180' }],
    ['hypertonic saline J7131', 'hydration-fluid', { system: HCPCS, code: 'J7131' }],
    ['dextran J7100', 'published-hydration-fluid', { system: HCPCS, code: 'J7100' }],
    [
      'carboplatin SCD under an unknown system',
      'antineoplastic-drug',
      { system: 'http://example.org/rx', code: '597195' },
    ],
    ['carboplatin SCD as an analgesic', 'analgesic-drug', { system: RXNORM, code: '597195' }],
  ] as const)('not a member: %s', (_name, valueSet, coding) => {
    expect(terminology.has(valueSet, coding)).toBe(false);
  });

  it('keeps the hand-written entries of the including sets', () => {
    expect(terminology.has('antineoplastic-drug', { system: 'http://www.whocc.no/atc', code: 'L01XA02' })).toBe(true);
    expect(terminology.has('hydration-fluid', { system: RXNORM, code: '313002' })).toBe(true);
    expect(terminology.has('analgesic-drug', { system: RXNORM, code: '25480' })).toBe(true);
  });
});

describe('Terminology.ingredientsOf', () => {
  it.each([
    ['RxNorm SCD', { system: RXNORM, code: '597195' }, ['carboplatin']],
    ['HCPCS J-code', { system: HCPCS, code: 'J9045' }, ['carboplatin']],
    ['HCPCS by OID, lower case', { system: 'urn:oid:2.16.840.1.113883.6.14', code: 'j9045' }, ['carboplatin']],
    ['biosimilar Q-code: suffix removed', { system: HCPCS, code: 'Q5114' }, ['trastuzumab']],
    ['combination SCD', { system: RXNORM, code: '1049221' }, ['acetaminophen', 'oxycodone']],
    ['pack', { system: RXNORM, code: '1923053' }, ['letrozole', 'ribociclib']],
    ['salt removed', { system: HCPCS, code: 'J2270' }, ['morphine']],
    [
      'Ringer lactate',
      { system: HCPCS, code: 'J7120' },
      ['calcium chloride', 'potassium chloride', 'sodium chloride', 'sodium lactate'],
    ],
    ['rituximab with hyaluronidase', { system: HCPCS, code: 'J9311' }, ['hyaluronidase', 'rituximab']],
  ] as const)('%s', (_name, coding, expected) => {
    expect(terminology.ingredientsOf(coding)).toEqual(expected);
  });

  it('is undefined for unknown codes, unknown systems and codings without a code', () => {
    expect(terminology.ingredientsOf({ system: HCPCS, code: 'J9999' })).toBeUndefined();
    expect(terminology.ingredientsOf({ system: 'http://example.org', code: '597195' })).toBeUndefined();
    expect(terminology.ingredientsOf({ system: RXNORM })).toBeUndefined();
  });
});

describe('value-set includes', () => {
  const own = (id: string, include: unknown[]) => ({
    id,
    title: id,
    grounding: 'JUDGMENT',
    source: 'test',
    include,
  });

  it('stops start-up on an include cycle, naming the path', () => {
    const dir = terminologyWith({
      'zz-cycle.json': {
        valueSets: [
          own('cycle-a', [{ valueSet: 'cycle-b' }]),
          own('cycle-b', [{ valueSet: 'cycle-c' }]),
          own('cycle-c', [{ valueSet: 'cycle-a' }]),
        ],
      },
    });
    expect(() => new Terminology(dir)).toThrow(/include cycle: cycle-a -> cycle-b -> cycle-c -> cycle-a/);
  });

  it('stops start-up on a self-include', () => {
    const dir = terminologyWith({ 'zz-self.json': { valueSets: [own('self', [{ valueSet: 'self' }])] } });
    expect(() => new Terminology(dir)).toThrow(/include cycle: self -> self/);
  });

  it('stops start-up on an include of an unknown id, naming the file', () => {
    const dir = terminologyWith({ 'zz-unknown.json': { valueSets: [own('lonely', [{ valueSet: 'no-such-set' }])] } });
    expect(() => new Terminology(dir)).toThrow(
      /terminology\/zz-unknown\.json: value set lonely includes unknown value set no-such-set/,
    );
  });

  it('stops start-up when a generated set is missing', () => {
    const dir = terminologyWith({});
    rmSync(`${dir}/generated/published-hydration-fluid.json`);
    expect(() => new Terminology(dir)).toThrow(/includes unknown value set published-hydration-fluid/);
  });

  it('follows includes transitively, with codes and patterns', () => {
    const dir = terminologyWith({
      'zz-chain.json': {
        valueSets: [
          own('chain-top', [{ valueSet: 'chain-middle' }]),
          own('chain-middle', [
            { valueSet: 'published-hydration-fluid' },
            { system: 'urn:oid:2.16.840.1.113883.6.14', pattern: '^J7131$' },
          ]),
        ],
      },
    });
    const raw = JSON.parse(readFileSync(`${dir}/medication-administration.json`, 'utf8'));
    const hydration = raw.valueSets.find((v: { id: string }) => v.id === 'hydration-fluid');
    hydration.include = [{ valueSet: 'chain-top' }];
    writeFileSync(`${dir}/medication-administration.json`, JSON.stringify(raw));
    const chained = new Terminology(dir);
    expect(chained.has('hydration-fluid', { system: HCPCS, code: 'J7121' })).toBe(true);
    expect(chained.has('hydration-fluid', { system: HCPCS, code: 'J7131' })).toBe(true);
    expect(chained.has('hydration-fluid', { system: RXNORM, code: '313002' })).toBe(false);
  });
});

describe('scripts/generate-terminology.ts on the hand-made fixture', () => {
  const run = async (out: string) =>
    generate({
      sourcesDir: FIXTURE,
      config: loadConfig(`${FIXTURE}/config.json`),
      configPath: 'tests/fixtures/terminology-sources/config.json',
      outDir: out,
      commandLine: 'npx tsx scripts/generate-terminology.ts --sources tests/fixtures/terminology-sources',
      warn: () => undefined,
    });
  const snapshot = (dir: string): Record<string, string> =>
    Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(`${dir}/${f}`, 'utf8')]));

  it('is deterministic: two runs write byte-identical files', async () => {
    const out = tempDir();
    await run(out);
    const first = snapshot(out);
    await run(out);
    expect(snapshot(out)).toEqual(first);
    const other = tempDir();
    await run(other);
    expect(snapshot(other)).toEqual(first);
    expect(Object.keys(first).sort()).toEqual([
      'drug-ingredients.json',
      'fixture-analgesic-drug.json',
      'fixture-antineoplastic-drug.json',
      'fixture-hydration-fluid.json',
    ]);
  });

  it('selects members as configured and sorts them', async () => {
    const out = tempDir();
    await run(out);
    const codes = (file: string, system: string): string[] => {
      const vs = JSON.parse(readFileSync(`${out}/${file}`, 'utf8')).valueSets[0];
      return (
        vs.include.find((i: { system: string }) => i.system === system)?.codes.map((c: { code: string }) => c.code) ??
        []
      );
    };
    // Nested expansion entries are read; SNOMED is not a drug system; the brand name stays a member.
    expect(codes('fixture-antineoplastic-drug.json', RXNORM)).toEqual([
      '1547550',
      '1790099',
      '1922509',
      '1923053',
      '40048',
      '597195',
    ]);
    expect(codes('fixture-antineoplastic-drug.json', NDC)).toEqual(['0703-4244-01']);
    // J9 section less the exclusion; J0640/J8520/J8530 and Q5101 have no antineoplastic ingredient of the set.
    expect(codes('fixture-antineoplastic-drug.json', HCPCS)).toEqual(['J9045', 'J9311', 'J9355', 'J9999', 'Q5117']);
    // cql-exec-vsac codes without display; HCPCS joins by single ingredients named by the display source.
    expect(codes('fixture-analgesic-drug.json', RXNORM)).toEqual(['1049221', '1665459', '1732006']);
    expect(codes('fixture-analgesic-drug.json', HCPCS)).toEqual(['J1885', 'J2270']);
    expect(codes('fixture-hydration-fluid.json', HCPCS)).toEqual(['J7030', 'J7120']);
  });

  it('writes provenance per value set and loads into Terminology (NDC across spellings)', async () => {
    const out = tempDir();
    await run(out);
    const vs = JSON.parse(readFileSync(`${out}/fixture-antineoplastic-drug.json`, 'utf8'));
    expect(vs.generatedBy).toEqual({
      script: 'scripts/generate-terminology.ts',
      commandLine: 'npx tsx scripts/generate-terminology.ts --sources tests/fixtures/terminology-sources',
      config: 'tests/fixtures/terminology-sources/config.json',
    });
    expect(vs.valueSets[0].provenance[0]).toEqual({
      repository: 'example/ecqm-content',
      path: 'input/vocabulary/valueset/valueset-fixture-chemo.json',
      commit: '0000000000000000000000000000000000000001',
      valueSet: 'http://cts.nlm.nih.gov/fhir/ValueSet/2.999.1',
      version: '20250101',
      licence: 'fixture, written for the tests',
      role: 'members',
    });

    // Load the fixture output beside the real terminology, with antineoplastic-drug including the fixture set.
    const dir = terminologyWith({});
    for (const file of readdirSync(out)) {
      cpSync(`${out}/${file}`, `${dir}/generated/fixture-${file.replace(/^fixture-/, '')}`);
    }
    const raw = JSON.parse(readFileSync(`${dir}/medication-administration.json`, 'utf8'));
    raw.valueSets
      .find((v: { id: string }) => v.id === 'antineoplastic-drug')
      .include.push({ valueSet: 'fixture-antineoplastic-drug' });
    writeFileSync(`${dir}/medication-administration.json`, JSON.stringify(raw));
    const loaded = new Terminology(dir);
    for (const code of ['0703-4244-01', '00703424401', '00703-4244-01']) {
      expect(loaded.has('antineoplastic-drug', { system: NDC, code })).toBe(true);
      expect(loaded.has('antineoplastic-drug', { system: 'urn:oid:2.16.840.1.113883.6.69', code })).toBe(true);
      expect(loaded.ingredientsOf({ system: NDC, code })).toEqual(['carboplatin']);
    }
    expect(loaded.has('antineoplastic-drug', { system: NDC, code: '0069-2587-10' })).toBe(false);
    // The real map and the fixture map merge.
    expect(loaded.ingredientsOf({ system: HCPCS, code: 'Q5117' })).toEqual(['trastuzumab']);
  });

  it('fails loudly when a source is not the configured value set', async () => {
    const config = loadConfig(`${FIXTURE}/config.json`);
    const wrong = structuredClone(config);
    wrong.valueSets[0]!.members[0]!.valueSet = 'http://cts.nlm.nih.gov/fhir/ValueSet/2.999.99';
    await expect(
      generate({
        sourcesDir: FIXTURE,
        config: wrong,
        configPath: 'x',
        outDir: tempDir(),
        commandLine: 'x',
        warn: () => undefined,
      }),
    ).rejects.toThrow(/is not the configured/);
  });
});

describe('ingredient naming convention', () => {
  it.each([
    ['carboplatin 10 MG/ML Injectable Solution', ['carboplatin']],
    ['1.5 ML cabazitaxel 40 MG/ML Injection', ['cabazitaxel']],
    ['Abuse-Deterrent 12 HR oxycodone hydrochloride 10 MG Extended Release Oral Tablet', ['oxycodone']],
    ['3-Month 1.5 ML leuprolide acetate 20 MG/ML Prefilled Syringe', ['leuprolide']],
    ['Matrix Delivery 24 HR tramadol hydrochloride 300 MG Extended Release Oral Tablet', ['tramadol']],
    ['acetaminophen 325 MG / hydrocodone bitartrate 5 MG Oral Tablet [Norco]', ['acetaminophen', 'hydrocodone']],
    ['{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack [Lazanda]', ['fentanyl']],
    ['15 ML trastuzumab-anns 21 MG/ML Injection [Kanjinti]', ['trastuzumab']],
    ['1000 ML glucose 50 MG/ML / sodium chloride 4.5 MG/ML Injection', ['glucose', 'sodium chloride']],
    ['magnesium sulfate 500 MG/ML Injectable Solution', ['magnesium sulfate']],
    ['dextran 40 100 MG/ML Injectable Solution', ['dextran 40']],
    ['carboplatin', ['carboplatin']],
    ['Keytruda', []],
  ] as const)('RxNorm %s', (display, expected) => {
    expect(rxnormIngredients(display)).toEqual(expected);
  });

  it.each([
    ['Injection, carboplatin, 50 mg', ['carboplatin']],
    ['Vincristine sulfate, 1 mg', ['vincristine']],
    ['Injection, bevacizumab-awwb, biosimilar, (mvasi), 10 mg', ['bevacizumab']],
    ['Injection, liposomal, 1 mg daunorubicin and 2.27 mg cytarabine', ['cytarabine', 'daunorubicin']],
    ['Injection, trastuzumab, 10 mg and hyaluronidase-oysk', ['hyaluronidase', 'trastuzumab']],
    ['Injection, interferon, alfa-2b, recombinant, 1 million units', ['interferon alfa-2b']],
    ['Injection, leuprolide acetate (for depot suspension), per 3.75 mg', ['leuprolide']],
    ['Goserelin acetate implant, per 3.6 mg', ['goserelin']],
    ['Bcg (intravesical) per instillation', ['bcg']],
    ['Methotrexate; oral, 2.5 mg', ['methotrexate']],
    ['Buprenorphine/naloxone, oral, less than or equal to 3 mg buprenorphine', ['buprenorphine', 'naloxone']],
    ['5% dextrose/normal saline (500 ml = 1 unit)', ['glucose', 'sodium chloride']],
    ['Infusion, d5w, 1000 cc', ['glucose']],
    ['Not otherwise classified, antineoplastic drugs', []],
  ] as const)('HCPCS %s', (description, expected) => {
    expect(hcpcsIngredients(description)).toEqual(expected);
  });

  it.each([
    ['pemetrexed disodium', 'pemetrexed'],
    ['leucovorin calcium', 'leucovorin'],
    ['sodium chloride', 'sodium chloride'],
    ['calaspargase pegol-mknl', 'calaspargase pegol'],
    ['ado-trastuzumab emtansine', 'ado-trastuzumab emtansine'],
    ['ziv-aflibercept', 'ziv-aflibercept'],
    ['fam-trastuzumab deruxtecan-nxki', 'fam-trastuzumab deruxtecan'],
  ])('name %s -> %s', (name, expected) => {
    expect(normaliseIngredient(name)).toBe(expected);
  });
});
