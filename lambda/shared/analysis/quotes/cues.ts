/**
 * Reporting cues: whether a token is a verb that reports speech ("said", "told", "according to",
 * "shot back"), and the small word classes the sieves use around cues and speakers.
 */
import { CUE_VERBS, DOCUMENT_NOUNS, ROLE_HEADS } from './lexicon.ts';
import type { Token } from './tokens.ts';

const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

export const DASHES = new Set(['\u2015', '\u2014', '\u2013', '-', '--']);
const PHRASAL_CUES = new Map([
  ['shot', 'back'], ['shoots', 'back'], ['fired', 'back'], ['fires', 'back'], ['hit', 'back'], ['hits', 'back'], ['pushed', 'back'],
  ['went', 'on'], ['goes', 'on'], ['pointed', 'out'], ['points', 'out'], ['spoke', 'out'], ['lashed', 'out'], ['chimed', 'in'],
]);
/** Reporting words that are as often nouns, in their noun forms ("a post", "the call"). */
const NOUN_CUES = words('post call question answer report reply retort remark remarks tweet note claim charge promise pledge vow quote joke boast reason warning statement comment comments complaint message read');
/** Prepositions after which a cue word is a noun ("to" is left out: "went on to say"). */
const NOUN_PREPOSITIONS = words('of in on at for from with by about into per under without');
/** Words before a noun that show a cue word is used as a noun ("the note", "a statement"). */
export const DETERMINERS = words('the a an one this that his her their its our my your whose no any every each');
export const PREPOSITIONS = words('for to of with by about at on in from against than like into toward towards over under between among and through across around near behind outside inside along past via throughout beside');
/** Words that open a described source: "a spokesman", "one adviser", "the senator". */
export const DESCRIBERS = words('the a an one another two three several some many his her their its');
/** Words that end a described source: "a spokesman for the city, who …". */
export const NP_STOP = words('who whom whose which that said says told and but in on at during after before when while because as last this yesterday today monday tuesday wednesday thursday friday saturday sunday recently later earlier');
export const SUBORDINATORS = words('when after before while if since although though because once until whether');
export const TIME_NOUNS = words('day days week weeks month months year years time times hour hours minutes moment night morning evening afternoon weekend later ago earlier decade decades');
export const CLAUSE_LINKS = words('while but and whereas although though yet so');
export const PARTICIPLE_LEAD = words('while after before by when also and then');
export const AUX = words('has had have was is were are will would did does also later then once previously recently further');
/** Plural and generic nouns for people who may be a described source ("some voters", "one user"). */
export const PEOPLE = words(`confidant insider ally allies friend colleague veteran associate operative aide official leaders officials
  people voters user users commenter commenters observers critics supporters residents experts analysts sources source person man
  woman protesters demonstrators crowd attendee attendees delegates delegate members lawmakers republicans democrats insiders
  operatives strategists donors fans viewers readers writers businessman businesswoman billionaire mogul developer candidate mother
  father veterans students parents workers activists front-runner frontrunner widow widower narrator child children kid kids boy
  girl audience neighbor neighbour neighbors neighbours survivor survivors victim victims neurosurgeon radioman impostor
  protester marchers fan customer customers patient patients resident graduate graduates alumnus alumni native natives
  immigrant immigrants refugee refugees citizen citizens`);
/** Party members, who speak as people ("said one Iowa Republican"). */
export const PARTISANS = words('democrat democrats republican republicans independent independents libertarian conservative conservatives liberal liberals');
export const COMPLEMENT = words('for of at with to from');
/** Bodies that may be named for a person and speak as one: "the Clinton campaign said", "Donald Trump's camp". */
export const BODY_NOUNS = words('campaign administration team camp office committee');
/** Groups and group members that speak for someone: "the Clinton campaign said", "the Clinton aides said". */
export const GROUP_NOUNS = words('campaign administration team camp office aides aide staff spokesman spokeswoman spokesperson officials official lawyers attorneys supporters allies advisers adviser committee spokespeople');
/** Sentence openers that start an adverbial before the subject: "In a statement, X said …". */
export const ADVERBIAL_OPENERS = words(`in at on after before when while during speaking asked as despite although though if since because last for
  with without under over by addressing writing responding appearing following like unlike early late earlier later once upon amid according
  alongside besides beyond including`);
/** Words allowed between a sentence start and its subject: "But former Gov. X …". */
export const LOOSE_OPENERS = words('but and so yet still also then now former later meanwhile');
export const SKIPPABLE_AFTER_CUE = words('monday tuesday wednesday thursday friday saturday sunday today yesterday recently later also then once again simply only flatly');

const JUDGING_ADJECTIVES = words('early soon hard difficult easy impossible fair safe premature enough able unable');
const LABEL_VERB = /^(?:liken|brand|label|describ|dub|term|call|characteri[sz])/;
const SUBJECT_PRONOUNS = words('he she they it i we who whom that which');

/** Verbs that put a label on something ("called it", "described as"): in the passive, "by" names who did. */
export function isLabelVerb(w: string): boolean {
  return LABEL_VERB.test(w);
}

/** A noun for a person or people, singular or plural ("lobbyist", "lobbyists", "observers"). */
export function personNoun(w: string): boolean {
  return ROLE_HEADS.has(w) || PEOPLE.has(w) || (w.endsWith('s') && ROLE_HEADS.has(w.slice(0, -1)));
}

/** Whether token k is a reporting cue: a reporting verb used as a verb, "according to", "as X put it". */
export function isCueAt(toks: readonly Token[], k: number): boolean {
  const t = toks[k];
  if (!t || !t.word || t.cap || t.quote >= 0) return t?.lower === 'according' && toks[k + 1]?.lower === 'to';
  if (t.lower === 'according') return toks[k + 1]?.lower === 'to';
  if ((t.lower === 'put' || t.lower === 'puts') && toks[k + 1]?.lower === 'it') return true; // "as Vulture put it"
  // "Trump shot back", "Bennett fired back", "Trump went on": a verb and particle that report speech.
  if (PHRASAL_CUES.has(t.lower) && toks[k + 1]?.lower === PHRASAL_CUES.get(t.lower)) return true;
  if (!CUE_VERBS.has(t.lower)) return false;
  const prev = toks[k - 1];
  // "too early to tell", "hard to say": an idiom about knowing, not a report of speech.
  if (prev?.lower === 'to' && JUDGING_ADJECTIVES.has(toks[k - 2]?.lower ?? '')) return false;
  // "a star likened to the Star of David", "was described as": a labelling verb in the passive
  // (but "whom one insider described as", "what he called" keep their subject before the verb).
  if (isLabelVerb(t.lower) && (toks[k + 1]?.lower === 'as' || toks[k + 1]?.lower === 'to') && prev && !prev.cap && !SUBJECT_PRONOUNS.has(prev.lower) && !personNoun(prev.lower)) return false;
  if (prev && prev.word && (DETERMINERS.has(prev.lower) || prev.poss)) return false;
  // "a snappy retort", "a Facebook post", "an unprompted call": a noun after a determiner and a modifier.
  const det = toks[k - 2];
  if (NOUN_CUES.has(t.lower) && prev && prev.word && det && det.word && (DETERMINERS.has(det.lower) || det.poss)) {
    if (!personNoun(prev.lower) && !GROUP_NOUNS.has(prev.lower) && !DOCUMENT_NOUNS.has(prev.lower) && !AUX.has(prev.lower) && !SKIPPABLE_AFTER_CUE.has(prev.lower)) return false;
  }
  // "a Donald Trump tweet", "the Harbor Council statement": a name between a determiner and the word
  // modifies a noun (not "the Democrats claim", whose plural name is the verb's subject).
  if (NOUN_CUES.has(t.lower) && prev?.cap && !prev.poss && !prev.lower.endsWith('s')) {
    let d = k - 1;
    while (d > k - 4 && toks[d]?.cap && toks[d]?.word && toks[d]?.quote === -1) d--;
    const before = toks[d];
    if (d < k - 1 && before?.word && !before.cap && DETERMINERS.has(before.lower)) return false;
  }
  // "how the United States responds to violence": reacting, not reporting words (a quote or a
  // colon may still follow: "responded to the charge: "…""; "responded to it, saying" has its own cue).
  if (/^respond|^react/.test(t.lower) && toks[k + 1]?.lower === 'to') {
    let j = k + 2;
    while (j < toks.length && j - k < 12 && toks[j]?.word && toks[j]?.quote === -1) j++;
    const next = toks[j];
    if (next && next.quote === -1 && next.text !== ':') return false;
  }
  // After a preposition the word is a noun ("secretary of state", "in reply"), unless a gerund ("in declaring").
  if (prev && prev.word && NOUN_PREPOSITIONS.has(prev.lower) && !t.lower.endsWith('ing')) return false;
  return true;
}
