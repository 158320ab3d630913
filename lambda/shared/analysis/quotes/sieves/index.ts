/**
 * The order in which the sieves decide who spoke, most reliable first: the first sieve that
 * decides wins, and the trace names it. Read this list top to bottom to follow a decision.
 * (After Muzny et al., "A Two-stage Sieve Approach for Quote Attribution", EACL 2017.)
 */
import { colonIntroduction } from './colon-introduction.ts';
import { conversationCarry } from './conversation-carry.ts';
import { cueAfterQuote } from './cue-after-quote.ts';
import { cueBeforeQuote } from './cue-before-quote.ts';
import { cueLaterInSentence } from './cue-later-in-sentence.ts';
import { dashByline } from './dash-byline.ts';
import { nominalCue } from './nominal-cue.ts';
import { perspective } from './perspective.ts';
import { previousSentence } from './previous-sentence.ts';
import { sentenceSubject } from './sentence-subject.ts';
import type { Sieve } from './sieve.ts';
import { transcriptLabel } from './transcript-label.ts';

export const SIEVES: readonly Sieve[] = [
  transcriptLabel, //      `"PENCE: Well, look, …"` (a transcript names each turn's speaker)
  dashByline, //           `"…" ― Ana Ruiz`
  cueAfterQuote, //        `"…," Bolton said` / `"…," said Bolton` / `"…," he said`
  nominalCue, //           `Bolton's claim that "…"` / `footage of Bolton saying "…"` / `for Bolton to tweet "…"`
  perspective, //          `because to her, "…"` / `To Bolton, "…"`
  cueBeforeQuote, //       `Bolton said "…"` / `According to Bolton, "…"`
  colonIntroduction, //    `Bolton on Twitter: "…"`
  cueLaterInSentence, //   `"…" is how Bolton put it, he said`
  sentenceSubject, //      `Bolton called the plan "a disaster"`
  previousSentence, //     `Bolton added. "…"` / `Bolton continued:` ¶ `"…"`
  conversationCarry, //    `"…," Bolton said.` ¶ `"…"`
];

export type { Decision, QuoteContext, Sieve } from './sieve.ts';
