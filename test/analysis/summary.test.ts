import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../lambda/shared/text/sentences.ts';
import { bodyStartOf, summarize, summaryLines } from '../../lambda/shared/analysis/summary.ts';
import { insideLongQuotes, quoteMarks, unfitReason } from '../../lambda/shared/analysis/summary-rules.ts';

function input(text: string, exclude: { start: number; end: number }[] = []) {
  return { text, sentences: splitSentences(text), bodyStart: bodyStartOf(text), exclude };
}
function run(text: string, exclude: { start: number; end: number }[] = [], maxWords = 80): string[] {
  return summarize(input(text, exclude), { maxSentences: 3, maxWords });
}
/** An article: a headline, then one paragraph per line given. */
const article = (...paragraphs: string[]): string => ['River barriers hold', ...paragraphs].join('\n\n');

const LEAD = [
  'Flood barriers along the river held overnight as the water peaked at a record height, city engineers said on Sunday.',
  'The barriers were built after the flood of 2002, when the river swamped the old town and forced thousands from their homes.',
  'Engineers will inspect every barrier section this week before the water falls back.',
];
const LATER = 'Cafes in the old town reopened on Sunday afternoon.';

describe('summarize: the lead', () => {
  it('is the summary when nothing in it is unfit: its first three sentences, in order', () => {
    expect(run(article(...LEAD, LATER))).toEqual(LEAD);
  });

  it('ends before a lead sentence that does not fit the budget; no shorter later sentence fills in', () => {
    const long =
      'The city council voted on Sunday evening to spend another twenty million euros on raising the barriers by half a metre along the whole length of the old town, a plan that engineers first drew up ten years ago and that was shelved twice for lack of money.';
    const text = article(LEAD[0] as string, LEAD[1] as string, long, LATER);
    // Old behaviour: the long third sentence was skipped and "Cafes … reopened" took its place.
    expect(run(text)).toEqual([LEAD[0], LEAD[1]]);
    const lines = summaryLines(input(text));
    expect(lines.find((l) => l.text === LATER)).toMatchObject({ chosen: false, skip: null });
  });

  it('keeps a first sentence longer than the budget rather than show nothing', () => {
    const words = Array.from({ length: 90 }, (_, i) => `word${i}`).join(' ');
    expect(run(article(`Officials said ${words}.`, LATER))).toEqual([`Officials said ${words}.`]);
  });

  it('never shows a sentence that holds a key quote, and takes the next lead sentence instead', () => {
    const text = article(LEAD[0] as string, 'The river is "higher than anyone here has ever seen it," said Dana Holt.', LEAD[1] as string, LEAD[2] as string);
    const at = text.indexOf('higher than');
    const s = run(text, [{ start: at, end: at + 40 }], 200);
    expect(s).toEqual(LEAD);
  });

  it('leaves out a near-repeat of what it has already chosen', () => {
    const repeat = 'Flood barriers along the river held overnight as the water peaked at a record height.';
    expect(run(article(LEAD[0] as string, repeat, LEAD[1] as string))).toEqual([LEAD[0], LEAD[1]]);
  });
});

describe('summarize: page furniture is never summary material', () => {
  it('skips photo captions, with or without a full stop', () => {
    const text = article(
      LEAD[0] as string,
      'Chief engineer Dana Holt (left) inspects a barrier section on Sunday',
      'Residents, pictured, watched the water rise from the old bridge.',
      'Photo: City of Riverton',
      LEAD[1] as string,
      LEAD[2] as string,
    );
    expect(run(text)).toEqual(LEAD);
  });

  it('skips bylines and credits', () => {
    for (const byline of ['By Jane Smith', 'By JANE SMITH and TOM LEE', 'By Jane Smith, Science Editor', 'Reporting by Tom Lee; editing by Ana Ruiz']) {
      expect(run(article(byline, ...LEAD)), byline).toEqual(LEAD);
    }
  });

  it('skips boilerplate: calls to action, timestamps, links, handles, rights lines', () => {
    const furniture = [
      'PUBLISHED: 10:01 EST, 1 April 2015 | UPDATED: 12:00 EST, 1 April 2015',
      'Scroll down for video.',
      'Share this with your friends.',
      'Click here to read the full report.',
      'Follow @rivertonnews on Twitter for updates.',
      'Sign up for our morning newsletter.',
      'Read more at www.riverton.example/flood.',
      '© 2015 Riverton Herald. All rights reserved.',
    ];
    for (const line of furniture) {
      expect(run(article(line, ...LEAD)), line).toEqual(LEAD);
      expect(run(article(LEAD[0] as string, line, LEAD[1] as string, LEAD[2] as string)), line).toEqual(LEAD);
    }
  });

  it('keeps ordinary lead sentences that share words with furniture', () => {
    const ordinary = [
      'Share prices in Riverton fell on Monday after the flood.',
      'Photographers followed the mayor as she toured the old town by boat.',
      'By Sunday evening the water had started to fall.',
      'Volunteers persuaded hundreds of residents to sign up for flood alerts by text.',
      'According to a Reuters/Ipsos poll, most residents trust the barriers.',
      'The mayor ended her speech by shouting “we held the line!”',
      'The pastor asked the town to give thanks for His protection during the flood.',
      'The flood added a line to the mayor’s rÃ©sumÃ© that no one will forget.', // mis-encoded é: no © sign
    ];
    for (const line of ordinary) {
      expect(run(article(LEAD[0] as string, line, LEAD[1] as string)), line).toEqual([LEAD[0], line, LEAD[1]]);
    }
  });
});

describe('summarize: only finished statements in the article’s own voice', () => {
  it('skips sentence fragments and lines broken mid-sentence', () => {
    const text = article(
      'Flood barriers along the river held overnight as the water',
      'peaked at a record height, city engineers said on Sunday.',
      ...LEAD,
    );
    expect(run(text)).toEqual(LEAD);
  });

  it('skips a caption run into the next sentence without a full stop', () => {
    const text = article('Engineers check a barrier on Sunday The barriers were built after the flood of 2002.', ...LEAD);
    expect(run(text)).toEqual(LEAD);
  });

  it('skips questions and exclamations', () => {
    expect(run(article('Will the barriers hold next time?', ...LEAD))).toEqual(LEAD);
    expect(run(article('What a night it was!', ...LEAD))).toEqual(LEAD);
  });

  // One multi-sentence quotation in each style: its opening, middle and closing sentences are all
  // pieces of a quotation, and none may stand as a summary line.
  const STYLES: [string, string, string][] = [
    ['curly double', '“', '”'],
    ['straight double', '"', '"'],
    ['curly single', '‘', '’'],
    ['straight single', "'", "'"],
  ];
  for (const [name, open, close] of STYLES) {
    it(`skips every sentence of a multi-sentence quotation in ${name} marks`, () => {
      const quote = `${open}We watched the river all night. The barriers did exactly what they were built to do. Nobody here will forget it,${close} said chief engineer Dana Holt.`;
      expect(run(article(LEAD[0] as string, quote, LEAD[1] as string, LEAD[2] as string))).toEqual(LEAD);
    });

    it(`skips a quotation in ${name} marks that runs across paragraphs`, () => {
      const text = article(
        LEAD[0] as string,
        `${open}We watched the river all night and did not sleep at all.`,
        `${open}The barriers did exactly what they were built to do.`,
        `Nobody in this town will forget it,${close} said chief engineer Dana Holt.`,
        LEAD[1] as string,
        LEAD[2] as string,
      );
      expect(run(text)).toEqual(LEAD);
    });

    it(`skips a pure quotation in ${name} marks but keeps a sentence with a short quoted phrase`, () => {
      const pure = `${open}The water came so fast that we had no time to save anything at all,${close} a resident said.`;
      const phrase = `The mayor called the barriers ${open}a triumph of engineering${close} on Sunday, and promised to extend them.`;
      expect(run(article(LEAD[0] as string, pure, phrase, LEAD[1] as string))).toEqual([LEAD[0], phrase, LEAD[1]]);
    });
  }
});

describe('summarize: datelines and headlines', () => {
  it('drops wire datelines that open the lead, but keeps ordinary capitalised openings', () => {
    expect(run('(CNN)A storm hit the coast on Friday, officials said.')).toEqual(['A storm hit the coast on Friday, officials said.']);
    expect(run('Washington (CNN)The Senate voted on the budget on Tuesday.')).toEqual(['The Senate voted on the budget on Tuesday.']);
    expect(run('(The Riverton Herald)A storm hit the coast on Friday.')).toEqual(['A storm hit the coast on Friday.']);
    expect(run('WASHINGTON (AP) — The Senate voted on the budget on Tuesday.')).toEqual(['The Senate voted on the budget on Tuesday.']);
    expect(run('HEMPSTEAD, N.Y. ― If it worked against Romney, it might work again.')).toEqual(['If it worked against Romney, it might work again.']);
    expect(run('NASA said the probe was lost over the weekend.')).toEqual(['NASA said the probe was lost over the weekend.']);
    expect(run('DECATUR, Ill. — Sen. Jane Roe voted against the bill on Monday.')).toEqual(['Sen. Jane Roe voted against the bill on Monday.']);
  });

  it('returns nothing for a headline-only text', () => {
    expect(run('Just a headline')).toEqual([]);
    expect(summarize({ text: 'Headline', sentences: splitSentences('Headline'), bodyStart: 9, exclude: [] })).toEqual([]);
  });
});

describe('quoteMarks', () => {
  it('reads apostrophes, possessives and elisions as no quotation marks', () => {
    for (const s of ["The players' union met in the '90s and didn't agree.", 'Fowler’s caddie said rock ’n’ roll was ’em all.']) {
      expect(quoteMarks(s), s).toMatchObject({ share: 0, startsInside: false, endsInside: false });
    }
  });

  it('sees a plural possessive inside a single-quoted quotation without losing its end', () => {
    expect(quoteMarks('‘The players’ union will fight this,’ he said.')).toMatchObject({ startsInside: false, endsInside: false });
    expect(quoteMarks("'The players' union will fight this,' he said.")).toMatchObject({ startsInside: false, endsInside: false });
  });

  it('tells the opening and closing pieces of a quotation in every style, and the typewriter double mark', () => {
    for (const [open, close] of [['“', '”'], ['"', '"'], ['‘', '’'], ["'", "'"], ["''", "''"]] as const) {
      expect(quoteMarks(`${open}We watched the river all night.`)).toMatchObject({ endsInside: true, startsInside: false, share: 1 });
      expect(quoteMarks(`Nobody will forget it,${close} she said.`)).toMatchObject({ startsInside: true, endsInside: false });
    }
  });
});

describe('insideLongQuotes', () => {
  const marks = (...s: string[]) => s.map((x) => quoteMarks(x));

  it('marks the sentences between an unclosed opening and its closing mark', () => {
    expect(insideLongQuotes(marks('"One.', 'Two.', 'Three," he said.', 'Four.'))).toEqual([false, true, true, false]);
  });

  it('follows a quotation into a new paragraph that repeats the opening mark', () => {
    expect(insideLongQuotes(marks('“One.', 'Two.', '“Three.', 'Four.', '“Five,” he said.', 'Six.'))).toEqual([false, true, true, true, true, false]);
  });

  it('marks nothing when an opening mark is never closed nearby (a stray mark does not swallow the article)', () => {
    const m = marks('He ran the "old', 'Two.', 'Three.', 'Four.', 'Five.', 'Six.', 'Seven.', 'Eight, she said."');
    expect(insideLongQuotes(m).every((x) => !x)).toBe(true);
    expect(insideLongQuotes(marks('He said "yes.', 'Then "no" came.', 'Three," he said.'))).toEqual([false, false, false]);
  });
});

describe('unfitReason', () => {
  it('names the reason', () => {
    expect(unfitReason('Dana Holt (right) at the barrier')).toBe('caption');
    expect(unfitReason('By Jane Smith')).toBe('byline');
    expect(unfitReason('Scroll down for video')).toBe('boilerplate');
    expect(unfitReason('and the barriers held.')).toBe('fragment');
    expect(unfitReason('Tragic:')).toBe('unfinished');
    expect(unfitReason('"We held," she said, "and we will hold.')).toBe('quote-fragment');
    expect(unfitReason('"We held the line all night and all day," she said.')).toBe('pure-quote');
    expect(unfitReason('Did it hold?')).toBe('not-a-statement');
    expect(unfitReason('The barriers held.')).toBeNull();
    expect(unfitReason('iPhone sales rose in the spring.')).toBeNull();
  });
});

describe('bodyStartOf', () => {
  it('treats a first line without closing punctuation as the headline', () => {
    expect(bodyStartOf('A headline\n\nBody.')).toBe('A headline\n\n'.length);
    expect(bodyStartOf('(CNN)The first sentence is the lead.\n\nBody.')).toBe(0);
    expect(bodyStartOf('One paragraph only')).toBe(0);
    expect(bodyStartOf('A headline\r\n\r\nBody.')).toBe('A headline\r\n\r\n'.length);
  });

  it('treats a short Title Case first line as the headline even with a closing period', () => {
    const text = 'New Poll Shows Minor Post-Debate Bump For Clinton.\n\nA new poll shows a small shift.';
    expect(bodyStartOf(text)).toBe(text.indexOf('A new poll'));
  });
});
