/**
 * A person's grammatical gender as the text gives it, for pronoun agreement ("he" cannot be Sarah
 * Sanders). Titles and role words decide first (Mr, Baroness, spokeswoman, widow); then the short
 * curated first-name lists in lexicon.ts, which hold the names the news uses and settle those it
 * uses differently from the general population (Kim Jong Un; Terry stays unknown). Names in none of
 * them stay unknown, and agreement treats unknown as possible but less sure. (A 32,000-name table
 * was tried: it changed no figure on PolNeAR dev or train and cost the ingest bundle 617 KB.)
 */
import { FEMALE_FIRST, FEMALE_TITLES, MALE_FIRST, MALE_TITLES, UNISEX_FIRST } from './lexicon.ts';

export type Gender = 'm' | 'f' | null;

/**
 * The gender that role words or a first name imply, or null. `first` is the first word of the name;
 * `roleWords` the titles and role words before it.
 */
export function genderOf(first: string, roleWords: readonly string[]): Gender {
  for (const w of roleWords) {
    if (MALE_TITLES.has(w)) return 'm';
    if (FEMALE_TITLES.has(w)) return 'f';
  }
  if (UNISEX_FIRST.has(first)) return null;
  if (MALE_FIRST.has(first)) return 'm';
  if (FEMALE_FIRST.has(first)) return 'f';
  return null;
}

/** Whether a word is a known first name (of either gender). */
export function isFirstName(w: string): boolean {
  return MALE_FIRST.has(w) || FEMALE_FIRST.has(w);
}
