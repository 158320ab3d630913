/**
 * One identity per person: the name mentions of an article grouped into the people and bodies
 * they name. A full name is an entity; a surname, a title and surname ("Prof Oswald"), a first name
 * or a one-letter misspelling resolves to the full name introduced for it. When several people
 * share a surname (Bill and Hillary Clinton, Sen. Chris Murphy and a victim named Anne Marie
 * Murphy), a bare "Clinton" is the one the text keeps as its subject, not merely the last named.
 * An acronym ("IMF") takes the name of the body the article names in full with its initials.
 */
import { PREPOSITIONS } from './cues.ts';
import type { Speaker } from '../../article/model.ts';
import type { Gender, Mention, Token } from './tokens.ts';

/** A person or organisation the article names, however often and however spelled. */
export interface Entity {
  readonly name: string;
  role: string | null;
  gender: Gender;
  person: Mention['person'];
  /** Two or more people taken together ("Tom Reed and Ann Lowe"), whom only "they" can stand for. */
  readonly plural?: true;
  /** A bare surname that two or more people named in the article share, when the text does not say which. */
  readonly sharedBy?: readonly Entity[];
  /** The initials the article also calls a body by ("IMF" for the International Monetary Fund). */
  acronym?: string;
}

/** The speaker an entity is shown as: its name, with the initials the article also uses ("International Monetary Fund (IMF)"). */
export function speakerFor(e: Entity): Speaker {
  const name = e.acronym ? `${e.name} (${e.acronym})` : e.name;
  return e.role ? { name, role: e.role } : { name };
}

const key = (s: string): string => s.toLowerCase().replace(/[’]/g, "'").replace(/\s+[a-z]\.(?=\s)/g, '');

/** A surname misspelt by one letter ("McLenney" for "McClenney"): the one full name it can be, if exactly one. */
function fuzzySurname<T>(bySurname: ReadonlyMap<string, T[]>, k: string): T[] | undefined {
  if (k.length < 6 || k.includes(' ')) return undefined;
  let hit: T[] | undefined;
  for (const [sur, list] of bySurname) {
    if (Math.abs(sur.length - k.length) > 1 || !oneEdit(sur, k)) continue;
    if (hit) return undefined;
    hit = list;
  }
  return hit;
}

/** Whether a and b differ by exactly one inserted, deleted or replaced character. */
function oneEdit(a: string, b: string): boolean {
  if (a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

/** Words after which a name starts a clause as its subject ("… and Cruz said", "that Bush would"). */
const CLAUSE_OPENERS = new Set(['that', 'and', 'but', 'when', 'while', 'as', 'because', 'if', 'since', 'although', 'though', 'after', 'before', 'so', 'where', 'until', 'then']);

/**
 * Whether a mention stands as a clause's subject or a quote's speaker: at the start of a sentence or
 * clause, or right after a reporting verb ("said Cruz"). Not after a preposition or a verb ("a photo
 * of Heidi Cruz", "accused Rafael Cruz"), not as an appositive ("an aide, Anne Marie Murphy, who …"),
 * not as a possessor.
 */
function subjectLike(toks: readonly Token[], m: Mention, isCue: (k: number) => boolean): boolean {
  if (m.poss) return false;
  const prev = toks[m.from - 1];
  const next = toks[m.to];
  const verbAfter = !!next && next.word && !next.cap && next.quote < 0 && !PREPOSITIONS.has(next.lower);
  if (!prev || prev.para !== (toks[m.from] as Token).para) return true;
  if (prev.quote >= 0 || /^[.!?:;(\u2014\u2015]$/.test(prev.text)) return true;
  if (prev.text === ',') return verbAfter;
  if (!prev.word) return false;
  return CLAUSE_OPENERS.has(prev.lower) || isCue(m.from - 1);
}

interface Candidate {
  readonly at: number;
  readonly e: Entity;
}

/**
 * Which of the people sharing a surname a bare mention of it is: the one most recently named in full
 * as a subject or speaker; failing that, the one named in full most often; failing that (a tie),
 * none: the mention stands for the surname alone, marked as shared.
 */
function sharedSurname(cands: readonly Candidate[], m: Mention, subjects: ReadonlyMap<Entity, number[]>, counts: ReadonlyMap<Entity, number>): Entity | undefined {
  let best: Entity | undefined;
  let bestAt = -1;
  for (const c of cands) {
    for (const at of subjects.get(c.e) ?? []) {
      if (at < m.first && at > bestAt) {
        bestAt = at;
        best = c.e;
      }
    }
  }
  if (best) return best;
  const ranked = [...cands].sort((a, b) => (counts.get(b.e) ?? 0) - (counts.get(a.e) ?? 0));
  const [first, second] = ranked;
  if (first && second && (counts.get(first.e) ?? 0) > (counts.get(second.e) ?? 0)) return first.e;
  return undefined;
}

const MINOR_WORDS = new Set(['of', 'the', 'and', 'for', 'on', 'in', 'to', '&']);

/**
 * "IMF" where the article names the International Monetary Fund: an acronym of a body named in full
 * ("DNC", "FBI") is given that name, when exactly one name in the article has those initials. It
 * stays its own entity, so where the acronym may speak is decided as for any acronym; both are shown
 * as one name with the initials ("International Monetary Fund (IMF)"), as a reader meets either.
 */
function acronymsOf(mentions: readonly Mention[]): Map<string, Entity> {
  const byInitials = new Map<string, string | null>();
  for (const m of mentions) {
    const words = m.name.split(' ').filter((w) => !MINOR_WORDS.has(w.toLowerCase()));
    if (words.length < 2 || m.person === 'yes') continue;
    const initials = words.map((w) => w[0]).join('').toUpperCase();
    const known = byInitials.get(initials);
    if (known === undefined) byInitials.set(initials, m.name);
    else if (known !== null && key(known) !== key(m.name)) byInitials.set(initials, null);
  }
  const out = new Map<string, Entity>();
  for (const m of mentions) {
    const name = /^[A-Z]{2,6}$/.test(m.name) ? byInitials.get(m.name) : undefined;
    if (name && !out.has(m.name)) out.set(m.name, { name, role: null, gender: null, person: m.person, acronym: m.name });
  }
  return out;
}

/** Per-mention entity: full names first, then surnames and first names resolved to them. */
export function buildEntities(mentions: readonly Mention[], toks: readonly Token[], isCue: (k: number) => boolean): Entity[] {
  const full = new Map<string, Entity>();
  const bySurname = new Map<string, Candidate[]>();
  const byFirst = new Map<string, Entity[]>();
  /** Where each person is named in full as a subject, and how often in full at all. */
  const subjects = new Map<Entity, number[]>();
  const counts = new Map<Entity, number>();
  /** Full names written outside the headline, whose capitals may be typography ("Woman Reveals Kind Thing Ruiz Did"). */
  const inBody = new Set<Entity>();
  for (const m of mentions) {
    const parts = m.name.split(' ');
    if (parts.length < 2 || m.person === 'no') continue;
    // "Laurence H. Tribe" and "Laurence Tribe" are one person: the key drops middle initials.
    const k = key(m.name);
    let e = full.get(k);
    if (!e) {
      e = { name: m.name, role: m.role, gender: m.gender, person: m.person };
      full.set(k, e);
      const sur = key(parts[parts.length - 1] as string);
      const list = bySurname.get(sur) ?? [];
      list.push({ at: m.first, e });
      bySurname.set(sur, list);
      const first = key(parts[0] as string);
      byFirst.set(first, [...(byFirst.get(first) ?? []), e]);
    }
    e.role ??= m.role;
    e.gender ??= m.gender;
    if (m.person === 'yes') e.person = 'yes';
    counts.set(e, (counts.get(e) ?? 0) + 1);
    if ((toks[m.from] as Token).para > 0) inBody.add(e);
    if (subjectLike(toks, m, isCue)) subjects.set(e, [...(subjects.get(e) ?? []), m.first]);
  }
  const single = new Map<string, Entity>();
  const acronyms = acronymsOf(mentions);
  const entities = mentions.map((m) => {
    const k = key(m.name);
    const f = full.get(k) ?? acronyms.get(m.name);
    if (f) return f;
    let e: Entity | undefined;
    let shared: readonly Entity[] | undefined;
    // "Mr. Obama" is not Michelle Obama: a surname resolves only to a full name of compatible gender.
    // Only a title says the gender of a surname: "Scott" alone is no man's first name here.
    const g = m.titleGender;
    const found = bySurname.get(k) ?? fuzzySurname(bySurname, k) ?? [];
    // A surname under a title that says no gender ("President Obama") introduces its person: it never
    // takes the full name of someone the article introduces only later ("Michelle Obama").
    const listed = m.from < m.first && g === null ? found.filter((c) => c.at <= m.first) : found;
    // A full name the body writes outranks one only the headline has.
    const all = listed.some((c) => inBody.has(c.e)) ? listed.filter((c) => inBody.has(c.e)) : listed;
    const exact = all.filter((c) => g !== null && c.e.gender === g);
    const cands = exact.length ? exact : all.filter((c) => g === null || c.e.gender === null || c.e.gender === g);
    if (cands.length === 1) {
      e = (cands[0] as Candidate).e;
      // A title settles an unknown gender, but only when the surname names one person.
      if (e.gender === null && all.length === 1) e.gender = g;
    } else if (cands.length > 1) {
      e = sharedSurname(cands, m, subjects, counts);
      if (!e) shared = cands.map((c) => c.e);
    } else {
      const byF = byFirst.get(k);
      if (byF && byF.length === 1) e = byF[0];
      if (e) e.gender ??= m.gender;
    }
    if (e) {
      e.role ??= m.role;
      return e;
    }
    if (shared) {
      // The surname alone says nothing of gender ("Scott" is no man's first name here): only the people sharing it do.
      const genders = new Set(shared.map((x) => x.gender));
      const gender = genders.size === 1 ? (shared[0] as Entity).gender : null;
      const sk = `${k}#shared`;
      const s = single.get(sk) ?? { name: m.name, role: null, gender, person: 'yes', sharedBy: shared };
      single.set(sk, s);
      return s;
    }
    let s = single.get(k);
    if (!s) {
      s = { name: m.name, role: m.role, gender: m.gender, person: m.person };
      single.set(k, s);
    }
    s.role ??= m.role;
    s.gender ??= m.gender;
    if (m.person === 'yes') s.person = 'yes';
    return s;
  });
  // The body named in full is shown with the initials the article also uses.
  const initialsOf = new Map([...acronyms.values()].map((a) => [key(a.name), a.acronym]));
  for (const e of entities) {
    const acronym = initialsOf.get(key(e.name));
    if (acronym && e.acronym === undefined) e.acronym = acronym;
  }
  spellApostrophes(mentions, entities);
  return entities;
}

/**
 * Text pasted from several sources mixes apostrophes ("James O’Neill" once, "O'Neill" after): the
 * mentions are one person either way (key() folds them), and the name is shown as the article spells
 * it most often, so one speaker never appears under two spellings.
 */
function spellApostrophes(mentions: readonly Mention[], entities: readonly Entity[]): void {
  const votes = new Map<Entity, number>();
  mentions.forEach((m, i) => {
    const e = entities[i] as Entity;
    const curly = (m.name.match(/\u2019/g) ?? []).length;
    const straight = (m.name.match(/'/g) ?? []).length;
    if (curly !== straight) votes.set(e, (votes.get(e) ?? 0) + Math.sign(curly - straight));
  });
  for (const [e, v] of votes) {
    const name = v > 0 ? e.name.replace(/'/g, '\u2019') : v < 0 ? e.name.replace(/\u2019/g, "'") : e.name;
    if (name !== e.name) (e as { name: string }).name = name;
  }
}
