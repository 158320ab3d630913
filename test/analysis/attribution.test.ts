import { describe, expect, it } from 'vitest';
import { type FoundQuote, findQuotes, selectKeyQuotes } from '../../lambda/shared/analysis/quotes/index.ts';
import { SIEVES } from '../../lambda/shared/analysis/quotes/sieves/index.ts';

// Short articles written for these tests, one per error class of issue 14.
const article = (...paras: string[]): string => paras.join('\n\n');
const quote = (text: string, words: string): FoundQuote => {
  const q = findQuotes(text).find((x) => x.text.includes(words));
  if (!q) throw new Error(`no quote containing ${JSON.stringify(words)}`);
  return q;
};

describe('pronouns: centering, not the nearest name', () => {
  it('gives "he" the subject of the previous sentence, not a man named later in it', () => {
    const text = article(
      'General speaks out',
      'In an interview on Monday, retired general Norman Hale said he had doubts about the army under President Victor Mendes.',
      '"It was demoralizing to serve," he said.',
    );
    expect(quote(text, 'demoralizing').speaker?.name).toBe('Norman Hale');
  });

  it("keeps the paragraph's established speaker when the sentence between has no person as subject", () => {
    const text = article(
      'Party rules',
      'Former chairman Don Fowler said the party should prepare. The bylaws give few guidelines.',
      '"You would be a fool not to prepare," he said.',
    );
    expect(quote(text, 'a fool').speaker?.name).toBe('Don Fowler');
  });

  it('follows a chain of pronouns back to the name that started it', () => {
    const text = article(
      'Ban vote',
      'Senator Paula Grant spoke first. She said the ban had failed. She added that Mayor Ruth Diaz had been warned.',
      '"We told everyone in March," she said.',
    );
    expect(quote(text, 'told everyone').speaker?.name).toBe('Paula Grant');
  });

  it('never resolves he or she to a place or an organisation, and "they" never to a person', () => {
    const place = article('Flood', 'Texas faces record floods this week.', '"The water keeps rising," she said.');
    expect(quote(place, 'keeps rising').speaker).toBeNull();
    const they = article('Letter', 'Tom Reed wrote to the governor.', '"The program must end," they wrote.');
    expect(quote(they, 'must end').speaker).toBeNull();
  });

  it('gives "they" to two people named together as a subject, and never "he" to either', () => {
    const text = article('Letter', 'Senators Tom Reed and Ann Lowe sent a letter to the governor.', '"The program must end," they wrote.');
    expect(quote(text, 'must end').speaker?.name).toBe('Tom Reed and Ann Lowe');
    const he = article('Letter', 'Senators Tom Reed and Dan Cole sent a letter to the governor.', '"The program must end," he wrote.');
    expect(quote(he, 'must end').speaker).toBeNull();
  });

  it('gives "they" the two people a plural subject names as its members ("Critics, like Senators Reed and Lowe, …")', () => {
    const text = article(
      'Visa',
      'Critics of the EB-5 visa program, like Senators Tom Reed, Republican of Iowa, and Ann Lowe, Democrat of Vermont, see renewal as a chance to fix it. They sent a letter on Thursday.',
      '"The program must be reformed or allowed to expire," they wrote.',
    );
    expect(quote(text, 'must be reformed').speaker?.name).toBe('Tom Reed and Ann Lowe');
  });

  it('reads the subject after a short opening phrase ("Ultimately, Mr. Clarke …", "But right now, he …")', () => {
    const text = article(
      'Coal plan',
      'Ultimately, Mr. Tom Clarke hopes to offset all of his emissions. But right now, he is offsetting only a tenth. That worries activists.',
      '"It is all I can afford," he said.',
    );
    expect(quote(text, 'all I can afford').speaker?.name).toBe('Tom Clarke');
  });

  it('reads the subject after an opening participial phrase ("Looking ahead to …, Hale explained")', () => {
    const text = article(
      'Vote',
      '"We are on our fourth manager," Tom Hale said. "None of them gave Mayor Dan Cole what he wanted."',
      'Looking ahead to the vote next spring and the budget after it, Hale explained why he backs Ed Park for the seat.',
      '"This town needs a leader," he said.',
    );
    expect(quote(text, 'needs a leader').speaker?.name).toBe('Tom Hale');
  });

  it('gives a pronoun that opens the main clause the subject of the opening clause ("Although the IMF …, it")', () => {
    const text = article(
      'Outlook',
      'The outlook darkened on Tuesday. Although the IMF did not name any country, it warned that "political tensions" were slowing growth.',
      'After Tom Hale left the stage, he told reporters that "the race is over" for his rivals.',
    );
    expect(quote(text, 'political tensions').speaker?.name).toBe('IMF');
    expect(quote(text, 'race is over').speaker?.name).toBe('Tom Hale');
  });

  it('does not take the gender of a surname that is also a first name ("Scott") from the first-name list', () => {
    const text = article(
      'Video released',
      'Police shot Keith Scott on Tuesday. In the video Rakeyia Scott can be heard yelling. Officers shout at Scott to drop the gun.',
      'She tells them that her husband is unarmed. "Do not shoot him," she says.',
    );
    expect(quote(text, 'Do not shoot').speaker?.name).toBe('Rakeyia Scott');
  });

  it('gives "she" the person a role belongs to, not the name the role is of ("Reyes outreach director Ann Lowe said")', () => {
    const text = article(
      'Campaign',
      'Mayor Carla Reyes spoke in the park on Sunday.',
      'Reyes outreach director Ann Lowe said turnout was high. "We had more volunteers than ever," she said.',
    );
    expect(quote(text, 'more volunteers').speaker?.name).toBe('Ann Lowe');
  });

  it('does not count a prepositional object as a rival for "he" ("a demand of Mayor Reyes")', () => {
    const text = article(
      'Rally',
      'At a rally in Salem, Oregon, Dan Ortiz says he is making "a demand" of Mayor Tom Reyes.',
      '"Will you pledge to cut taxes before the vote in May?" he asks.',
    );
    expect(quote(text, 'pledge to cut').speaker?.name).toBe('Dan Ortiz');
  });

  it('resolves "the mayor" to the mayor named before, through an opening place and an idiom ("too early to tell")', () => {
    const text = article(
      'Blast',
      'The blast was what Mayor Tom Reyes called "an intentional act."',
      'At a press conference in Chelsea, the mayor also said that it was too early to tell whether it was a bomb, and there was "no evidence" of terror.',
    );
    expect(quote(text, 'no evidence').speaker?.name).toBe('Tom Reyes');
  });

  it('abstains when two people of the same gender compete and the text does not decide', () => {
    const text = article(
      'Debate',
      'Mark Stone met Paul Weber after the debate. Voters were divided.',
      'Later the crowd thinned. "That was a disaster," he said.',
    );
    expect(quote(text, 'a disaster').speaker).toBeNull();
  });

  it('gives "she" the woman the previous sentence introduces before a speaker from an earlier paragraph', () => {
    const text = article(
      'Outreach',
      'Ana Ruiz doubted the outreach.',
      '"It comes across as pandering," she said.',
      'It has become an issue in the race, with Maria Lopez, the caucus head, attacking the plan.',
      '"No one is writing songs for us," she said.',
    );
    expect(quote(text, 'writing songs').speaker?.name).toBe('Maria Lopez');
  });

  it('never gives "he" to an organisation the previous sentence names ("told AFP")', () => {
    const text = article(
      'Anchor',
      'Anchor Jorge Ramos spoke out on Monday.',
      '"We were wrong from the start," Ramos, 58, told AFP in an interview in the capital.',
      '"Many simply did not react," he said.',
    );
    expect(quote(text, 'did not react').speaker?.name).toBe('Jorge Ramos');
  });

  it('gives a quote in a clause of time to its own subject, not to who labelled that person earlier in the sentence', () => {
    const text = article(
      'Mayor called a disgrace',
      'Gov. Dan Ortiz described Mayor Ann Lowe as a "disgrace" after she blamed the floods on "years of neglect" in the city.',
    );
    expect(quote(text, 'disgrace').speaker?.name).toBe('Dan Ortiz');
    expect(quote(text, 'years of neglect').speaker?.name).toBe('Ann Lowe');
  });

  it('reads the subject past a title set off after an opening phrase ("In her memoir, Second Wind, Ann Lowe …")', () => {
    const text = article('Memoir', 'In her 2011 memoir, Second Wind, Ann Lowe described the injury.', '"It was the worst week of my life," she said.');
    expect(quote(text, 'worst week').speaker?.name).toBe('Ann Lowe');
  });

  it('gives "he" the man the previous sentence introduces with a role, among several men named there', () => {
    const text = article(
      'Songs',
      '"A lot of it comes across as pandering," Bryan Cole said.',
      'While Obama had many artists writing songs for him, that has not happened for Clinton, which worries Henry Diaz, president of the county caucus.',
      '"No one is writing songs for her," he said.',
    );
    expect(quote(text, 'writing songs for her').speaker?.name).toBe('Henry Diaz');
  });

  it('reads "Ortiz\'s been making the case" as Ortiz the subject, not a possessor', () => {
    const text = article(
      'Debate',
      '"He is not ready," Dan Ortiz said on Friday.',
      'Dan Ortiz\'s been making the case for weeks that Tom Hale is not ready. "You have never been held accountable," he said.',
    );
    expect(quote(text, 'held accountable').speaker?.name).toBe('Dan Ortiz');
  });

  it('keeps the established speaker when the previous sentence names someone only after a preposition or as a modifier', () => {
    const text = article(
      'Rallies',
      '"Faith matters," Glenn Hart said.',
      'The radio host has filled his speeches for Ted Moss with religious imagery.',
      '"He was raised for these times," he said.',
      'Nine reasons favour a Dan Cole presidency.',
      '"Anyone is better than the other side," he said.',
    );
    expect(quote(text, 'raised for these').speaker?.name).toBe('Glenn Hart');
    expect(quote(text, 'Anyone is better').speaker?.name).not.toBe('Dan Cole');
  });
});

describe('first person and relayed quotes', () => {
  it('gives "I" in a letter to the signature that closes it, and to no one in an unsigned piece', () => {
    const letters = article('Letters', 'The library matters. "Keep the library open," I told the council.', 'Chris Smith.', 'I disagree with every word of it.', 'Dana Fox.');
    expect(quote(letters, 'Keep the library').speaker?.name).toBe('Chris Smith');
    const unsigned = article('Memories', 'I laughed and said, "I do not believe in ghosts."');
    expect(quote(unsigned, 'believe in ghosts').speaker).toBeNull();
  });

  it('gives "my father" and "my mother" the names the piece gives them, and "he"/"she" the relative the previous sentence is about', () => {
    const text = article(
      'My father would have voted for him',
      'I grew up in a fearful household.',
      'My father bought land upstate. "We live in dark times," my father often said.',
      'He also told his friends that "fear is the answer."',
      'Lest you think my parents, James and Olive Hale, were uneducated, I should say more. My mother has softened, but even now she still says "people are not equal."',
    );
    expect(quote(text, 'dark times').speaker?.name).toBe('James Hale');
    expect(quote(text, 'fear is the answer').speaker?.name).toBe('James Hale');
    expect(quote(text, 'not equal').speaker?.name).toBe('Olive Hale');
    // Unnamed, the relative stays a description: never a proper name.
    const unnamed = article('Home', 'My father bought land upstate.', 'He often told us that "fear is the answer."');
    expect(quote(unnamed, 'fear is the answer').speaker?.name).toBe('my father');
  });

  it('gives a relayed quote to its original speaker, not to who relays it', () => {
    const text = article('Memoir', 'Anna Weiss remembers her father, Karl Weiss, well. She recalled him saying "work comes first" every morning.');
    expect(quote(text, 'work comes first').speaker?.name).toBe('Karl Weiss');
  });
});

describe('a speaker must be a speaker', () => {
  it('never names an adjective or a thing', () => {
    const text = article(
      'Budget Talks Collapse Again',
      'Democratic leaders called the offer "an insult" on Friday.',
      'A poll released on Monday found voters "deeply uneasy" about the plan.',
    );
    expect(quote(text, 'an insult').speaker?.name).not.toBe('Democratic');
    expect(quote(text, 'deeply uneasy').speaker).toBeNull();
  });

  it('never takes a Title Case headline of two or three words for a name', () => {
    const text = article('Grant Wins Again', '"We were ready for this one," he said after the vote.');
    expect(quote(text, 'ready for this').speaker).toBeNull();
  });

  it("gives a document's words to the author the text names, never to the document", () => {
    const text = article(
      'Harbor',
      'The Harbor Council issued a statement calling the plan "a clear breach" of its rules. The statement noted that the council would take "further steps" soon.',
      'Ana Ruiz\'s memo said the budget was "sound and fair." The letter argued the opposite, calling it "a fantasy."',
    );
    expect(quote(text, 'clear breach').speaker?.name).toBe('Harbor Council');
    expect(quote(text, 'further steps').speaker?.name).toBe('Harbor Council');
    expect(quote(text, 'sound and fair').speaker?.name).toBe('Ana Ruiz');
    expect(quote(text, 'a fantasy').speaker).toBeNull();
  });

  it('lets the proper name of a body speak, and describes a party member, but never names a people or a faith', () => {
    const text = article(
      'Reactions',
      'The American Legion asked the campaign to "cease and desist" at once.',
      'In an interview, the Ohio Republican said voters are "tired of waiting."',
      'A Chechen Muslim leader said the cartoon was "an insult to believers."',
    );
    expect(quote(text, 'cease and desist').speaker?.name).toBe('American Legion');
    expect(quote(text, 'tired of waiting').speaker?.name).toBe('the Ohio Republican');
    // …and a party word is no role: "the Ohio Republican" is not whichever Republican nominee came before.
    const nominee = article('Race', 'Republican presidential nominee Dan Ortiz spoke first.', 'In an interview, the Ohio Republican said voters are "tired of waiting."');
    expect(quote(nominee, 'tired of waiting').speaker?.name).toBe('the Ohio Republican');
    expect(quote(text, 'insult to believers').speaker?.name).toBe('a Chechen Muslim leader');
  });

  it('never gives an unnamed source ("63 percent") the name that follows its verb', () => {
    const text = article('Poll', 'However, 63 percent said Mayor Ruiz was "justified" in keeping the report private.');
    expect(quote(text, 'justified').speaker).toBeNull();
  });

  it('never reads a clause ("She said parents …") as a description of the speaker', () => {
    const text = article(
      'Leave',
      'Ann Lowe, the council clerk, read the rule out. She said parents who adopt would not be eligible, and when pressed, the 40-year-old mother of two replied, "It is meant for the mother who has given birth."',
    );
    expect(quote(text, 'meant for the mother').speaker?.name).toBe('Ann Lowe');
  });

  it('lets an organisation speak', () => {
    const text = article('Race', '"We will win Ohio," the Trump campaign said.', 'The result was "a surprise," noted the Milwaukee Journal Sentinel.');
    expect(quote(text, 'win Ohio').speaker?.name).toBe('the Trump campaign');
    expect(quote(text, 'a surprise').speaker?.name).toMatch(/Milwaukee Journal Sentinel$/);
  });

  it('lets "it" stand for a campaign named for a person, and never "he" for the campaign', () => {
    const text = article(
      'Tweets',
      "Tom Hale's campaign is defending his tweets about a rival. It is denouncing what it calls \"the biggest smear in history.\"",
      'The Reyes campaign said on Monday that the tweets were cruel. It called them "a new low" for the race.',
      "Hale's campaign manager Dan Cole said the tweets were fine. \"They were jokes,\" he said.",
    );
    expect(quote(text, 'biggest smear').speaker?.name).toBe("Tom Hale's campaign");
    expect(quote(text, 'a new low').speaker?.name).toBe('the Reyes campaign');
    expect(quote(text, 'were jokes').speaker?.name).toBe('Dan Cole');
  });

  it('reads a group named for a person the same way as a speaker and as an antecedent, and never gives its role to the person', () => {
    const text = article(
      'Race',
      'Ann Reyes spoke in Ohio on Monday.',
      '"We are winning the state," the Reyes campaign manager said.',
      'The Reyes campaign said the state was close. It called the count "a coin toss" on Tuesday.',
    );
    expect(quote(text, 'winning the state').speaker?.name).toBe('the Reyes campaign manager');
    expect(quote(text, 'a coin toss').speaker?.name).toBe('the Reyes campaign');
  });

  it('reads nominal and infinitive cues', () => {
    const claim = article('Check', 'Fact-checkers looked at Donald Trump\'s claim that there were "thousands of shootings" last year.');
    expect(quote(claim, 'thousands').speaker?.name).toBe('Donald Trump');
    const footage = article('Ad', 'The new ad uses footage of Hillary Clinton asking, "Why aren\'t I fifty points ahead?"');
    expect(quote(footage, 'fifty points').speaker?.name).toBe('Hillary Clinton');
    const tweet = article('Truce', 'The truce lasted a day, only for Donald Trump to tweet "the deal is off" on Sunday.');
    expect(quote(tweet, 'deal is off').speaker?.name).toBe('Donald Trump');
  });
});

describe('one identity per person', () => {
  it('puts a peer\'s title first ("Teverson, Lord" → Lord Teverson) and keeps honorifics out of roles', () => {
    const text = article(
      'Lords debate',
      '"The bill is unworkable," said Teverson, Lord, in the chamber.',
      'British Medical Association leader Dr Mark Porter said the plan was "dangerous for patients."',
    );
    expect(quote(text, 'unworkable').speaker?.name).toBe('Lord Teverson');
    expect(quote(text, 'dangerous for patients').speaker).toMatchObject({ name: 'Mark Porter', role: 'British Medical Association leader' });
  });

  it('keeps the capital of a name that opens a role ("Hale\'s campaign manager")', () => {
    const text = article('Tweets', 'The rally ended late. Hale\'s campaign manager Dan Cole said "they were jokes" and left.');
    expect(quote(text, 'were jokes').speaker).toMatchObject({ name: 'Dan Cole', role: "Hale's campaign manager" });
  });

  it('resolves "Prof Oswald" to the Andrew Oswald introduced earlier', () => {
    const text = article('Happiness', 'Economist Andrew Oswald has studied wellbeing for decades.', '"Money matters less than we think," said Prof Oswald.');
    expect(quote(text, 'Money matters').speaker?.name).toBe('Andrew Oswald');
  });

  it('does not merge Mr. Lane into the only full name with that surname when the genders differ', () => {
    const text = article('Family', 'Michelle Lane runs the charity.', '"We never asked for money," Mr. Lane said.');
    expect(quote(text, 'asked for money').speaker?.name).not.toBe('Michelle Lane');
  });

  it('keeps "President Lane" apart from a Michelle Lane the article introduces only later', () => {
    const text = article(
      'Turnout',
      'President Lane told students on Friday that "a vote is a voice" and urged them to register.',
      'Michelle Lane, a teacher in the audience, said the speech was moving.',
    );
    expect(quote(text, 'a vote is a voice').speaker?.name).not.toBe('Michelle Lane');
  });

  it('gives an acronym the name of the body the article names in full ("IMF" → International Monetary Fund (IMF))', () => {
    const text = article(
      'Outlook',
      'The International Monetary Fund cut its forecast for growth on Tuesday.',
      'The IMF said "political tensions" were slowing trade. The FBI declined to comment.',
    );
    expect(quote(text, 'political tensions').speaker?.name).toBe('International Monetary Fund (IMF)');
  });

  it('gives a surname two people share to the one the text keeps as its subject, not the one named last', () => {
    const text = article(
      'Campaign',
      'Jeb Bush toured three towns on Monday, a day after his brother George W. Bush joined him on stage.',
      'Bush said the crowds were "bigger than anyone expected."',
    );
    expect(quote(text, 'bigger than anyone').speaker?.name).toBe('Jeb Bush');
  });

  it('gives a shared surname to the person named in full more often when neither was named as a subject', () => {
    const text = article(
      'Fundraiser',
      'A photo of Carla Webb hung beside a letter from Carla Webb to donors. The event honoured Frank Webb.',
      '"Every dollar counts," Webb said.',
    );
    expect(quote(text, 'Every dollar').speaker?.name).toBe('Carla Webb');
  });

  it('names only the surname when two people share it and the text does not say which', () => {
    const text = article('Farm', 'The farm belongs to Ann Dale and to Paul Dale.', '"We will not sell," Dale said.');
    expect(quote(text, 'will not sell').speaker?.name).toBe('Dale');
  });

  it('reads "she" after a surname two people share as the woman among them', () => {
    const text = article(
      'Rally',
      'The rally was run by Ann Dale and by Paul Dale.',
      'Dale thanked the volunteers. "We could not have done this alone," she said.',
    );
    expect(quote(text, 'could not have done').speaker?.name).toBe('Ann Dale');
  });

  it('never lets a surname stand for a phrase of a long Title Case headline that ends with it', () => {
    const text = article(
      'Woman Reveals The Kind Thing Ruiz Did For Her Family After Her Dad Lost The Farm',
      'The farm was saved in 1990 by a loan from Tom Ruiz.',
      '"I was glad to help," Ruiz said.',
    );
    expect(quote(text, 'glad to help').speaker?.name).toBe('Tom Ruiz');
  });
});

describe('confidence and the trace', () => {
  it('gives every named speaker a confidence in [0, 1] and names the sieve that decided', () => {
    const text = article('H', 'Mayor Ana Ruiz spoke on Monday. "We built it on time," Ruiz said. "And under budget."');
    for (const q of findQuotes(text)) {
      expect(q.speaker?.confidence).toBeGreaterThan(0.5);
      expect(q.speaker?.confidence).toBeLessThanOrEqual(1);
    }
    expect(quote(text, 'on time').trace).toMatch(/^cue after the quote \("Ruiz" is Ana Ruiz\)/);
    expect(quote(text, 'under budget').speaker?.name).toBe('Ana Ruiz');
  });

  it('keeps a weakly attributed quote out of the key quotes', () => {
    const text = article(
      'Bridge',
      'Engineer Tom Ruiz and inspector Dan Cole walked the bridge. Rain fell all day.',
      'Later the crowd thinned. "The cables are sound and the deck will hold for another fifty years at least," he said.',
    );
    const q = quote(text, 'cables are sound');
    expect(q.speaker).toBeNull();
    expect(selectKeyQuotes(text, findQuotes(text))).toEqual([]);
  });

  it('declares the sieves in one ordered list, most reliable first', () => {
    expect(SIEVES.map((s) => s.name)).toEqual([
      'transcript label',
      'dash byline',
      'cue after the quote',
      'nominal or infinitive cue',
      'perspective',
      'cue before the quote',
      'colon introduction',
      'cue later in the sentence',
      'subject of the sentence',
      'previous sentence',
      'speaker carried on',
    ]);
  });
});
