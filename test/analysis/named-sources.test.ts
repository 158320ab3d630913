import { describe, expect, it } from 'vitest';
import { type FoundQuote, findQuotes } from '../../lambda/shared/analysis/quotes/index.ts';
import { article } from './sieves/context.ts';

// Short articles written for these tests: the named-source error classes of issue 14 (the speaker
// phrase and its identity).
const quote = (text: string, words: string): FoundQuote => {
  const q = findQuotes(text).find((x) => x.text.includes(words));
  if (!q) throw new Error(`no quote containing ${JSON.stringify(words)}`);
  return q;
};

describe('one identity, one name as shown', () => {
  it('shows a name spelt with both apostrophes as the article spells it most often', () => {
    const text = article(
      'Blast',
      'The blast went off at 8 p.m., according to Police Commissioner James O’Neill.',
      '"The cause has not been determined," said O\'Neill. Asked about the device, O\'Neill said, "Not going into that."',
    );
    expect(quote(text, 'cause has not').speaker).toMatchObject({ name: "James O'Neill", role: 'Police Commissioner' });
    expect(quote(text, 'Not going').speaker?.name).toBe("James O'Neill");
  });

  it('shows a body named in full and by its initials as one name with both ("International Monetary Fund (IMF)")', () => {
    const text = article(
      'Outlook',
      'The International Monetary Fund cut its forecast on Tuesday. "Trade is slowing," the International Monetary Fund said.',
      'The IMF said "political tensions" were to blame.',
      '"The outlook is uncertain," the IMF report stated. The FBI declined to comment.',
    );
    for (const words of ['Trade is slowing', 'political tensions', 'outlook is uncertain']) {
      expect(quote(text, words).speaker?.name).toBe('International Monetary Fund (IMF)');
    }
  });
});

describe('the speaker phrase', () => {
  it('reads "responds to violence" as reacting, not as a reporting verb, but keeps "responded to the charge: "…""', () => {
    const text = article(
      'Debate',
      'The attack renewed debate over how the United States responds to militant violence, with Senator Ann Lowe telling reporters she viewed the mayor as "directly responsible" for it.',
      'Reed responded to the charge: "It is false."',
    );
    expect(quote(text, 'directly responsible').speaker?.name).toBe('Ann Lowe');
    expect(quote(text, 'It is false').speaker?.name).toBe('Reed');
  });

  it('never gives a quote to the object of a past-tense verb ("… thanked Obama for "…"")', () => {
    const text = article('Guns', 'Actress Kerry Washington, star of the series, thanked Obama for “taking these steps to make us all safer.”');
    expect(quote(text, 'taking these steps').speaker?.name).not.toBe('Obama');
    const subject = article('Guns', 'Lena Cole thanked Mayor Ruiz for “stepping up.”');
    expect(quote(subject, 'stepping up').speaker?.name).toBe('Lena Cole');
  });

  it('reads "a Tom Reed tweet" as a noun, not as Tom Reed tweeting the quote before it', () => {
    const text = article('The latest', 'Ana Ruiz is describing as "unhinged" a Tom Reed tweet attacking a former beauty queen.');
    expect(quote(text, 'unhinged').speaker?.name).toBe('Ana Ruiz');
    // …while a plural name is still the subject of its verb.
    const plural = article('Vote', '"The count was rigged," the Democrats claim in their appeal.');
    expect(quote(plural, 'count was rigged').speaker?.name).toBe('Democrats');
  });
});

describe('documents speak for whoever issued them', () => {
  it('gives "the Harbor Council statement" to the council, never to the statement', () => {
    const text = article('Harbor', 'The Harbor Council statement called the plan "a clear breach" of its rules.');
    expect(quote(text, 'clear breach').speaker?.name).toBe('Harbor Council');
  });

  it('gives "the campaign\'s statement" to the campaign', () => {
    const text = article('Case closed', 'The campaign\'s statement then declares "the matter is now concluded."');
    expect(quote(text, 'now concluded').speaker?.name).toBe('the campaign');
  });

  it('gives "said the ruling" to the court that ruled, and to no one when nobody is said to have ruled', () => {
    const ruled = article(
      'Voter rolls',
      'The appeals court ruled that the state\'s practices were unlawful.',
      '"A state cannot avoid the conclusion that its process is wrong," said the ruling.',
    );
    expect(quote(ruled, 'cannot avoid').speaker?.name).toBe('the appeals court');
    const unknown = article('Voter rolls', 'The practice is old.', '"A state cannot avoid the conclusion that its process is wrong," said the ruling.');
    expect(quote(unknown, 'cannot avoid').speaker).toBeNull();
  });
});

describe('"the union", "the department": the body named before', () => {
  it('gives "the union" the one union-like body named before it', () => {
    const text = article(
      'Union endorses',
      'In a statement announcing the pick, the Association of Flight Attendants called Ann Lowe a “champion” for its members.',
      '“Her fight has opened the door for women,” the union wrote.',
    );
    expect(quote(text, 'opened the door').speaker?.name).toBe('Association of Flight Attendants');
  });

  it('keeps "the union" a description when two unions were named, or none', () => {
    const two = article('Strike', 'The Harbor Workers Union and the Dockers Federation met on Monday.', '"We will strike," the union said.');
    expect(quote(two, 'We will strike').speaker?.name).toBe('the union');
    const none = article('Strike', 'Ana Ruiz met the dockers on Monday.', '"We will strike," the union said.');
    expect(quote(none, 'We will strike').speaker?.name).toBe('the union');
  });
});

describe('a capitalised word is not always a name', () => {
  it('reads a word after a closing mark and a full stop as opening a sentence ("…good.” Adding, “…”")', () => {
    const text = article('Show', 'Later, Hale said the report “wasn’t good.” Adding, “Now it is always how they handle it.”', 'She cited a survey: “Voters are angry.”');
    expect(quote(text, 'always how').speaker?.name).not.toBe('Adding');
    expect(quote(text, 'Voters are angry').speaker?.name).not.toBe('Adding');
  });

  it('lowercases a description whose first word is capitalised only because it opens the sentence', () => {
    const text = article('Fares', 'Opposition councillors said the freeze was "a stunt before the election."');
    expect(quote(text, 'a stunt').speaker?.name).toBe('opposition councillors');
  });

  it('never names an opening preposition, a state abbreviation or a nationality', () => {
    const text = article(
      'Notes',
      'Alongside BLM calls for action, a top strategist said the mayor will have to choose, saying, "At some point she has to come out."',
      'At a conference in Aspen, Colo., the Stanford graduate ended her speech with a line: "Every obstacle yields to stern resolve."',
      'First, Reed identified the judge as "Spanish," which is what some call people who speak it.',
    );
    expect(quote(text, 'At some point').speaker?.name).toBe('a top strategist');
    expect(quote(text, 'Every obstacle').speaker?.name).toBe('the Stanford graduate');
    expect(quote(text, 'Spanish').speaker?.name).not.toBe('Spanish');
  });

  it('keeps "of" inside the name of a body ("the Association of Flight Attendants")', () => {
    const text = article(
      'Union endorses',
      'In a statement announcing the pick, the Association of Flight Attendants called Ann Lowe a “champion” for its members.',
    );
    expect(quote(text, 'champion').speaker?.name).toBe('Association of Flight Attendants');
  });
});

describe('documents: who issued them', () => {
  it('finds who issued a statement after an opening phrase, and never takes a headline for the author of "the piece"', () => {
    const text = article(
      'Test',
      'Following a swiftly called, late-afternoon meeting, the Harbor Council issued a statement calling the test "a clear violation" of its rules.',
    );
    expect(quote(text, 'clear violation').speaker?.name).toBe('Harbor Council');
    const read = article(
      'Tax story',
      'Years ago, a Times article hailed Reed as “The Comeback Kid” for his work.',
      '“Business leaders honored Tom Reed yesterday for the comeback of the decade,” the article read.',
    );
    expect(quote(read, 'Business leaders').speaker?.name).toBe('Times');
    const memoir = article(
      'Doctor',
      'Lowe wrote a memoir of her time at the White House.',
      '“Very few people knew of the clot at the time,” the book said.',
    );
    expect(quote(memoir, 'Very few people').speaker?.name).toBe('Lowe');
    const piece = article('Harbor Post Hit Piece Exploits Voter with Health Issues', 'The piece used one of her lines as its headline: "Finally, someone who thinks like me."');
    expect(quote(piece, 'thinks like me').speaker?.name ?? '').not.toMatch(/Piece/);
  });
});

describe('titles and roles apart from the name', () => {
  it('keeps a title word that is part of a body\'s name ("Justice Department"), and splits a real title ("Chief Justice")', () => {
    const text = article(
      'Memo',
      '"We are reviewing it," the Justice Department said. Chief Justice John Roberts said the case was "closed."',
    );
    expect(quote(text, 'reviewing it').speaker).toMatchObject({ name: 'Justice Department' });
    expect(quote(text, 'reviewing it').speaker?.role).toBeUndefined();
    expect(quote(text, 'closed').speaker).toMatchObject({ name: 'John Roberts', role: 'Chief Justice' });
  });
});
