/** Errors raised while reading an article. The CLI and the ingest Lambda report them; neither crashes. */

/** An article file (or S3 object) that cannot be turned into an Article; names the file and the reason. */
export class ArticleParseError extends Error {
  override readonly name = 'ArticleParseError';
  /** The file path or object key the content came from. */
  readonly file: string;
  /** Human-readable reason, without the file name ("file is empty"). */
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}
