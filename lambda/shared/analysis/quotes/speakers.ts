/**
 * The phrase readers the sieves share: who is the subject of a reporting verb, who follows it, what
 * a noun phrase names. Each returns a Resolved speaker, null when the phrase names no one who can
 * speak ("they said", a place, a thing), or undefined when there is no phrase to read.
 */
import {
  ADVERBIAL_OPENERS, AUX, COMPLEMENT, DESCRIBERS, GROUP_NOUNS, LOOSE_OPENERS, NP_STOP, PARTICIPLE_LEAD, PARTISANS, PEOPLE,
  PREPOSITIONS, SKIPPABLE_AFTER_CUE, TIME_NOUNS, personNoun,
} from './cues.ts';
import { Authors } from './authors.ts';
import type { Doc } from './document.ts';
import { BODY_KINDS, COMM_NOUNS, DOCUMENT_NOUNS, DOCUMENT_VERBS, ISSUE_VERBS, PEOPLE_ADJECTIVES, ROLE_HEADS, sameDocument } from './lexicon.ts';
import { Centering, isOrganisation, isPlace, pronounKind } from './pronouns.ts';
import { type Found, type Resolved, scaled } from './resolved.ts';
import { joinTokens } from './tokens.ts';

/** Nouns for bodies that speak as one: "the union said", "the court ruled". */
const INSTITUTIONS = new Set(['union', 'party', 'department', 'company', 'group', 'council', 'committee', 'court', 'agency', 'board', 'commission', 'ministry', 'government', 'administration', 'campaign', 'police', 'office', 'firm', 'bank', 'organization', 'organisation', 'association', 'network', 'newspaper', 'paper', 'magazine', 'coalition', 'family', 'team', 'league', 'institute', 'foundation', 'panel', 'jury', 'prosecutors', 'plaintiffs', 'defendants', 'judges', 'regulators', 'authorities', 'investigators']);

const BE = new Set(['is', 'was', 'are', 'were', 'be', 'been', 'being']);
const TELL = new Set(['tell', 'tells', 'told', 'telling']);
const LISTENER_VERBS = new Set(['ask', 'asks', 'asked', 'asking', 'urge', 'urges', 'urged', 'assure', 'assured', 'assures', 'inform', 'informed', 'informs']);

/** Per-article phrase readers over one Doc. */
export class Speakers {
  readonly centering: Centering;
  private readonly authors: Authors;

  constructor(readonly doc: Doc) {
    this.centering = new Centering(doc);
    this.authors = new Authors(doc);
  }

  /**
   * The speaker a name mention stands for, or null for what cannot speak: an adjective or a
   * nationality ("Democratic", "Chechen Muslim"), a Title Case headline line, or a place, except
   * a country or city as the direct subject of a reporting verb, where it stands for its
   * government ("Russia insisted that …").
   */
  name(mi: number, subjectOfCue = false): Resolved | null {
    const { doc } = this;
    const e = doc.entity(mi);
    const m = doc.mention(mi);
    if (isPlace(e) && e.person !== 'yes') {
      return subjectOfCue ? { speaker: { name: e.name }, confidence: 0.75, via: 'place for its government', entity: e } : null;
    }
    const words = e.name.split(' ');
    if (e.person === 'no' && !isOrganisation(e)) return this.bodyOrDescription(mi);
    if (words.length >= 4 && e.person !== 'yes' && !isOrganisation(e)) return null;
    const written = m.name === e.name;
    const confidence = e.person === 'no' ? 0.9 : e.person === 'yes' || e.name.includes(' ') ? (written ? 1 : 0.97) : 0.8;
    return { speaker: doc.speakerOf(mi), confidence, via: written ? 'name' : `"${m.name}" is ${e.name}`, entity: e };
  }

  /**
   * A capitalised name that is neither a person nor a known kind of organisation: a party member
   * described ("the Wisconsin Republican"), the proper name of a body ("The American Legion", "The
   * Daily Caller", "AZCentral"), or nothing that speaks: a people or faith ("Chechen Muslim") or a
   * name used as a modifier ("Republican leaders").
   */
  private bodyOrDescription(mi: number): Resolved | null {
    const { doc } = this;
    const e = doc.entity(mi);
    const m = doc.mention(mi);
    const words = e.name.split(' ');
    const last = (words[words.length - 1] as string).toLowerCase();
    const det = doc.toks[m.from - 1];
    const after = doc.toks[m.last];
    const modifier = m.to === m.last && !!after && after.word && !after.cap && after.quote < 0 && !doc.isCue(m.last) && !AUX.has(after.lower) && !SKIPPABLE_AFTER_CUE.has(after.lower) && !NP_STOP.has(after.lower) && after.lower !== 'who' && after.lower !== 'which';
    if (m.poss) return null;
    if (PARTISANS.has(last)) {
      // "one senior Democrat", "the Wisconsin Republican": back over lowercase modifiers to the determiner.
      let a = m.from - 1;
      while (a > 0 && m.from - a <= 3 && doc.tok(a).word && !doc.tok(a).cap && !DESCRIBERS.has(doc.tok(a).lower)) a--;
      if (a >= 0 && DESCRIBERS.has(doc.tok(a).lower)) return this.described(a, m.last);
    }
    if (modifier) return null;
    if (PEOPLE_ADJECTIVES.has(last) || words.length > 4) return null;
    const proper = det?.lower === 'the' || words.length >= 2 || /\p{Ll}\p{Lu}/u.test(e.name);
    return proper ? { speaker: doc.speakerOf(mi), confidence: 0.8, via: 'name of a body', entity: e } : null;
  }

  /** "I" or "we" outside quotes: the article's named author (byline, closing note, letter signature), else no one. */
  firstPerson(k: number): Resolved | null {
    const a = this.authors.authorAt(this.doc.tok(k).para);
    return a ? { speaker: { name: a.name }, confidence: a.confidence, via: `"${this.doc.tok(k).text}" is the author (${a.how})` } : null;
  }

  /** "him"/"her" as the speaker of a relayed quote, resolved as "he"/"she" would be. */
  objectPronoun(k: number): Resolved | null {
    return this.centering.resolve(k, this.doc.tok(k).lower === 'him' ? 'he' : 'she');
  }

  pronoun(k: number): Found {
    const t = this.doc.toks[k];
    if (!t) return undefined;
    if (pronounKind(t)) return this.centering.resolve(k);
    return undefined;
  }

  /** A described, unnamed source as the text words it ("a State Department official"), tokens [a, b). */
  described(a: number, b: number): Resolved | null {
    const { doc } = this;
    if (b - a < 2) return null;
    const head = doc.tok(b - 1);
    const first = doc.tok(a);
    // "the senator" after a named senator: the same person, not a new source.
    const want = head.lower.replace(/\.$/, '');
    if ((first.lower === 'the' || first.lower === 'this') && b - a <= 5 && ROLE_HEADS.has(want)) {
      for (let mi = doc.mentions.length - 1; mi >= 0; mi--) {
        const m = doc.mention(mi);
        if (m.last > a) continue;
        if (first.para - doc.tok(m.first).para > 4) break;
        const e = doc.entity(mi);
        if (e.person === 'no' || isPlace(e)) continue;
        if (e.role && e.role.toLowerCase().split(/[\s,]+/).includes(want)) {
          return { speaker: doc.speakerOf(mi), confidence: 0.85, via: `"${joinTokens(doc.toks, a, b)}" is ${e.name}`, entity: e };
        }
      }
    }
    // "the union" after "the Association of Flight Attendants": the body of that kind the text names.
    if (first.lower === 'the' && b - a <= 3 && BODY_KINDS.has(want)) {
      const body = this.bodyNamedBefore(a, want);
      if (body) return body;
    }
    // A thing is no speaker: "the statement", "the ad", "a poll"; its author speaks, if the text names one.
    let h = b - 1;
    for (let k = a + 1; k < b; k++) if (COMPLEMENT.has(doc.tok(k).lower)) { h = k - 1; break; }
    const headWord = doc.tok(h).lower;
    // "the Harbor Council statement", "the union's report": the head makes it a document, whoever it names.
    if (DOCUMENT_NOUNS.has(headWord)) return this.author(a, h);
    const personal = (w: string) => personNoun(w) || GROUP_NOUNS.has(w) || INSTITUTIONS.has(w) || PARTISANS.has(w) || (w.endsWith('s') && INSTITUTIONS.has(w.slice(0, -1)));
    // The head may stand before a modifier: "one Democrat familiar with the talks", "a person close to the Clintons".
    let speaks = false;
    for (let k = a + 1; k <= h; k++) if (personal(doc.tok(k).lower)) speaks = true;
    if (!speaks) return null;
    // "my father": the writer's relative, by name when the article gives it (kin.ts).
    const relative = b - a === 2 ? this.centering.kin.at(a + 1) : undefined;
    if (relative) return { speaker: { name: relative.name }, confidence: 0.9, via: `"${joinTokens(doc.toks, a, b)}" is the writer's ${doc.tok(a + 1).lower}`, entity: relative };
    // Lowercase the determiner so a description never reads as a name ("A staffer" → "a staffer"), and
    // so a word capitalised only because it opens the sentence ("Opposition councillors said").
    const words = joinTokens(doc.toks, a, b);
    const opener = first.cap && (doc.owner[a] ?? -1) < 0 && doc.sentenceStart(a) === a;
    const name = DESCRIBERS.has(first.lower) || opener ? words.charAt(0).toLowerCase() + words.slice(1) : words;
    return { speaker: { name }, confidence: 0.9, via: 'description' };
  }

  /**
   * The organisation that "the <noun>" before token a stands for: the last one named in the previous
   * four paragraphs whose name has a word of the noun's kind ("union" → an Association, a Federation,
   * a Union). None when two different bodies of that kind are named there: the text does not say which.
   */
  private bodyNamedBefore(a: number, noun: string): Resolved | undefined {
    const { doc } = this;
    const kind = BODY_KINDS.get(noun) as ReadonlySet<string>;
    let found: number | undefined;
    for (let mi = doc.mentions.length - 1; mi >= 0; mi--) {
      const m = doc.mention(mi);
      if (m.last > a) continue;
      if (doc.tok(a).para - doc.tok(m.first).para > 4) break;
      const e = doc.entity(mi);
      const words = e.name.toLowerCase().split(' ');
      // A bare "Union" (a headline's capital) names no particular body.
      if (e.person === 'yes' || isPlace(e) || words.length < 2 || !words.some((w) => kind.has(w))) continue;
      if (found !== undefined && doc.entity(found) !== e) return undefined;
      found = mi;
    }
    if (found === undefined) return undefined;
    const e = doc.entity(found);
    return { speaker: doc.speakerOf(found), confidence: 0.8, via: `"the ${noun}" is ${e.name}`, entity: e };
  }

  /**
   * The author of a document the text makes speak ("the letter says", "a Times article hailed"):
   * the possessor or a name inside its noun phrase ("Ivana Trump's brief", "a Times article"), the
   * name after "from"/"by" ("a memo from the mayor's office"), or, for "the statement", whoever
   * issued a statement earlier ("The Security Council issued a statement …"). Null when the text
   * names no author: a document is never a speaker itself.
   */
  private author(a: number, h: number): Resolved | null {
    const { doc } = this;
    const inPhrase = this.authorInPhrase(a, h);
    if (inPhrase !== undefined) return inPhrase;
    // "The campaign's statement": a described body owns it.
    for (let k = a + 1; k < h; k++) {
      const t = doc.tok(k);
      if (!t.poss || t.cap || !(INSTITUTIONS.has(t.lower) || GROUP_NOUNS.has(t.lower))) continue;
      const words = `${joinTokens(doc.toks, a, k)} ${t.lower}`;
      return { speaker: { name: words.charAt(0).toLowerCase() + words.slice(1) }, confidence: 0.85, via: `description, author of the ${doc.tok(h).lower}` };
    }
    // "X issued a statement calling …": the subject of the verb that put the document out.
    const head = doc.tok(h).lower;
    const v = doc.toks[a - 1]?.lower === 'out' ? a - 2 : a - 1; // "put out a statement"
    if (this.issues(v, a)) return this.issuer(v, head);
    const det = doc.tok(a).lower;
    if (det !== 'the' && det !== 'this' && det !== 'that') return null;
    // "The statement noted …": the statement introduced before, and who issued it; "the ruling": who ruled.
    const verbs = DOCUMENT_VERBS.get(head);
    for (let p = a - 1; p >= 0 && doc.tok(a).para - doc.tok(p).para <= 3; p--) {
      const t = doc.tok(p);
      if (t.quote < 0 && !t.cap && verbs?.has(t.lower)) {
        const subj = this.sentenceSubject(p + 1);
        return subj ? scaled(subj, 0.85, `who ${t.lower}, author of the ${head}`) : null;
      }
      // (A capitalised "Piece" is a headline's word, not the document: "Post Hit Piece Exploits …".)
      if (t.quote >= 0 || t.cap || !sameDocument(head, t.lower)) continue;
      let s = p;
      while (s > 0 && p - s < 5 && doc.tok(s - 1).word && doc.tok(s - 1).quote < 0 && !doc.isCue(s - 1) && !PREPOSITIONS.has(doc.tok(s - 1).lower) && !ISSUE_VERBS.has(doc.tok(s - 1).lower)) s--;
      const found = this.authorInPhrase(s, p);
      if (found !== undefined) return found && scaled(found, 0.9, `the ${head} introduced before`);
      // "X issued a statement": the subject of the verb that put the document out.
      if (this.issues(s - 1, s)) return this.issuer(s - 1, head);
      return null;
    }
    return null;
  }

  /** Whether token v is a verb that puts out the document starting at a, in its sentence ("issued a statement"). */
  private issues(v: number, a: number): boolean {
    const t = this.doc.toks[v];
    return !!t && ISSUE_VERBS.has(t.lower) && !t.cap && t.quote < 0 && this.doc.sentOf[v] === this.doc.sentOf[a];
  }

  /**
   * Who put a document out with the verb at v ("issued", "released"): the name right before the verb
   * ("…, the Security Council issued a statement"), else the sentence's subject.
   */
  private issuer(v: number, head: string): Resolved | null {
    const { doc } = this;
    let e = v;
    while (e > 0 && SKIPPABLE_AFTER_CUE.has(doc.tok(e - 1).lower)) e--;
    const mi = doc.owner[e - 1] ?? -1;
    const m = mi >= 0 ? doc.mention(mi) : undefined;
    const before = m ? doc.toks[m.from - 1] : undefined;
    const object = !!before && before.word && !before.cap && PREPOSITIONS.has(before.lower);
    const subj = m && m.to === e && !m.poss && !object ? this.name(mi, true) : this.sentenceSubject(v);
    return subj ? scaled(subj, 0.85, `who issued the ${head}`) : null;
  }

  /** A name that owns the document phrase [s, h] or follows it with "from"/"by"; undefined when none. */
  private authorInPhrase(s: number, h: number): Resolved | null | undefined {
    const { doc } = this;
    for (let k = s; k < h; k++) {
      const mi = doc.owner[k] ?? -1;
      if (mi < 0) continue;
      const r = this.name(mi);
      if (r) return { ...r, confidence: r.confidence * 0.85, via: `${r.via}, author of the ${doc.tok(h).lower}` };
      k = doc.mention(mi).to - 1;
    }
    const by = doc.toks[h + 1];
    if (by && (by.lower === 'from' || by.lower === 'by')) {
      const mi = doc.mentionAt(h + 2);
      if (mi >= 0 && !doc.mention(mi).poss) {
        const r = this.name(mi);
        if (r) return { ...r, confidence: r.confidence * 0.85, via: `${r.via}, author of the ${doc.tok(h).lower}` };
      }
    }
    return undefined;
  }

  /** An unnamed-source noun phrase starting at a determiner at j: "a longtime adviser to both Clintons". */
  npAfter(j: number, end: number, anyHead = false): Found {
    const { doc } = this;
    let b = j + 1;
    let person = false;
    while (b < end && b - j < 12) {
      const t = doc.tok(b);
      if (!t.word || t.quote >= 0 || NP_STOP.has(t.lower) || doc.isCue(b)) break;
      if (!t.cap && (personNoun(t.lower) || GROUP_NOUNS.has(t.lower) || INSTITUTIONS.has(t.lower))) person = true;
      // "said one New Hampshire Democrat": a party member is a person, capitalised or not.
      if (t.cap && PARTISANS.has(t.lower)) person = true;
      b++;
    }
    if (!person && COMM_NOUNS.has(doc.tok(b - 1).lower)) return null;
    // Right after a quote (`," said the designer`) the phrase can only be the source, whatever its head.
    if (person) return this.described(j, b);
    if (anyHead && b - j >= 2 && b - j <= 4 && (b >= end || !doc.tok(b).word)) {
      const d = this.described(j, b);
      // `," said the ruling`: a document speaks for its author, or for no one.
      if (d || DOCUMENT_NOUNS.has(doc.tok(b - 1).lower)) return d;
      const words = joinTokens(doc.toks, j, b);
      return { speaker: { name: words.charAt(0).toLowerCase() + words.slice(1) }, confidence: 0.7, via: 'description after the quote' };
    }
    return undefined;
  }

  /** The speaker right after a cue ("said Bolton", "according to Sen. Rubio", "said a spokesman"). */
  afterCue(k: number, end: number, rightAfterQuote = false): Found {
    const { doc } = this;
    // "told a voter", "asked reporters": after these verbs comes the listener, not the speaker
    // (but `"…?" asked Sen. Cantwell` right after a quote is the inverted tag).
    const verb = doc.tok(k).lower;
    if (TELL.has(verb) || (LISTENER_VERBS.has(verb) && !rightAfterQuote)) return undefined;
    let j = k + 1;
    if (doc.tok(k).lower === 'according') j++;
    while (j < end && SKIPPABLE_AFTER_CUE.has(doc.tok(j).lower)) j++;
    const t = doc.toks[j];
    if (!t || j >= end || !t.word || t.quote >= 0) return undefined;
    const mi = doc.mentionAt(j);
    if (mi >= 0) {
      const m = doc.mention(mi);
      if (!m.poss) return this.name(mi);
      // "opined Cleveland's Plain Dealer", "exhorted Clinton's introducer, actress Jamie Lee Curtis".
      for (let n = m.last; n < end && n - m.last <= 6; n++) {
        if (doc.tok(n).quote >= 0) break;
        const m2 = doc.owner[n] ?? -1;
        if (m2 >= 0 && m2 !== mi && !doc.mention(m2).poss) return this.name(m2);
      }
      return this.npAfter(j, end) ?? this.name(mi);
    }
    if (pronounKind(t)) return this.pronoun(j);
    if (DESCRIBERS.has(t.lower)) {
      const np = this.npAfter(j, end, rightAfterQuote);
      if (np !== undefined || doc.tok(k).lower !== 'according') return np;
      // "according to the Daily Caller": whatever is named there is the source.
      let b = j + 1;
      while (b < end && b - j < 8 && doc.tok(b).word && doc.tok(b).quote < 0) b++;
      if (b - j >= 2 && doc.tok(b - 1).cap) return { speaker: { name: joinTokens(doc.toks, j, b) }, confidence: 0.9, via: 'organisation after "according to"' };
      return undefined;
    }
    // "said undecided Republican voter Stephanie Hooton", "said 9/11 widow Terry Strada": lowercase words, then the name.
    for (let n = j; n < end && n - j < 6; n++) {
      const tn = doc.tok(n);
      const mn = doc.owner[n] ?? -1;
      if (mn >= 0) return doc.mention(mn).poss ? undefined : this.name(mn);
      const joiner = tn.text === '/' && doc.toks[n + 1]?.word === true;
      if ((!tn.word && !joiner) || tn.cap || tn.quote >= 0 || doc.isCue(n) || NP_STOP.has(tn.lower)) break;
      // "according to show insiders", "according to campaign aides": a described source without a determiner.
      if (verb === 'according' && personNoun(tn.lower)) return this.described(j, n + 1) ?? null;
    }
    // "according to" names the source after it, whoever the sentence is about: else it cannot be named.
    return verb === 'according' ? null : undefined;
  }

  /** A noun phrase ending at the role head h, back to its determiner: "A Clinton campaign official". */
  npBefore(h: number, lo: number, cue: number): Found {
    const { doc } = this;
    // Keep a complement up to the cue: "a spokesman for the city said".
    let b = h + 1;
    if (COMPLEMENT.has(doc.toks[b]?.lower ?? '') && cue - b <= 6) {
      b = cue;
      while (b > h + 1 && SKIPPABLE_AFTER_CUE.has(doc.tok(b - 1).lower)) b--;
    }
    let a = h;
    let determined = false;
    while (a > lo && h - a < 6) {
      const t = doc.tok(a - 1);
      // A noun phrase holds no reporting verb and no subject pronoun: "She said parents …" is a clause.
      if (!t.word || t.quote >= 0 || doc.isCue(a - 1) || pronounKind(t)) break;
      a--;
      if (DESCRIBERS.has(t.lower) || t.poss) {
        determined = true;
        break;
      }
    }
    // Without a determiner this is no noun phrase of its own ("waylaid by voter mistrust").
    if (!determined && a > lo) return undefined;
    return this.described(a, b);
  }

  /** Whether only adverbs and auxiliaries stand between token a and token b ("the White House also said"). */
  adjacent(a: number, b: number): boolean {
    for (let j = a; j < b; j++) {
      const t = this.doc.tok(j);
      if (!t.word || (!SKIPPABLE_AFTER_CUE.has(t.lower) && !AUX.has(t.lower))) return false;
    }
    return b - a <= 3;
  }

  /** The mention that opens the clause [lo, k) as its subject (after an opening adverbial), or -1. */
  subjectMention(lo: number, k: number): number {
    const { doc } = this;
    let j = lo;
    while (j < k && doc.tok(j).quote >= 0) j++;
    const first = doc.toks[j];
    if (!first || j >= k) return -1;
    if (ADVERBIAL_OPENERS.has(first.lower)) {
      while (j < k && doc.tok(j).text !== ',') j++;
      j++;
    }
    while (j < k && LOOSE_OPENERS.has(doc.tok(j).lower)) j++;
    const mi = j < k ? (doc.owner[j] ?? -1) : -1;
    if (mi < 0) return -1;
    const m = doc.mention(mi);
    if (m.poss || m.last > k || doc.entity(mi).person === 'no') return -1;
    return mi;
  }

  /**
   * A lone capitalised word used as an adjective ("Jewish leaders", "Republican claims"): not a
   * speaker. Names known as people ("Trump went") or as full names are never treated so.
   */
  modifierUse(mi: number): boolean {
    const { doc } = this;
    const m = doc.mention(mi);
    const e = doc.entity(mi);
    if (e.person === 'yes' || e.name.includes(' ') || m.last - m.first > 1 || m.to !== m.last) return false;
    const after = doc.toks[m.last];
    return !!after && after.word && !after.cap && !AUX.has(after.lower) && !SKIPPABLE_AFTER_CUE.has(after.lower) && !doc.isCue(m.last) && !after.lower.endsWith('ed') && !PREPOSITIONS.has(after.lower) && !NP_STOP.has(after.lower);
  }

  /**
   * The grammatical subject of the sentence holding token k, approximated: after an opening
   * adverbial ("In a statement Tuesday, …"), the first name, pronoun or described source.
   */
  sentenceSubject(k: number, loose = false): Found {
    const { doc } = this;
    const lo = doc.sentenceStart(k);
    let strict = this.strictSubject(lo, k, loose);
    if (strict === undefined) {
      // "Early in his campaign, Trump attacked …": try again after a short opening phrase.
      let c = lo;
      while (c < k && c - lo < 10 && doc.tok(c).text !== ',') c++;
      if (c < k && c - lo < 10 && doc.tok(c).quote < 0) strict = this.strictSubject(c + 1, k, loose);
    }
    if (strict !== undefined || !loose) return strict;
    // Loosely: the first person named in the sentence who is no prepositional object or possessor.
    for (let j = lo; j < k; j++) {
      const t = doc.tok(j);
      if (t.quote >= 0 || !t.word) continue;
      const mi = doc.owner[j] ?? -1;
      if (mi >= 0) {
        const m = doc.mention(mi);
        const before = doc.toks[m.from - 1];
        // …nor the object of a past-tense verb ("Washington, star of "Scandal," thanked Obama for "…"").
        const verb = !!before && before.word && !before.cap && before.quote < 0 && before.lower.endsWith('ed') && !AUX.has(before.lower) && !doc.isCue(m.from - 1);
        const object = !!before && before.word && !before.cap && (PREPOSITIONS.has(before.lower) || verb);
        if (!m.poss && !object && doc.entity(mi).person !== 'no' && !this.modifierUse(mi)) return this.name(mi);
        j = m.to - 1;
        continue;
      }
      if (pronounKind(t) === 'he' || pronounKind(t) === 'she') return this.pronoun(j);
    }
    return undefined;
  }

  private strictSubject(lo: number, k: number, possessor = false): Found {
    const { doc } = this;
    let j = lo;
    while (j < k && doc.tok(j).quote >= 0) j++;
    const first = doc.toks[j];
    if (!first || j >= k) return undefined;
    if (ADVERBIAL_OPENERS.has(first.lower)) {
      while (j < k && doc.tok(j).text !== ',') j++;
      j++;
    }
    for (let n = 0; j < k && n < 3; j++, n++) {
      const t = doc.tok(j);
      if (t.text === ',' && n > 0) continue; // "Meanwhile, Trump …"
      if (t.quote >= 0 || !t.word) return undefined;
      const mi = doc.owner[j] ?? -1;
      if (mi >= 0) {
        const m = doc.mention(mi);
        const e = doc.entity(mi);
        // A place closing the opening adverbial: "Speaking in Salem, New Hampshire, Trump …".
        if ((e.person === 'no' || isPlace(e)) && doc.toks[m.to] !== undefined && !doc.tok(m.to).word) {
          j = m.to;
          n = 0;
          continue;
        }
        if (m.poss) {
          // "Germany's Chancellor Angela Merkel …": the name after the possessive.
          const next = doc.owner[m.to] ?? -1;
          if (next >= 0 && !doc.mention(next).poss) return this.name(next);
          // "Trump's assertion that "thousands" …": the possessor makes the claim.
          return possessor && e.person !== 'no' ? this.name(mi) : undefined;
        }
        // "The Florida senator said": a described person whose name sits elsewhere.
        const after = doc.toks[m.last];
        if (m.to === m.last && after && after.word && !after.cap && (ROLE_HEADS.has(after.lower) || PEOPLE.has(after.lower) || GROUP_NOUNS.has(after.lower))) {
          const from = j > lo && DESCRIBERS.has(doc.tok(j - 1).lower) ? j - 1 : m.from;
          return this.described(from, m.last + 1);
        }
        // "the Stanford graduate ended …": after a determiner, a lone name before a noun only modifies it.
        if (j > lo && e.person === 'maybe' && DESCRIBERS.has(doc.tok(j - 1).lower) && this.modifierUse(mi)) return undefined;
        return this.name(mi);
      }
      // The subject is a pronoun: "he"/"she" through centering, "it"/"they" only for an organisation, "I"/"we" for the author.
      if (pronounKind(t)) return this.pronoun(j);
      if (!t.cap || j === lo) {
        if (t.lower === 'i' || t.lower === 'we') return this.firstPerson(j);
      }
      // "The complaint alleged …", "A staffer emailed …": the subject is a noun phrase.
      const nt = doc.toks[j + 1];
      if (DESCRIBERS.has(t.lower) && nt && nt.word && !nt.cap && nt.quote < 0 && !doc.isCue(j + 1)) {
        let b = j + 1;
        let time = false;
        while (b < k && b - j <= 5) {
          const w = doc.tok(b);
          if (!w.word || w.cap || w.quote >= 0 || NP_STOP.has(w.lower) || AUX.has(w.lower) || doc.isCue(b) || (b > j + 1 && w.lower.endsWith('ed'))) break;
          if (TIME_NOUNS.has(w.lower)) time = true;
          b++;
        }
        // "a few days later, Trump …" is a time, not a subject; "the so-called "woke" agenda" runs into the quote.
        const intoQuote = b >= k || doc.tok(b).quote >= 0;
        return b > j + 1 && !time && !intoQuote ? this.described(j, b) : undefined;
      }
      if (!DESCRIBERS.has(t.lower) && !LOOSE_OPENERS.has(t.lower)) return undefined;
    }
    return undefined;
  }

  /**
   * The subject of the cue at k, scanning left inside [lo, k): the nearest name that is not a
   * prepositional object, a pronoun, or a described source ("a spokesman for Trump said").
   */
  beforeCue(k: number, lo: number): Found {
    const { doc } = this;
    const cue = doc.tok(k);
    // "…, saying" / "and called": a participle or a coordinated verb takes the sentence's subject.
    const before = doc.toks[k - 1];
    const participle = cue.lower.endsWith('ing') && !!before && (before.text === ',' || PARTICIPLE_LEAD.has(before.lower));
    const conj = (t: { lower: string } | undefined) => !!t && (t.lower === 'and' || t.lower === 'but');
    // "… and said", "… and then said": a coordinated verb shares the sentence's subject.
    const coordinated = conj(before) || (!!before && SKIPPABLE_AFTER_CUE.has(before.lower) && conj(doc.toks[k - 2]));
    if (participle || coordinated) {
      const s = this.sentenceSubject(k);
      if (s !== undefined) return s;
    }
    // "Trump, later alleging that Obama …, said": after an interrupting phrase the verb takes the subject.
    if (before?.text === ',' && !cue.lower.endsWith('ing')) {
      const subj = this.subjectMention(doc.sentenceStart(k), k);
      if (subj >= 0 && doc.mention(subj).to < k - 1) return this.name(subj);
    }
    // "turned to the Harbor Police Department, which reported": the body the relative clause hangs on.
    const rel = doc.toks[k - 1];
    if (rel?.lower === 'which' && rel.quote < 0) {
      const a = doc.toks[k - 2]?.text === ',' ? k - 3 : k - 2;
      const mi = doc.owner[a] ?? -1;
      if (mi >= 0 && doc.mention(mi).last === a + 1 && !doc.mention(mi).poss && isOrganisation(doc.entity(mi))) return this.name(mi);
    }
    let relative = false;
    for (let j = k - 1; j >= lo && k - j <= 30; j--) {
      const t = doc.tok(j);
      if (t.quote >= 0) return undefined;
      // ", who was among those polled, said": the speaker is the person the clause hangs on.
      if (t.lower === 'who' && doc.toks[j - 1]?.text === ',') relative = true;
      // A parenthesis ("Sen. Elizabeth Warren (D-MA) said") is skipped whole.
      if (t.text === ')') {
        let p = j - 1;
        while (p > lo && p > 0 && doc.tok(p).text !== '(' && j - p < 12) p--;
        if (p >= 0 && doc.toks[p]?.text === '(') {
          j = p;
          continue;
        }
      }
      const mi = doc.owner[j] ?? -1;
      if (mi >= 0) {
        const m = doc.mention(mi);
        // "Khan, who is Muslim, also decried": a predicate after "is" is no subject.
        if (BE.has(doc.toks[m.from - 1]?.lower ?? '')) {
          j = m.from;
          continue;
        }
        // "George Zornick of The Nation wrote": look past a determiner for the preposition.
        const ent = doc.entity(mi);
        const mBefore = doc.toks[m.from - 1]?.lower === 'the' && ent.person !== 'yes' ? doc.toks[m.from - 2] : doc.toks[m.from - 1];
        const after = doc.toks[m.last];
        if (relative) {
          // The person the relative clause hangs on, even as an object ("relations with McConnell, …, who said").
          if (ent.person !== 'no') return this.name(mi);
          j = m.from;
          continue;
        }
        if (m.poss) {
          if (after && DOCUMENT_NOUNS.has(after.lower)) return this.name(mi);
          j = m.from;
          continue;
        }
        // "the Stanford graduate": a lone name after a determiner, before a noun, only modifies it.
        if (ent.person === 'maybe' && DESCRIBERS.has(doc.toks[m.from - 1]?.lower ?? '') && this.modifierUse(mi)) {
          j = m.from;
          continue;
        }
        // "with Sen. John McCain calling it …": the subject of an absolute phrase, not an object.
        const absolute = mBefore?.lower === 'with' && cue.lower.endsWith('ing') && (m.to === k || this.adjacent(m.to, k));
        if (mBefore && mBefore.word && !mBefore.cap && PREPOSITIONS.has(mBefore.lower) && mBefore.lower !== 'and' && !absolute) {
          j = m.from;
          continue;
        }
        // A place or organisation speaks only right before its verb ("the White House said").
        const direct = m.to === k || this.adjacent(m.to, k);
        // …except a described party member, whose phrase runs on: "One Democrat familiar with the talks said".
        const partisan = PARTISANS.has(ent.name.toLowerCase().split(' ').pop() ?? '') && DESCRIBERS.has(mBefore?.lower ?? '');
        if (ent.person === 'no' && !direct && !partisan) {
          j = m.from;
          continue;
        }
        const group = doc.groupNamedFor(mi);
        if (group) {
          // "the Clinton campaign said": the group speaks, not the person it is named after.
          let a = m.from;
          if (mBefore && (mBefore.lower === 'the' || mBefore.lower === 'a')) a--;
          return { speaker: { name: joinTokens(doc.toks, a, group.head + 1) }, confidence: 0.9, via: 'group named for a person' };
        }
        return this.name(mi, direct);
      }
      if (!t.word) continue;
      if (pronounKind(t)) return this.pronoun(j);
      if (t.lower === 'we' || t.lower === 'i') return this.firstPerson(j);
      // "Critics say", "Legal observers note": a sentence-opening plural for people.
      if (t.cap && j === lo && personNoun(t.lower) && t.lower.endsWith('s')) return { speaker: { name: t.text.toLowerCase() }, confidence: 0.9, via: 'description' };
      if (!t.cap && (personNoun(t.lower) || GROUP_NOUNS.has(t.lower) || INSTITUTIONS.has(t.lower))) {
        const np = this.npBefore(j, lo, k);
        if (np !== undefined) return np;
      }
      // A document right before the verb, or before a participle ("a statement calling …"): its author.
      if (!t.cap && DOCUMENT_NOUNS.has(t.lower) && this.adjacent(j + 1, k)) {
        let a = j;
        while (a > lo && j - a < 4 && doc.tok(a - 1).word && !doc.isCue(a - 1) && !PREPOSITIONS.has(doc.tok(a - 1).lower) && !ISSUE_VERBS.has(doc.tok(a - 1).lower)) {
          a--;
          if (DESCRIBERS.has(doc.tok(a).lower) || doc.tok(a).poss) break;
        }
        const d = a < j ? this.described(a, j + 1) : null;
        if (d) return d;
      }
      // Any noun phrase right before the verb: "The department said", "The letter continues:".
      if (!t.cap && !SKIPPABLE_AFTER_CUE.has(t.lower) && !AUX.has(t.lower) && this.adjacent(j + 1, k) && !cue.lower.endsWith('ing')) {
        const article = (x: { lower: string } | undefined) => !!x && (x.lower === 'the' || x.lower === 'a' || x.lower === 'an');
        // …unless it is a prepositional object: "a spokesman for the city said", "a sign on the wall read".
        const free = (a: number) => !PREPOSITIONS.has(doc.toks[a - 1]?.lower ?? '');
        const d = doc.toks[j - 1];
        if (article(d) && free(j - 1)) return this.described(j - 1, j + 1);
        if (d?.word && !d.cap && article(doc.toks[j - 2]) && free(j - 2)) return this.described(j - 2, j + 1);
      }
    }
    return undefined;
  }
}
