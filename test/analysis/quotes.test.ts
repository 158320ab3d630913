import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FoundQuote, findQuotes, quotesForEval, selectKeyQuotes } from '../../lambda/shared/analysis/quotes/index.ts';

const article = (...paras: string[]): string => paras.join('\n\n');
const find = (quotes: FoundQuote[], words: string): FoundQuote => {
  const q = quotes.find((x) => x.text.includes(words));
  if (!q) throw new Error(`no quote containing ${JSON.stringify(words)} in ${JSON.stringify(quotes.map((x) => x.text))}`);
  return q;
};

/** The sample as the text parser hands it over: headline + paragraphs, dateline and ALSO READ line dropped. */
function sampleText(): string {
  const raw = readFileSync(new URL('../../examples/articles/2018-09-11-second-trump-kim-meet.txt', import.meta.url), 'utf8');
  return raw
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('|') && !/^ALSO READ:/i.test(p))
    .join('\n\n');
}

describe('findQuotes: marks', () => {
  it('finds straight and curly quotes with offsets that cover the words without the marks', () => {
    const text = article(
      'Mayor opens bridge',
      'Mayor Ana Ruiz said: "We built it on time." The council called it “a triumph of planning.”',
    );
    const qs = findQuotes(text);
    expect(qs.map((q) => q.text)).toEqual(['We built it on time.', 'a triumph of planning.']);
    for (const q of qs) expect(text.slice(q.start, q.end)).toBe(q.text);
  });

  it('keeps nested single quotes inside the outer quote and reports them as their own quote', () => {
    const text = article('H', `"He told me, 'Never again,' and walked out," said Tom Baker, a union steward.`);
    const qs = findQuotes(text);
    const outer = find(qs, 'He told me');
    const inner = qs.find((q) => q.text === 'Never again');
    if (!inner) throw new Error('nested quote not found');
    expect(outer.text).toContain("'Never again,'");
    expect(inner.start).toBeGreaterThan(outer.start);
    expect(inner.end).toBeLessThan(outer.end);
    expect(outer.speaker).toMatchObject({ name: 'Tom Baker', role: 'union steward' });
  });

  it('joins a quote running across paragraphs where the opening mark repeats', () => {
    const text = article(
      'Strike ends',
      '“We stayed out for six weeks and we are proud of it,” said Lena Ortiz, the union president.',
      '“Nobody wanted this strike. But nobody was going to give in first.',
      '“Now we go back with a contract that our members voted for,” she said.',
    );
    const qs = findQuotes(text);
    expect(qs).toHaveLength(2);
    const long = find(qs, 'Nobody wanted');
    expect(long.text).toContain('give in first.');
    expect(long.text).toContain('Now we go back');
    expect(long.text).not.toContain('“');
    expect(long.speaker?.name).toBe('Lena Ortiz');
  });

  it('reads typewriter double apostrophes as quotation marks', () => {
    const text = article('H', "''It was a long night,'' said Paul Weber, the fire chief.");
    const [q] = findQuotes(text);
    expect(q?.text).toBe('It was a long night');
    expect(q?.speaker?.name).toBe('Paul Weber');
  });

  it('returns nothing for an article without quotation marks, and apostrophes are not quotes', () => {
    expect(findQuotes(article('Markets calm', "The city's budget passed. Voters' turnout was low; it's 'til June."))).toEqual([]);
    expect(findQuotes('')).toEqual([]);
  });
});

describe('findQuotes: speakers', () => {
  it('splits a role before the name and an appositive after it', () => {
    const text = article(
      'Port deal',
      'Transport Minister Helen Park said the deal was "the best we could get." "It protects jobs," she added.',
      '"The minister oversold it," said Martin Cole, a professor at Lakeside University and former port manager.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'best we could').speaker).toMatchObject({ name: 'Helen Park', role: 'Transport Minister' });
    expect(find(qs, 'protects jobs').speaker?.name).toBe('Helen Park');
    expect(find(qs, 'oversold').speaker).toMatchObject({ name: 'Martin Cole', role: 'professor at Lakeside University' });
  });

  it('gives a role that opens the sentence its own case: the sentence\'s capital goes, a title\'s stays', () => {
    const text = article(
      'Port vote',
      'Dock crane operator Luis Acevedo, 52, said the deal was unfair. "They bought our votes," he said.',
      'National Security Adviser John Bolton spoke next. "We are waiting," Bolton said.',
      'Republican strategist Ann Cole was blunt. "It will not pass," Cole said.',
      'Officials said the canton would act. "We cannot wait for the glaciers," said Pierre Rochat, the canton\'s minister for energy.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'bought our votes').speaker).toMatchObject({ name: 'Luis Acevedo', role: 'dock crane operator' });
    expect(find(qs, 'We are waiting').speaker).toMatchObject({ name: 'John Bolton', role: 'National Security Adviser' });
    expect(find(qs, 'will not pass').speaker).toMatchObject({ name: 'Ann Cole', role: 'Republican strategist' });
    expect(find(qs, 'cannot wait').speaker).toMatchObject({ name: 'Pierre Rochat', role: "the canton's minister for energy" });
  });

  it('resolves "X said" and "said X", colon introductions, and a later surname to the full name', () => {
    const text = article(
      'Budget fight',
      'City treasurer Omar Haddad warned on Monday that reserves were thin.',
      '"We cannot keep borrowing," Haddad said.',
      'Council member Grace Liu disagreed. She wrote on her blog: "The reserves are fine and the treasurer knows it."',
      '"Ask anyone who reads the audit," said Liu.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'keep borrowing').speaker).toMatchObject({ name: 'Omar Haddad', role: 'city treasurer' });
    expect(find(qs, 'reserves are fine').speaker?.name).toBe('Grace Liu');
    expect(find(qs, 'Ask anyone').speaker).toMatchObject({ name: 'Grace Liu', role: 'council member' });
  });

  it('resolves a pronoun to the last person of the matching gender', () => {
    const text = article(
      'Trial opens',
      'Prosecutor Linda Shaw questioned the witness, Mr. Peter Grant, for three hours.',
      '"I never saw the money," he said. "That is simply not credible," she replied.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'never saw').speaker?.name).toBe('Peter Grant');
    expect(find(qs, 'not credible').speaker?.name).toBe('Linda Shaw');
  });

  it('gives a participle or a colon hand-over the speaker of the sentence before it', () => {
    const text = article(
      'Debate',
      'Senator Maria Lopez attacked the plan on Tuesday, calling it "a giveaway to the richest families in the state."',
      'Governor Paul Hendricks answered in a statement:',
      '"The plan cuts taxes for every working family, and the senator knows that."',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'giveaway').speaker?.name).toBe('Maria Lopez');
    expect(find(qs, 'cuts taxes').speaker).toMatchObject({ name: 'Paul Hendricks', role: 'Governor' });
  });

  it('carries the speaker forward into a paragraph that opens with a quote and no cue', () => {
    const text = article(
      'Coach quits',
      '"I gave this club ten years," coach Daniel Reyes said on Friday.',
      '"It is time for someone with fresh ideas."',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'fresh ideas').speaker?.name).toBe('Daniel Reyes');
  });

  it('finds the speaker in the previous or next sentence', () => {
    const text = article(
      'Storm',
      'Forecaster Nina Patel was blunt about the storm. She said it plainly. "Stay indoors tonight."',
      '"The river will crest by noon." Patel gave that warning at a briefing.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'Stay indoors').speaker?.name).toBe('Nina Patel');
    expect(find(qs, 'river will crest').speaker?.name).toBe('Nina Patel');
  });

  it('keeps a null speaker when nobody is named, and never invents one', () => {
    const text = article(
      'Graffiti',
      'Posters reading "No parking after dark" appeared overnight. Nobody claimed them.',
      '"Somebody has to clean this up before the weekend."',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'No parking').speaker).toBeNull();
    expect(find(qs, 'Somebody has to').speaker).toBeNull();
  });

  it('gives a described source as the text words it, and never as a key quote', () => {
    const text = article(
      'Graffiti',
      'Mayor Tom Reed promised a clean-up on Monday.',
      '"We are looking into it and will have crews out there tomorrow," a spokesman for the city said.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'We are looking').speaker).toMatchObject({ name: 'a spokesman for the city' });
    expect(selectKeyQuotes(text, qs)).toEqual([]);
    // A thing is no speaker: the sign's words are found, but nobody is named for them.
    const sign = 'Graffiti\n\nA neighbour said little. A sign on the wall read "No parking after dark, by order of the residents."';
    const [q] = findQuotes(sign);
    expect(q?.speaker).toBeNull();
    expect(selectKeyQuotes(sign, findQuotes(sign))).toEqual([]);
  });

  it('marks scare quotes and titles as scare, real speech as speech', () => {
    const text = article(
      'TV',
      'The host of "Morning Talk Live" called the plan "reckless" in a broadcast.',
      '"This plan will cost every family a fortune," host Kevin Marsh said.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'Morning Talk Live').kind).toBe('scare');
    expect(find(qs, 'reckless').kind).toBe('scare');
    expect(find(qs, 'cost every family').kind).toBe('speech');
  });
});

describe('selectKeyQuotes', () => {
  it('picks the named, full-sentence quotes and never scare quotes or unattributed ones', () => {
    const text = article(
      'Water plan approved',
      'Governor Ellen Brooks called the plan "historic" on Tuesday.',
      '"This is the largest investment in clean water our state has ever made," Brooks said.',
      '"Every town will get new pipes within five years," said Water Commissioner Raj Mehta.',
      '"Some of these promises have been made before," a resident said.',
      '"Every town will get new pipes within five years, we promise," Mehta added.',
    );
    const qs = findQuotes(text);
    const key = selectKeyQuotes(text, qs);
    expect(key.map((q) => q.speaker?.name)).toEqual(['Ellen Brooks', 'Raj Mehta']);
    expect(key.some((q) => q.text === 'historic')).toBe(false);
    expect(selectKeyQuotes(text, qs, 1)).toHaveLength(1);
  });

  it('chooses Bolton, Pompeo and Sanders on the sample article, with names and roles', () => {
    const text = sampleText();
    const qs = findQuotes(text);
    const key = selectKeyQuotes(text, qs);
    expect(key.map((q) => ({ name: q.speaker?.name, role: q.speaker?.role }))).toEqual([
      { name: 'John Bolton', role: 'National Security Adviser' },
      { name: 'Mike Pompeo', role: 'US Secretary of State' },
      { name: 'Sarah Sanders', role: 'White House press secretary' },
    ]);
    expect(key[0]?.text).toMatch(/^President Trump can't make the North Koreans walk through the door he's holding open\./);
    expect(key[1]?.text).toMatch(/^Sanctions will remain in place until final, fully verified denuclearisation/);
    expect(key[2]?.text).toBe('further indication of the progress that we hope to continue to make');
    expect(find(qs, 'final').kind).toBe('scare');
    expect(find(qs, 'very warm').kind).toBe('scare');
    for (const q of key) expect(text.slice(q.start, q.end)).toBe(q.text);
  });
});

describe('quotesForEval', () => {
  it('lists only quotes in the double marks the gold set counts', () => {
    const text = article('H', "''We will appeal,'' said Ann Moss, the defence lawyer. \"We expect to win,\" she added.");
    const qs = findQuotes(text);
    expect(qs.map((q) => q.text)).toEqual(['We will appeal', 'We expect to win']);
    expect(quotesForEval(text, qs).map((q) => q.text)).toEqual(['We expect to win']);
  });

  it('keeps speech and attributed quotes and drops unattributed scare quotes', () => {
    const text = article('H', 'The so-called "woke" agenda dominated the week. "It is a good law," Senator Amy Cole said of the "final" draft.');
    const kept = quotesForEval(text, findQuotes(text)).map((q) => q.text);
    expect(kept).toContain('It is a good law');
    expect(kept).not.toContain('woke');
  });

  it('gives offsets that include the marks, and lists a cued quote whose subject names no one', () => {
    const text = article('H', 'Residents were angry. They called the plan "a disgrace." Critics of the mayor agree.');
    const [q] = quotesForEval(text, findQuotes(text));
    expect(q?.text).toBe('a disgrace.');
    expect(q?.speaker).toBeNull();
    expect(text.slice(q?.start, q?.end)).toBe('"a disgrace."');
  });
});

describe('findMarkSpans via findQuotes: odd marks', () => {
  it('opens a quote at a paragraph start even with a closing-shaped mark before an ellipsis', () => {
    const text = article('H', 'Dana Reyes wrote about the vote.', '” … the count was slow but fair,” Reyes wrote.');
    const q = find(findQuotes(text), 'count was slow');
    expect(q.text.startsWith('…')).toBe(true);
    expect(q.speaker?.name).toBe('Dana Reyes');
  });

  it('does not continue a straight-quoted paragraph into a curly-quoted one', () => {
    const text = article(
      'H',
      '"Melanie thought the whole thing was unfair. She was never a danger to anyone.',
      '“It never crossed my mind,” she said months later.',
    );
    const q = find(findQuotes(text), 'never crossed');
    expect(q.text).toBe('It never crossed my mind');
  });

  it("ends an unclosed quote where the next paragraph opens with another speaker's turn label", () => {
    const text = article(
      'H',
      'The host interviewed Governor Ann Reyes on Sunday.',
      '"HOST: Governor, the plan has critics. Will it pass?',
      '"REYES: Well, look, it will pass. The votes are there.',
      '"HOST: And the cost?',
    );
    const quotes = findQuotes(text);
    expect(find(quotes, 'Will it pass').text).toBe('HOST: Governor, the plan has critics. Will it pass?');
    expect(find(quotes, 'votes are there').speaker?.name).toBe('Ann Reyes');
  });
});

describe('findQuotes: more speaker cues', () => {
  it('takes a described party member after the verb as the source', () => {
    const text = article('H', 'Voters were split. "It is hers to lose," said one Iowa Republican.');
    expect(find(findQuotes(text), 'hers to lose').speaker).toMatchObject({ name: 'one Iowa Republican' });
  });

  it('reads "…, said X" after a quote that runs on into the sentence', () => {
    const text = article('H', 'Analysts doubt it. "It seems extremely unlikely" that Mayor Grant can pass the plan, said Ana Ortiz, a pollster in Denver.');
    expect(find(findQuotes(text), 'extremely unlikely').speaker?.name).toBe('Ana Ortiz');
  });

  it('does not read "state" after a preposition as a reporting verb, and gives "and then said" the sentence subject', () => {
    const text = article('H', 'Governor Tom Lee summed up the bill as "a disaster" and then said his secretary of state would fight it.');
    expect(find(findQuotes(text), 'a disaster').speaker?.name).toBe('Tom Lee');
  });

  it('survives a closing parenthesis at the very start of the text', () => {
    expect(() => findQuotes(') said “ The')).not.toThrow();
  });

  it('takes a dash byline after the closing mark as the speaker, line by line', () => {
    const text = article('Readers respond', 'We asked readers about the debate.', '“He is not ready for the job.” ― Ana Ruiz\n“We need jobs, not walls.” ― Tom Park.');
    const qs = findQuotes(text);
    expect(find(qs, 'not ready').speaker?.name).toBe('Ana Ruiz');
    expect(find(qs, 'not walls').speaker?.name).toBe('Tom Park');
  });

  it('reads a reporting word after a determiner and a modifier as a noun, and gives a colon quote the sentence subject', () => {
    const retort = article('H', 'Mayor Ana Ruiz spoke after the vote. Council member Tom Baker delivered a snappy retort: "No one is tearing this up."');
    expect(find(findQuotes(retort), 'tearing this up').speaker?.name).toBe('Tom Baker');
    const post = article('H', 'In a Facebook post after the debate, Tom Baker wrote: "I could not disagree more."');
    expect(find(findQuotes(post), 'disagree more').speaker?.name).toBe('Tom Baker');
  });

  it('takes the subject of a "with X calling" phrase as the speaker', () => {
    const text = article('H', 'Republicans were quick to react, with Senator Ann Cole calling the plan a "disaster" for the state.');
    expect(find(findQuotes(text), 'disaster').speaker).toMatchObject({ name: 'Ann Cole', role: 'Senator' });
  });

  it('resolves a pronoun to the subject of its sentence before the nearest compatible name', () => {
    const text = article('H', 'Tom Baker met Mayor John Ruiz on Monday, and afterwards he said the deal was "fair to all."');
    expect(find(findQuotes(text), 'fair to all').speaker?.name).toBe('Tom Baker');
  });

  it('gives "X, <interrupting phrase>, said" to X', () => {
    const text = article('H', 'Tom Baker, later alleging that Mayor John Ruiz had lied, said the refugees were "mostly men" and dangerous.');
    expect(find(findQuotes(text), 'mostly men').speaker?.name).toBe('Tom Baker');
  });

  it('reads a role from a relative clause after the name', () => {
    const leads = article('H', '"The talks will stall," said Robert Carlin, who leads the Asia program at the Stimson Center.');
    expect(find(findQuotes(leads), 'talks will stall').speaker).toMatchObject({ name: 'Robert Carlin', role: 'head of the Asia program at the Stimson Center' });
    const serves = article('H', 'Ana Ruiz, who serves as mayor of Dayton, said the plan was "a gift to the city."');
    expect(find(findQuotes(serves), 'a gift').speaker).toMatchObject({ name: 'Ana Ruiz', role: 'mayor of Dayton' });
    const polled = article('H', 'Ana Ruiz, who was among those polled, said the plan was "a gift to the city."');
    expect(find(findQuotes(polled), 'a gift').speaker).toMatchObject({ name: 'Ana Ruiz' });
  });

  it('treats a name with a role appositive as a person even when a name word looks like a place', () => {
    const text = article('H', 'Marty West, an education professor at Harvard who once worked for Sen. Lamar Alexander, one of the bill’s architects, called it “an incredibly significant development.”');
    expect(find(findQuotes(text), 'significant development').speaker?.name).toBe('Marty West');
  });

  it('looks past a verb without a speaker to the reporting verb later in the sentence', () => {
    const text = article('H', 'Dana Fox runs the fund.', '"There is a sense of stability now," and donations began to pick up again last week, Fox said.');
    expect(find(findQuotes(text), 'sense of stability').speaker?.name).toBe('Dana Fox');
  });

  it('reads "shot back", "went on" and "barked" as reporting verbs', () => {
    const text = article(
      'H',
      '“Look at all these supporters,” Sandra Paris said with a smirk.',
      '“They are here for the free stuff,” Jim Bennett shot back with a laugh.',
      '“You know, it happens,” Tom Ruiz went on. “Get over it.”',
      '“Start over,” Ann Cole barked.',
    );
    const qs = findQuotes(text);
    expect(find(qs, 'free stuff').speaker?.name).toBe('Jim Bennett');
    expect(find(qs, 'it happens').speaker?.name).toBe('Tom Ruiz');
    expect(find(qs, 'Start over').speaker?.name).toBe('Ann Cole');
  });

  it('takes a dash byline that opens the next paragraph', () => {
    const text = article('Quotable', '"The whole idea needs to stop."', '- Michelle Marks, Philadelphia.', '"We will get there."', '— Senator Ann Cole, in a tweet.');
    const qs = findQuotes(text);
    expect(find(qs, 'needs to stop').speaker?.name).toBe('Michelle Marks');
    expect(find(qs, 'get there').speaker?.name).toBe('Ann Cole');
  });

  it('names the source after "according to" even without a word for a person, and reads "pointed out"', () => {
    const caller = article('H', 'According to the Daily Caller, "the reporter coordinated with the aide on every post."');
    expect(find(findQuotes(caller), 'coordinated').speaker?.name).toBe('the Daily Caller');
    const hill = article('H', 'But as The Hill pointed out, "the senator has so far declined to release any tax returns."');
    expect(find(findQuotes(hill), 'declined').speaker?.name).toMatch(/Hill$/);
  });

  it('takes any short noun phrase after "said" right after a quote, but not an object clause before one', () => {
    const after = article('H', '"It is hard to come back to work," said the designer, who asked not to be named.');
    expect(find(findQuotes(after), 'come back').speaker?.name).toBe('the designer');
    const before = article('H', 'Tom Ruiz said the plan was "a disaster for the town."');
    expect(find(findQuotes(before), 'disaster').speaker?.name).toBe('Tom Ruiz');
  });
});
