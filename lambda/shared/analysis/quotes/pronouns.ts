/**
 * Pronoun resolution by centering (Grosz, Joshi and Weinstein 1995), as news copy uses it: a
 * pronoun that reports speech ("he said") almost always continues the sentence's or the previous
 * sentence's subject, or the speaker the paragraph has established, not the most recent name. The
 * candidates are tried in that order and the first that agrees wins:
 *
 *   1. the subject of the pronoun's own sentence, before it ("Trump said he would …"), or, for a
 *      pronoun that opens the main clause, the subject of the opening clause ("After Hale left, he …");
 *   2. the subject of the previous sentence, read past an opening adverbial or participial phrase
 *      (a subject pronoun there is resolved first, so chains of "he" carry the centre along);
 *   3. the paragraph's established speaker: who last reported speech in this or the previous paragraph,
 *      unless the previous sentence does not name them and introduces an agreeing person instead
 *      (a subject or object, or among several the one set off with a role), who then comes first;
 *   4. the subject of one of the two sentences before that.
 *
 * Besides names: two people named together ("Tom Reed and Ann Lowe wrote", "Critics, like Senators
 * Reed and Lowe, …"), a body named for a person, and the writer's relatives ("my father", kin.ts).
 *
 * Agreement: he/she need a person of that gender or of unknown gender (never an organisation,
 * place or group); they/it need an organisation (never one named person), and "they" may also be
 * two people named together as a subject ("Tom Reed and Ann Lowe wrote …"). Each step has its own
 * confidence, lowered when another person of the same gender stands nearby, or when the gender is
 * unknown. Nothing agreeing within reach → null: an unresolved pronoun is never guessed.
 */
import { ADVERBIAL_OPENERS, AUX, DESCRIBERS, LOOSE_OPENERS, PREPOSITIONS, SKIPPABLE_AFTER_CUE, SUBORDINATORS, personNoun } from './cues.ts';
import type { Doc, Entity } from './document.ts';
import { speakerFor } from './entities.ts';
import { Kin } from './kin.ts';
import { ORG_HEADS, PLACE_WORDS, ROLE_HEADS } from './lexicon.ts';
import type { Resolved } from './resolved.ts';
import { type Gender, type Token, joinTokens } from './tokens.ts';

export type PronounKind = 'he' | 'she' | 'they' | 'it';

/** A mention of someone: a name mention (index) or a pronoun token. */
type Ref =
  | { readonly mi: number }
  | { readonly pron: number }
  | { readonly pair: readonly [number, number] }
  | { readonly body: readonly [number, number] }
  | { readonly kin: number };

/** Words after "X's" that make it "X has" or "X is": "Christie's been", "Trump's got", "she's going". */
const CONTRACTED_AFTER = new Set(['been', 'got', 'gotten', 'had', 'never', 'not', 'going', 'also', 'already', 'now', 'still', 'always']);

const DASH_OR_COMMA = new Set([',', '—', '–', '-', '--']);

const KIND: Record<string, PronounKind> = { he: 'he', she: 'she', they: 'they', it: 'it' };

/** The subject pronoun a token is, if any (object and possessive forms never report speech). */
export function pronounKind(t: Token | undefined): PronounKind | undefined {
  if (!t || !t.word || t.quote >= 0) return undefined;
  if (t.cap && t.lower !== 'he' && t.lower !== 'she' && t.lower !== 'they' && t.lower !== 'it') return undefined;
  return KIND[t.lower];
}

/** An organisation rather than a person or a place: "the Trump campaign", "IMF", "Politifact" is unknown. */
export function isOrganisation(e: Entity): boolean {
  if (e.person === 'yes') return false;
  const words = e.name.toLowerCase().split(/\s+/);
  if (words.some((w) => ORG_HEADS.has(w))) return true;
  return /^[A-Z]{2,6}$/.test(e.name); // IMF, DNC, FBI
}

/** Whether the entity can be a place only ("Texas", "North Korea"): never a speaker. */
export function isPlace(e: Entity): boolean {
  return e.name.toLowerCase().split(/\s+/).every((w) => PLACE_WORDS.has(w));
}

interface Agreement {
  readonly ok: boolean;
  /** 1 when gender or kind is known to agree, less when it is only not excluded. */
  readonly certainty: number;
}

function agrees(e: Entity, kind: PronounKind): Agreement {
  if (e.plural) return kind === 'they' ? { ok: true, certainty: 0.9 } : { ok: false, certainty: 0 };
  if (kind === 'he' || kind === 'she') {
    if (e.person === 'no' || isPlace(e) || isOrganisation(e)) return { ok: false, certainty: 0 };
    const want: Gender = kind === 'he' ? 'm' : 'f';
    if (e.gender === want) return { ok: true, certainty: 1 };
    if (e.gender !== null) return { ok: false, certainty: 0 };
    // Unknown gender: a full name or a known person is plausible; a lone capitalised word much less.
    return { ok: true, certainty: e.person === 'yes' || e.name.includes(' ') ? 0.85 : 0.6 };
  }
  return isOrganisation(e) ? { ok: true, certainty: 0.9 } : { ok: false, certainty: 0 };
}

/**
 * A surname two people share ("Clinton" for Bill and Hillary) taken up by a pronoun: the one of them
 * the pronoun agrees with ("she" is Hillary). When it agrees with both or neither, the bare surname stays.
 */
function narrowShared(e: Entity | undefined, kind: PronounKind): Entity | undefined {
  if (!e?.sharedBy || (kind !== 'he' && kind !== 'she')) return e;
  const fit = e.sharedBy.filter((x) => agrees(x, kind).ok);
  return fit.length === 1 ? fit[0] : e;
}

/** Centering-based resolution of subject pronouns, memoised per article. */
export class Centering {
  private readonly memo = new Map<number, Resolved | null>();
  /** The people a pair subject ("Tom Reed and Ann Lowe") stands for together, one entity per pair. */
  private readonly pairs = new Map<string, Entity>();
  /** The bodies named for a person ("Donald Trump's campaign"), one entity per phrase. */
  private readonly bodies = new Map<string, Entity>();
  private readonly sentStart: number[] = [];
  /** Tokens where someone reports speech, with the mention or pronoun who does. */
  private readonly speakers: { at: number; ref: Ref }[] = [];
  /** The writer's relatives ("my father"), for first-person pieces. */
  readonly kin: Kin;

  constructor(private readonly doc: Doc) {
    this.kin = new Kin(doc);
    const { toks, sentOf } = doc;
    for (let k = 0; k < toks.length; k++) if (k === 0 || sentOf[k] !== sentOf[k - 1]) this.sentStart.push(k);
    for (let c = 0; c < toks.length; c++) {
      if (!doc.isCue(c)) continue;
      const ref = this.cueSubject(c);
      if (ref) this.speakers.push({ at: c, ref });
    }
  }

  /** The speaker of the reporting verb at c: "X said", "X, a lawyer, said", or after a quote "said X". */
  private cueSubject(c: number): Ref | undefined {
    const { doc } = this;
    let j = c - 1;
    while (j >= 0 && c - j <= 3 && (SKIPPABLE_AFTER_CUE.has(doc.tok(j).lower) || AUX.has(doc.tok(j).lower))) j--;
    const t = doc.toks[j];
    if (t && t.quote < 0) {
      const mi = doc.owner[j] ?? -1;
      if (mi >= 0 && doc.mention(mi).to === j + 1 && !doc.mention(mi).poss && !this.oblique(mi)) return { mi };
      if (pronounKind(t)) return { pron: j };
      // "my father often said": the relative, past one adverb.
      if (this.kin.at(j)) return { kin: j };
      if (t.word && !t.cap && this.kin.at(j - 1)) return { kin: j - 1 };
    }
    const before = doc.toks[c - 1];
    if (before && (before.quote >= 0 || before.text === ',')) {
      const after = c + 1;
      const mi = doc.mentionAt(after);
      if (mi >= 0 && !doc.mention(mi).poss) return { mi };
      // "noted NBC's Dante Chinni": the name after the possessive.
      const next = mi >= 0 ? doc.mentionAt(doc.mention(mi).to) : -1;
      if (next >= 0 && !doc.mention(next).poss) return { mi: next };
      if (pronounKind(doc.toks[after])) return { pron: after };
    }
    return undefined;
  }

  /** A possessor ("Trump's plan"), not a contraction of has or is ("Christie's been making the case"). */
  private possessor(mi: number): boolean {
    const m = this.doc.mention(mi);
    return m.poss && !CONTRACTED_AFTER.has(this.doc.toks[m.to]?.lower ?? '');
  }

  /** A mention after a preposition ("under President Obama") is no subject. */
  private oblique(mi: number): boolean {
    const b = this.doc.toks[this.doc.mention(mi).from - 1];
    return !!b && b.word && !b.cap && PREPOSITIONS.has(b.lower) && b.lower !== 'and';
  }

  /** The subject of sentence `sid` before token `limit`: after an opening adverbial, or the speaker of a leading quote. */
  subjectOf(sid: number, limit = Infinity): Ref | undefined {
    const { doc } = this;
    const lo = this.sentStart[sid];
    if (lo === undefined) return undefined;
    const hi = Math.min(limit, sid + 1 < this.sentStart.length ? (this.sentStart[sid + 1] as number) : doc.toks.length);
    let j = lo;
    if (doc.tok(j).quote >= 0) {
      // `"…," Sanders said.` / `"…," said Sanders.`: the speaker of the quote the sentence opens with.
      while (j < hi && (doc.tok(j).quote >= 0 || !doc.tok(j).word)) j++;
      if (j >= hi) return undefined;
      const s = this.speakers.find((x) => x.at >= j && x.at < hi && x.at - j <= 4);
      return s?.ref;
    }
    const first = doc.tok(j);
    if (ADVERBIAL_OPENERS.has(first.lower) || SUBORDINATORS.has(first.lower) || this.participleOpener(j)) {
      let c = j;
      while (c < hi && c - j < 14 && doc.tok(c).text !== ',') c++;
      if (c >= hi || doc.tok(c).text !== ',') return undefined;
      j = c + 1;
    }
    const found = this.subjectAt(j, hi);
    if (j !== lo) return this.pastAppositive(found, hi);
    if (found) return found;
    // "Ultimately, Mr. Clarke …", "But right now, he …": a short opening phrase ends at its comma.
    let c = j;
    while (c < hi && c - j < 6 && doc.tok(c).word && doc.tok(c).quote < 0 && (doc.owner[c] ?? -1) < 0 && !pronounKind(doc.tok(c)) && !doc.isCue(c)) c++;
    return c > j && c < hi && doc.tok(c).text === ',' ? this.pastAppositive(this.subjectAt(c + 1, hi), hi) : undefined;
  }

  /**
   * "In her 2003 book, Living History, Clinton noted …": a name set off by commas right after an
   * opening phrase names what that phrase is about; the subject is the name after it.
   */
  private pastAppositive(found: Ref | undefined, hi: number): Ref | undefined {
    if (!found || !('mi' in found)) return found;
    const { doc } = this;
    const to = doc.mention(found.mi).to;
    if (doc.toks[to]?.text !== ',' || to + 1 >= hi) return found;
    const next = doc.mentionAt(to + 1);
    if (next < 0 || doc.mention(next).poss) return found;
    const after = doc.toks[doc.mention(next).to];
    return after && after.word && !after.cap ? { mi: next } : found;
  }

  /** "Looking ahead to the election, Ham explained …": a sentence opening with a participle, whose phrase ends at a comma. */
  private participleOpener(j: number): boolean {
    const t = this.doc.tok(j);
    return t.word && t.lower.length > 5 && t.lower.endsWith('ing') && (this.doc.owner[j] ?? -1) < 0 && !this.doc.isCue(j);
  }

  /**
   * "Although the IMF did not name Trump, it referenced …": for a pronoun that is the main clause's
   * subject after an opening subordinate clause, the subject of that clause.
   */
  private openingClauseSubject(sid: number, k: number): Ref | undefined {
    const { doc } = this;
    const lo = this.sentStart[sid] as number;
    if (!SUBORDINATORS.has(doc.tok(lo).lower) || doc.toks[k - 1]?.text !== ',') return undefined;
    const ref = this.subjectAt(lo + 1, k - 1);
    return ref && !('pron' in ref) ? ref : undefined;
  }

  /** The subject that opens the clause at token j: a name (past role words) or a subject pronoun. */
  private subjectAt(j: number, hi: number): Ref | undefined {
    const { doc } = this;
    while (j < hi && (LOOSE_OPENERS.has(doc.tok(j).lower) || doc.tok(j).text === ',')) j++;
    if (j >= hi) return undefined;
    const examples = this.namedExamples(j, hi);
    if (examples) return examples;
    let mi = doc.owner[j] ?? -1;
    // "retired general Norman Hale said", "Radio talk host Rush Limbaugh": words of a role before the name
    // (lowercase, but for the capital that opens the sentence).
    for (let n = j; mi < 0 && n < hi && n - j < 3 && doc.tok(n).word && (!doc.tok(n).cap || n === j) && !pronounKind(doc.tok(n)) && !doc.isCue(n); n++) {
      const next = doc.mentionAt(n + 1);
      if (next >= 0) mi = next;
    }
    if (mi >= 0) {
      const m = doc.mention(mi);
      // "Clinton communication director Jennifer Palmieri said": the name the role belongs to. The
      // words between are lower case and the last is a role's head; the others need not be listed.
      for (let n = m.to; n < hi && n - m.to < 4 && doc.tok(n).word && !doc.tok(n).cap && doc.tok(n).quote < 0; n++) {
        const later = doc.owner[n + 1] ?? -1;
        if (later >= 0 && later !== mi && doc.mention(later).first > n && ROLE_HEADS.has(doc.tok(n).lower)) return { mi: later };
      }
      // "Tom Reed and Ann Lowe wrote …": two people as one subject, whom "they" can stand for.
      const second = doc.toks[m.to]?.lower === 'and' ? doc.mentionAt(m.to + 1) : -1;
      if (!m.poss && second >= 0 && !doc.mention(second).poss && doc.entity(mi).person === 'yes' && doc.entity(second).person === 'yes') return { pair: [mi, second] };
      const body = this.bodyNamedFor(mi, j);
      if (body) return body;
      if (!this.possessor(mi)) return { mi };
      // "Germany's Chancellor Angela Merkel said": the name after the possessive.
      const next = doc.owner[m.to] ?? -1;
      return next >= 0 && !doc.mention(next).poss ? { mi: next } : undefined;
    }
    if (pronounKind(doc.tok(j))) return { pron: j };
    // "My father spent …": a relative the writer names by relation.
    if (this.kin.at(j + 1)) return { kin: j + 1 };
    return undefined;
  }

  /**
   * "Critics of the program, like Senators Tom Reed, Republican of Iowa, and Ann Lowe, …, see …": a
   * plural subject for people whose members the sentence names, two people "they" can stand for.
   */
  private namedExamples(j: number, hi: number): Ref | undefined {
    const { doc } = this;
    const head = doc.tok(j);
    if (!head.word || !head.lower.endsWith('s') || !personNoun(head.lower)) return undefined;
    let k = j + 1;
    while (k < hi && k - j < 10 && doc.tok(k).lower !== 'like' && doc.tok(k).lower !== 'including') {
      if (doc.tok(k).quote >= 0 || doc.isCue(k) || pronounKind(doc.tok(k))) return undefined;
      k++;
    }
    if (k >= hi || k - j >= 10) return undefined;
    // Past a plural title ("Senators"), the first person, then "and" and the second.
    let a = -1;
    for (let n = k + 1; n < hi && n - k <= 3 && a < 0; n++) a = doc.mentionAt(n);
    if (a < 0 || doc.entity(a).person !== 'yes') return undefined;
    for (let n = doc.mention(a).to; n < hi && n - doc.mention(a).to <= 8; n++) {
      if (doc.tok(n).quote >= 0) return undefined;
      if (doc.tok(n).lower !== 'and') continue;
      const b = doc.mentionAt(n + 1);
      return b >= 0 && doc.entity(b).person === 'yes' && !doc.mention(b).poss ? { pair: [a, b] } : undefined;
    }
    return undefined;
  }

  /**
   * "Donald Trump's campaign is defending …", "The Clinton campaign said": a body named for the person,
   * tokens [from, head], which "it" and "they" can stand for and "he" never. Not "Trump's campaign
   * manager Kellyanne Conway", where the noun only modifies a role.
   */
  private bodyNamedFor(mi: number, from: number): Ref | undefined {
    const group = this.doc.groupNamedFor(mi);
    if (!group?.body) return undefined;
    const m = this.doc.mention(mi);
    const the = this.doc.toks[from - 1]?.lower === 'the' ? from - 1 : from;
    return { body: [m.poss ? m.first : the, group.head] };
  }

  /** The entity a reference stands for (a pronoun through its own resolution). */
  private entityOf(ref: Ref): Entity | undefined {
    if ('mi' in ref) return this.doc.entity(ref.mi);
    if ('kin' in ref) return this.kin.at(ref.kin);
    if ('pair' in ref) {
      const [a, b] = ref.pair;
      const key = `${a},${b}`;
      let e = this.pairs.get(key);
      if (!e) {
        e = { name: `${this.doc.entity(a).name} and ${this.doc.entity(b).name}`, role: null, gender: null, person: 'no', plural: true };
        this.pairs.set(key, e);
      }
      return e;
    }
    if ('body' in ref) {
      const [a, h] = ref.body;
      const key = `${a}:${h}`;
      let e = this.bodies.get(key);
      if (!e) {
        const words = joinTokens(this.doc.toks, a, h + 1);
        // "The Clinton campaign" opening a sentence is "the Clinton campaign" as a speaker.
        const name = this.doc.tok(a).lower === 'the' ? `t${words.slice(1)}` : words;
        e = { name, role: null, gender: null, person: 'no' };
        this.bodies.set(key, e);
      }
      return e;
    }
    return this.resolve(ref.pron)?.entity;
  }

  /** Resolve the subject pronoun at token k, or null. */
  resolve(k: number, as?: PronounKind): Resolved | null {
    const hit = this.memo.get(k);
    if (hit !== undefined) return hit;
    this.memo.set(k, null); // a cycle can only come back here unresolved
    const r = this.compute(k, as);
    this.memo.set(k, r);
    return r;
  }

  private compute(k: number, as?: PronounKind): Resolved | null {
    const { doc } = this;
    const kind = as ?? pronounKind(doc.toks[k]);
    if (!kind) return null;
    const sid = doc.sentOf[k] as number;
    const para = doc.tok(k).para;
    // The headline (paragraph 0) is no sentence of the discourse.
    const near = (s: number) => {
      const p = s >= 0 ? doc.tok(this.sentStart[s] as number).para : -1;
      return s >= 0 && para - p <= 1 && (p > 0 || para === 0);
    };
    const tried: { ref: Ref | undefined; base: number; why: string; since: number; chosen?: true }[] = [];
    const own = this.subjectOf(sid, k);
    if (own && !('pron' in own && own.pron === k)) tried.push({ ref: own, base: 0.92, why: 'subject of its sentence', since: sid - 1 });
    const opening = this.openingClauseSubject(sid, k);
    if (opening) tried.push({ ref: opening, base: 0.85, why: 'subject of the opening clause', since: sid });
    if (near(sid - 1)) tried.push({ ref: this.subjectOf(sid - 1), base: 0.88, why: 'subject of the previous sentence', since: sid - 1 });
    const established = this.establishedSpeaker(k);
    const only = kind === 'he' || kind === 'she' ? this.onlyAgreeing(k, kind, sid) : undefined;
    // Centering ranks what the previous sentence realises above anyone further back. When an
    // established speaker is not named there: the one agreeing person it names as subject or object
    // ("… with Hillary Clinton lambasting the plan." ¶ "…," she said), or, among several, the one it
    // introduces with a role ("… which concerns Henry Crespo, president of the caucus." ¶ "…," he
    // said), chosen among them, so with no rival discount.
    const fresh = only === undefined && (kind === 'he' || kind === 'she') ? this.newcomer(k, kind, sid) : undefined;
    if (fresh !== undefined && established !== undefined && this.introduced(fresh, kind, sid) && !this.realisedSince(established.ref, kind, sid - 1, k)) {
      tried.push({ ref: { mi: fresh }, base: 0.75, why: 'the person the previous sentence introduces', since: sid - 1, chosen: true });
    }
    const onlyFirst = only !== undefined && established !== undefined && this.introduced(only, kind, sid) && !this.realisedSince(established.ref, kind, sid - 1, k);
    if (onlyFirst) tried.push({ ref: { mi: only }, base: 0.8, why: 'the agreeing person the previous sentence names', since: sid - 1 });
    if (established) tried.push({ ref: established.ref, base: established.paras <= 1 ? 0.82 : 0.72, why: "the paragraph's established speaker", since: sid - 1 });
    // Then the only agreeing person named since the previous sentence, whatever their role in it.
    if (only !== undefined && !onlyFirst) tried.push({ ref: { mi: only }, base: 0.72, why: 'the only agreeing person nearby', since: sid - 1 });
    for (const s of [sid - 2, sid - 3]) if (near(s)) tried.push({ ref: this.subjectOf(s), base: 0.62, why: 'subject of an earlier sentence', since: s });
    for (const t of tried) {
      if (!t.ref) continue;
      const e = narrowShared(this.entityOf(t.ref), kind);
      if (!e) continue;
      const a = agrees(e, kind);
      if (!a.ok) continue;
      const rival = !t.chosen && this.rivalNear(k, e, kind, t.since);
      const confidence = t.base * a.certainty * (rival ? (t.base >= 0.85 ? 0.8 : 0.6) : 1);
      return { speaker: speakerFor(e), confidence, via: `pronoun "${doc.tok(k).text}": ${t.why}${rival ? ', with a rival nearby' : ''}`, entity: e };
    }
    return null;
  }

  /** Who last reported speech before token k, in its paragraph or the two before. */
  private establishedSpeaker(k: number): { ref: Ref; paras: number } | undefined {
    const para = this.doc.tok(k).para;
    for (let i = this.speakers.length - 1; i >= 0; i--) {
      const s = this.speakers[i] as { at: number; ref: Ref };
      if (s.at >= k) continue;
      const paras = para - this.doc.tok(s.at).para;
      if (paras > 2) return undefined;
      if ('pron' in s.ref && s.ref.pron === k) continue;
      if (this.entityOf(s.ref)) return { ref: s.ref, paras };
    }
    return undefined;
  }

  /**
   * Whether mention mi is a person the previous sentence introduces as a participant: surely a person
   * of the pronoun's gender, named as a subject or object (not after a preposition: "rally speeches
   * for Cruz"), in a sentence whose own subject is not a described person ("The radio talker …").
   */
  private introduced(mi: number, kind: PronounKind, sid: number): boolean {
    const { doc } = this;
    const e = doc.entity(mi);
    const sure = agrees(e, kind).certainty === 1 || e.person === 'yes';
    if (!sure || (this.oblique(mi) && !this.absolute(mi)) || this.modifier(mi)) return false;
    return !this.describedSubject(sid - 1);
  }

  /** "with Hillary Clinton — who's called for … — lambasting the plan": the subject of an absolute phrase, not an object. */
  private absolute(mi: number): boolean {
    const { doc } = this;
    const m = doc.mention(mi);
    if (doc.toks[m.from - 1]?.lower !== 'with') return false;
    let j = m.to;
    // Past an inserted clause between dashes or commas.
    const open = doc.toks[j]?.text;
    if (open !== undefined && DASH_OR_COMMA.has(open)) {
      j++;
      while (j < doc.toks.length && j - m.to < 15 && doc.tok(j).text !== open) j++;
      j++;
    }
    const t = doc.toks[j];
    return !!t && t.word && !t.cap && t.quote < 0 && t.lower.endsWith('ing');
  }

  /** A name used as a noun's modifier after a determiner: "a Trump presidency", "the Obama years". */
  private modifier(mi: number): boolean {
    const { doc } = this;
    const m = doc.mention(mi);
    const before = doc.toks[m.from - 1]?.lower;
    const after = doc.toks[m.to];
    return (before === 'a' || before === 'an' || before === 'the') && !!after && after.word && !after.cap && after.quote < 0 && !AUX.has(after.lower) && !doc.isCue(m.to);
  }

  /** Whether sentence sid opens (past an adverbial) with a described person: "The radio talker has …", "A former aide said". */
  private describedSubject(sid: number): boolean {
    const { doc } = this;
    const lo = this.sentStart[sid];
    if (lo === undefined || sid < 0) return false;
    const hi = sid + 1 < this.sentStart.length ? (this.sentStart[sid + 1] as number) : doc.toks.length;
    let j = lo;
    const first = doc.tok(j);
    if (ADVERBIAL_OPENERS.has(first.lower) || SUBORDINATORS.has(first.lower) || this.participleOpener(j)) {
      while (j < hi && j - lo < 14 && doc.tok(j).text !== ',') j++;
      j++;
    }
    if (j >= hi || !DESCRIBERS.has(doc.tok(j).lower)) return false;
    for (let n = j + 1; n < hi && n - j <= 4; n++) {
      const t = doc.tok(n);
      if (!t.word || t.quote >= 0 || (doc.owner[n] ?? -1) >= 0) return false;
      if (personNoun(t.lower)) return true;
    }
    return false;
  }

  /** Whether the entity `ref` stands for is named (or is the resolved subject pronoun) between sentence `since` and token k. */
  private realisedSince(ref: Ref, kind: PronounKind, since: number, k: number): boolean {
    const e = this.entityOf(ref);
    if (!e || !agrees(e, kind).ok) return true; // nothing to outrank: keep the order
    const { doc } = this;
    for (let j = this.sentStart[Math.max(0, since)] as number; j < k; j++) {
      const mi = doc.owner[j] ?? -1;
      if (mi >= 0 && doc.entity(mi) === e) return true;
      if (pronounKind(doc.tok(j)) === kind && this.resolve(j)?.entity === e) return true;
    }
    return false;
  }

  /**
   * "… which concerns Henry Crespo, president of the caucus." ¶ "…," he said: when several agreeing
   * people are named since the previous sentence, the one it introduces (first named there, with a
   * role set off after the name) is who news copy quotes next. The mention, if exactly one.
   */
  private newcomer(k: number, kind: PronounKind, sid: number): number | undefined {
    const { doc } = this;
    const from = this.sentStart[Math.max(0, sid - 1)] as number;
    if (sid < 1 || doc.tok(from).para === 0) return undefined;
    let found: number | undefined;
    for (let j = from; j < k; j++) {
      const mi = doc.owner[j] ?? -1;
      if (mi < 0 || doc.mention(mi).from !== j) continue;
      const m = doc.mention(mi);
      const e = doc.entity(mi);
      // A person set off with a role, not a place after a comma ("Manchester, N.H., resident …") or a prepositional object.
      if (m.poss || e.person !== 'yes' || !agrees(e, kind).ok || m.to === m.last || doc.toks[m.last]?.text !== ',') continue;
      if (doc.toks[m.from - 1]?.text === ',' || this.oblique(mi)) continue;
      // First named here: no earlier mention of the same person.
      let earlier = false;
      for (let p = 0; p < mi && !earlier; p++) if (doc.entity(p) === e) earlier = true;
      if (earlier) continue;
      if (found !== undefined) return undefined;
      found = mi;
    }
    return found;
  }

  /** The mention of the one agreeing person named (not only as a possessor) since the previous sentence, if exactly one. */
  private onlyAgreeing(k: number, kind: PronounKind, sid: number): number | undefined {
    const { doc } = this;
    let from = this.sentStart[Math.max(0, sid - 1)] as number;
    if (doc.tok(k).para - doc.tok(from).para > 1) return undefined;
    // The headline is no sentence of the discourse: a name there competes with no one in the body.
    if (doc.tok(from).para === 0 && doc.tok(k).para > 0) from = this.sentStart[sid] as number;
    let found: number | undefined;
    let entity: Entity | undefined;
    for (let j = from; j < k; j++) {
      const mi = doc.owner[j] ?? -1;
      if (mi < 0 || doc.mention(mi).from !== j || this.possessor(mi)) continue;
      const e = doc.entity(mi);
      if (!agrees(e, kind).ok || e === entity) continue;
      if (entity) return undefined;
      entity = e;
      found = mi;
    }
    return found;
  }

  /** Another agreeing person of the same known gender named (not only as a possessor) since sentence `since`. */
  private rivalNear(k: number, chosen: Entity, kind: PronounKind, since: number): boolean {
    if (kind !== 'he' && kind !== 'she') return false;
    const { doc } = this;
    const from = this.sentStart[Math.max(0, since)] as number;
    for (let j = from; j < k; j++) {
      const mi = doc.owner[j] ?? -1;
      if (mi < 0 || doc.mention(mi).from !== j) continue;
      const e = doc.entity(mi);
      // A possessor or a prepositional object ("a demand of Obama") competes for no pronoun; "with X
      // lambasting …" makes X the subject of its phrase, so it still does.
      const oblique = this.oblique(mi) && doc.toks[doc.mention(mi).from - 1]?.lower !== 'with';
      if (e === chosen || this.possessor(mi) || oblique) continue;
      const a = agrees(e, kind);
      if (a.ok && a.certainty === 1) return true;
    }
    return false;
  }
}
