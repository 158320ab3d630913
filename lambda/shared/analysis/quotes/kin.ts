/**
 * Relatives a first-person piece names by their relation ("my father often said", "my mother"): one
 * identity per relation, with the relation's gender, so "he" and "she" can stand for them. The
 * relative is named when the article gives the name ("my father, James Hale,", "my parents, James
 * and Olive Hale"), else described as the writer does ("my father"), which is no proper name.
 */
import type { Doc, Entity } from './document.ts';
import { genderOf } from './gender.ts';
import type { Gender } from './tokens.ts';

/** Relation nouns by gender; a familiar word stands for its relation ("dad" is the father). */
const RELATIONS = new Map<string, { readonly rel: string; readonly gender: Gender }>();
for (const [gender, nouns] of [['m', 'father dad:father brother son husband grandfather'], ['f', 'mother mom:mother mum:mother sister daughter wife grandmother']] as const) {
  for (const noun of nouns.split(' ')) {
    const [word, rel] = noun.split(':') as [string, string | undefined];
    RELATIONS.set(word, { rel: rel ?? word, gender });
  }
}

const NAME = String.raw`\p{Lu}[\p{Ll}'’-]+`;
/** "my father, James Hale," / "my mother Olive Hale" */
const APPOSITIVE = new RegExp(String.raw`\b[Mm]y (${[...RELATIONS.keys()].join('|')}),? ((?:${NAME} ){1,2}${NAME})(?=[,.;)]|\s+(?:was|is|had|has|who)\b)`, 'gu');
/** "my parents, James and Olive Hale" */
const PARENTS = new RegExp(String.raw`\b[Mm]y parents,? (${NAME}) and (${NAME}) (${NAME})\b`, 'u');

/** The writer's relatives, as one article names them. */
export class Kin {
  private readonly names = new Map<string, string>();
  private readonly entities = new Map<string, Entity>();

  constructor(private readonly doc: Doc) {
    for (const m of doc.text.matchAll(APPOSITIVE)) {
      const rel = RELATIONS.get(m[1] as string)?.rel;
      if (rel && !this.names.has(rel)) this.names.set(rel, m[2] as string);
    }
    const p = PARENTS.exec(doc.text);
    if (p) {
      const [a, b, surname] = [p[1] as string, p[2] as string, p[3] as string];
      const ga = genderOf(a.toLowerCase(), []);
      const gb = genderOf(b.toLowerCase(), []);
      // One parent's gender known and the other's not the same: the other is the other parent.
      const father = ga === 'm' && gb !== 'm' ? a : gb === 'm' && ga !== 'm' ? b : ga === 'f' && gb !== 'f' ? b : gb === 'f' && ga !== 'f' ? a : undefined;
      if (father) {
        const mother = father === a ? b : a;
        if (!this.names.has('father')) this.names.set('father', `${father} ${surname}`);
        if (!this.names.has('mother')) this.names.set('mother', `${mother} ${surname}`);
      }
    }
  }

  /** The relative a relation noun at token k stands for after "my" ("my father"), else undefined. */
  at(k: number): Entity | undefined {
    const t = this.doc.toks[k];
    const before = this.doc.toks[k - 1];
    if (!t || !before || t.quote >= 0 || t.poss || before.lower !== 'my') return undefined;
    const relation = RELATIONS.get(t.lower);
    if (!relation) return undefined;
    let e = this.entities.get(relation.rel);
    if (!e) {
      e = { name: this.names.get(relation.rel) ?? `my ${relation.rel}`, role: null, gender: relation.gender, person: 'yes' };
      this.entities.set(relation.rel, e);
    }
    return e;
  }
}
