/**
 * What a sieve sees and returns. A sieve looks at one quotation and either decides (a speaker, or
 * null: "the text says who spoke, and it is no one we can name") or passes (undefined) to the next.
 */
import type { Doc } from '../document.ts';
import type { MarkSpan } from '../marks.ts';
import type { Found } from '../resolved.ts';
import type { Speakers } from '../speakers.ts';

/** The quotation being attributed, with the windows of text around it. */
export interface QuoteContext {
  readonly doc: Doc;
  readonly speakers: Speakers;
  readonly span: MarkSpan;
  /** Token of the opening mark and of the closing mark (or the last token of an unclosed quote). */
  readonly openTok: number;
  readonly closeTok: number;
  /** Paragraph of the opening mark. */
  readonly para: number;
  /** Start of the sentence holding the opening mark. */
  readonly lo: number;
  /** Whether words stand before the quote in its sentence. */
  readonly wordsBefore: boolean;
  /** After the closing mark: first token, and the end of that sentence (exclusive). */
  readonly postStart: number;
  readonly hi: number;
  /** Whether the words after the quote may name its speaker (not the start of an unrelated sentence). */
  readonly postUsable: boolean;
  /** A scare quote (or a title): the sieves that read speech from context skip it. */
  readonly scare: boolean;
  readonly title: boolean;
  /** The previous quotation that was speech, and what was decided for it. */
  readonly previous: { readonly span: MarkSpan; readonly decision: Decision } | null;
}

/** A sieve's decision: the speaker found (before the threshold), or null for a source who cannot be named. */
export interface Decision {
  readonly sieve: string;
  readonly found: Found;
}

export interface Sieve {
  /** Names what the sieve decides, shown in the trace ("cue after the quote"). */
  readonly name: string;
  /** How often the sieve's reading is right when it fires; multiplies the resolution's confidence. */
  readonly reliability: number;
  decide(q: QuoteContext): Found;
}
