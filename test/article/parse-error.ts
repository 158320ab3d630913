import { expect } from 'vitest';
import { ArticleParseError } from '../../lambda/shared/article/errors.ts';

/** Run `fn` and return the ArticleParseError it throws (fails the test if it throws nothing, or something else). */
export function parseError(fn: () => unknown): ArticleParseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArticleParseError);
    return e as ArticleParseError;
  }
  throw new Error('expected an ArticleParseError');
}
