/**
 * A person's grammatical gender as the text gives it, for pronoun agreement ("he" cannot be Sarah
 * Sanders). Titles and role words decide first (Mr, Baroness, spokeswoman, widow); then the short
 * curated lists in lexicon.ts, which settle names the news uses differently from the general
 * population (Kim Jong Un, Terry as a woman's name stays unknown); then the 32,000 English first
 * names of gender-detection-from-name. Names in none of them stay unknown.
 */
import firstNames from 'gender-detection-from-name/names/en.js';
import { FEMALE_FIRST, FEMALE_TITLES, MALE_FIRST, MALE_TITLES, UNISEX_FIRST } from './lexicon.ts';

export type Gender = 'm' | 'f' | null;

/**
 * The gender that role words or a first name imply, or null. `first` is the first word of a name
 * of two words or more; a lone word ("Cole", "Melanie") is as often a surname, so only the curated
 * lists speak for it (`alone`).
 */
export function genderOf(first: string, roleWords: readonly string[], alone = false): Gender {
  for (const w of roleWords) {
    if (MALE_TITLES.has(w)) return 'm';
    if (FEMALE_TITLES.has(w)) return 'f';
  }
  if (MALE_FIRST.has(first)) return 'm';
  if (FEMALE_FIRST.has(first)) return 'f';
  if (UNISEX_FIRST.has(first) || alone) return null;
  const g = firstNames.get(first);
  return g === 'male' ? 'm' : g === 'female' ? 'f' : null;
}

/** Whether a word is a known first name (of either gender). */
export function isFirstName(w: string): boolean {
  return MALE_FIRST.has(w) || FEMALE_FIRST.has(w);
}
