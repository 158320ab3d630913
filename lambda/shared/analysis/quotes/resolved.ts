/**
 * A speaker as a sieve found it, before the confidence threshold: who, how sure, and by which
 * evidence. Confidence is a probability-like score in [0, 1] that the name is the person who said
 * the words; the sieve's own reliability and the resolution's (a name as written, a surname, a
 * pronoun through centering) multiply.
 */
import type { Speaker } from '../../article/model.ts';
import type { Entity } from './document.ts';

export interface Resolved {
  readonly speaker: Speaker;
  readonly confidence: number;
  /** How the words that name the speaker were resolved: 'name', 'pronoun: subject of the previous sentence', … */
  readonly via: string;
  /** The person or organisation, when the speaker is one the article names. */
  readonly entity?: Entity | undefined;
}

/** What a phrase reader found: a speaker, null when the cue's subject names no one ("they said"), undefined when nothing. */
export type Found = Resolved | null | undefined;

/** The same resolution, less sure: a looser reading of the text scales the confidence. */
export function scaled(r: Resolved, factor: number, note?: string): Resolved {
  return { ...r, confidence: Math.max(0, Math.min(1, r.confidence * factor)), via: note ? `${r.via}; ${note}` : r.via };
}
