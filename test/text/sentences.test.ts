import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../lambda/shared/text/sentences.ts';

const split = (text: string): string[] => splitSentences(text).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('keeps abbreviations inside a sentence', () => {
    expect(split('The U.S. said on Jan. 5 that it would act. Mr. Smith agreed at 9 a.m. on Monday. Then he left.')).toEqual([
      'The U.S. said on Jan. 5 that it would act.',
      'Mr. Smith agreed at 9 a.m. on Monday.',
      'Then he left.',
    ]);
  });

  it('breaks after a dotted acronym or a.m. when a new sentence clearly starts', () => {
    expect(split('He moved to the U.S. The rest followed. It began at 9 a.m. Police arrived later.')).toEqual([
      'He moved to the U.S.',
      'The rest followed.',
      'It began at 9 a.m.',
      'Police arrived later.',
    ]);
  });

  it('keeps a time with its zone or day after a.m./p.m.', () => {
    expect(split('It airs from 6:00 a.m. to 9:00 a.m. Eastern. By 9 a.m. Sunday, the Rev. Al Sharpton called.')).toEqual([
      'It airs from 6:00 a.m. to 9:00 a.m. Eastern.',
      'By 9 a.m. Sunday, the Rev. Al Sharpton called.',
    ]);
  });

  it('keeps initials and decimals', () => {
    expect(split('J. R. R. Tolkien wrote books. Growth was 3.5 percent, said John F. Kennedy. Blues legend B.B. King played.')).toEqual([
      'J. R. R. Tolkien wrote books.',
      'Growth was 3.5 percent, said John F. Kennedy.',
      'Blues legend B.B. King played.',
    ]);
  });

  it('keeps an ellipsis inside a quote', () => {
    const text = 'Kim was committed "to a process that ... was dependent on action," Carlin said. Next one… Yes.';
    expect(split(text)).toEqual([
      'Kim was committed "to a process that ... was dependent on action," Carlin said.',
      'Next one…',
      'Yes.',
    ]);
  });

  it('ends a sentence after a closing quotation mark, straight or curly', () => {
    expect(split('"They have to take the steps." Bolton said Monday. “It is over.” She left.')).toEqual([
      '"They have to take the steps."',
      'Bolton said Monday.',
      '“It is over.”',
      'She left.',
    ]);
  });

  it('does not break a quote that ends with a question before its attribution', () => {
    expect(split('"Really?" she said. "Why now?" asked Mr. Lee. Done!')).toEqual([
      '"Really?" she said.',
      '"Why now?" asked Mr. Lee.',
      'Done!',
    ]);
  });

  it('keeps the "…," X said pattern in one sentence', () => {
    expect(split('"That is what we are waiting for," Bolton said Monday. Pompeo agreed.')).toEqual([
      '"That is what we are waiting for," Bolton said Monday.',
      'Pompeo agreed.',
    ]);
  });

  it('never crosses a paragraph break and returns offsets into the text', () => {
    const text = 'Headline without a stop\n\nFirst para ends without stop\n\n  Second para. Two sentences.\n';
    const spans = splitSentences(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
      'Headline without a stop',
      'First para ends without stop',
      'Second para.',
      'Two sentences.',
    ]);
    for (const s of spans) expect(text.slice(s.start, s.end).includes('\n\n')).toBe(false);
  });

  it('separates company abbreviations that end a sentence', () => {
    expect(split('He works at Apple Inc. The firm said so. Apple Inc. said no.')).toEqual([
      'He works at Apple Inc.',
      'The firm said so.',
      'Apple Inc. said no.',
    ]);
  });

  it('drops spans with no words, such as a stray quotation mark', () => {
    expect(split('NASA said in a release. "\n\nScientists agreed.')).toEqual(['NASA said in a release.', 'Scientists agreed.']);
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\n ')).toEqual([]);
  });
});

describe('splitSentences edge cases', () => {
  it('keeps a leading quoted ellipsis with the sentence it opens', () => {
    expect(split('"... A woman is entitled to it. Shouldn\'t a man be?"')).toEqual([
      '"... A woman is entitled to it.',
      'Shouldn\'t a man be?"',
    ]);
  });
});
