import { describe, expect, it } from 'vitest';
import { furnitureCheck, headToHead, rouge1, signTest } from '../../scripts/summary-report.ts';

describe('rouge1', () => {
  it('is the F1 of clipped unigram overlap on lowercase alphanumeric tokens', () => {
    // pred 4 tokens, ref 3 tokens, overlap 2 ("the" clipped to one, "river"): P = 1/2, R = 2/3.
    expect(rouge1('The the river rose', 'the River fell')).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 12);
    expect(rouge1('', 'the river')).toBe(0);
    expect(rouge1('barriers held', 'the river')).toBe(0);
  });
});

describe('signTest', () => {
  it('gives the two-sided exact binomial probability', () => {
    expect(signTest(10, 0)).toBeCloseTo(2 / 1024, 12);
    expect(signTest(0, 10)).toBeCloseTo(2 / 1024, 12);
    expect(signTest(5, 5)).toBe(1);
    expect(signTest(0, 0)).toBe(1);
    // 8 : 2 → 2 × (1 + 10 + 45) / 1024
    expect(signTest(8, 2)).toBeCloseTo((2 * 56) / 1024, 12);
    expect(signTest(600, 400)).toBeLessThan(1e-9);
  });
});

const gold = [
  { id: 'a', text: 'The barriers held.\n\nScroll down for video\n\nCafes reopened.', reference: 'barriers held overnight', lead3: ['The barriers held.', 'Scroll down for video', 'Cafes reopened.'] },
  { id: 'b', text: 'A storm hit the coast.\n\nScroll down for video\n\nPower is back.', reference: 'storm hit coast', lead3: ['A storm hit the coast.'] },
  { id: 'c', text: 'The vote was close.\n\nScroll down for video', reference: 'vote close', lead3: ['The vote was close.'] },
];

describe('headToHead', () => {
  it('counts wins, ties and losses against Lead-3 article by article', () => {
    const pred = new Map([
      ['a', { id: 'a', summary: ['The barriers held.'] }], // shorter than its lead-3, same overlap: a win
      ['b', { id: 'b', summary: ['A storm hit the coast.'] }], // the same: a tie
      ['c', { id: 'c', summary: [] }], // nothing: a loss
    ]);
    const h = headToHead(gold, pred);
    expect(h).toMatchObject({ articles: 3, wins: 1, ties: 1, losses: 1, signP: 1 });
    expect(h.meanDiff).toBeCloseTo((100 * (rouge1('The barriers held.', 'barriers held overnight') - rouge1(gold[0]?.lead3.join(' ') ?? '', 'barriers held overnight') - rouge1('The vote was close.', 'vote close'))) / 3, 9);
  });
});

describe('furnitureCheck', () => {
  const check = (id: string, ...summary: string[]) => furnitureCheck(gold, new Map([[id, { id, summary }]]));

  it('flags captions, boilerplate and lines without closing punctuation, naming the rule', () => {
    expect(check('a', 'Dana Holt (left) inspects a barrier.')).toMatchObject([{ kind: 'caption', rule: 'refers to a picture' }]);
    expect(check('a', 'Photo: Riverton Herald.')).toMatchObject([{ kind: 'caption', rule: 'picture credit' }]);
    expect(check('a', 'Click here to read the full report.')).toMatchObject([{ kind: 'boilerplate' }]);
    expect(check('a', 'By Jane Smith')).toMatchObject([{ kind: 'boilerplate', rule: 'byline' }]);
    expect(check('a', 'Engineers inspect a barrier on Sunday')).toMatchObject([{ kind: 'unfinished' }]);
    expect(check('a', 'The barriers held.', 'Cafes reopened.')).toEqual([]);
  });

  it('flags a line that recurs in different articles of the set, even when its words look like prose', () => {
    expect(check('a', 'Scroll down for video.')).toHaveLength(1);
    const templated = [
      { id: 'x', text: 'The museum reopened.\n\nOur reporters checked every fact.', reference: '', lead3: [] },
      { id: 'y', text: 'A new bridge opened in the north of the city today.\n\nOur reporters checked every fact.', reference: '', lead3: [] },
    ];
    const found = furnitureCheck(templated, new Map([['x', { id: 'x', summary: ['Our reporters checked every fact.'] }]]));
    expect(found).toMatchObject([{ kind: 'boilerplate', rule: 'recurs in several articles' }]);
  });

  it('does not flag a line shared only by two versions of one story', () => {
    const versions = [
      { id: 'x', text: 'The barriers along the river held overnight.\n\nEngineers will inspect them this week.', reference: '', lead3: [] },
      { id: 'y', text: 'City flood barriers along the river held overnight.\n\nEngineers will inspect them this week.', reference: '', lead3: [] },
    ];
    expect(furnitureCheck(versions, new Map([['x', { id: 'x', summary: ['Engineers will inspect them this week.'] }]]))).toEqual([]);
  });
});
