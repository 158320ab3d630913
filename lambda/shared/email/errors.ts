/**
 * Named errors of the email layer. Messages name the field or template at fault, never an email
 * address or a token: these errors end up in logs (see lambda/shared/logger.ts).
 */

/** Base class of every email-layer error, so callers can catch the family at once. */
export class EmailError extends Error {
  override readonly name: string = 'EmailError';
}

/** A template file is missing, unreadable or refers to a value the renderer did not supply. */
export class TemplateError extends EmailError {
  override readonly name: string = 'TemplateError';
}

/** MJML rejected the generated markup (strict validation) or the input cannot make an email. */
export class RenderError extends EmailError {
  override readonly name: string = 'RenderError';
}

/** A per-recipient value is missing or unusable (e.g. a non-http unsubscribe URL). */
export class PersonaliseError extends EmailError {
  override readonly name: string = 'PersonaliseError';
}

/** A header value carries CR, LF or another control character: header injection (RFC 5322 §2.2). */
export class HeaderInjectionError extends EmailError {
  override readonly name: string = 'HeaderInjectionError';
  /** Which header or field was rejected, e.g. "subject" or "from.name". */
  readonly field: string;
  constructor(field: string, options?: ErrorOptions) {
    super(`control character (CR/LF) in email header field "${field}"`, options);
    this.field = field;
  }
}

/** An address that cannot be a mailbox (syntax, length); the message names the field, not the address. */
export class InvalidAddressError extends EmailError {
  override readonly name: string = 'InvalidAddressError';
  /** Which address was rejected, e.g. "to" or "from.address". */
  readonly field: string;
  constructor(field: string, reason: string, options?: ErrorOptions) {
    super(`invalid email address in "${field}": ${reason}`, options);
    this.field = field;
  }
}

/** A header value that is well-formed text but not a valid value for that header (Message-ID, List-Id). */
export class InvalidHeaderError extends EmailError {
  override readonly name: string = 'InvalidHeaderError';
  readonly field: string;
  constructor(field: string, reason: string, options?: ErrorOptions) {
    super(`invalid value for email header field "${field}": ${reason}`, options);
    this.field = field;
  }
}
