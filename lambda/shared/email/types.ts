/**
 * Types shared by rendering (render.ts, loads MJML) and the per-recipient path (personalise.ts,
 * mime.ts, which must stay free of MJML so the sender and subscribe bundles do not carry it).
 */

export type EmailKind = 'digest' | 'alert' | 'confirm';

/** How often a subscriber hears from us; "immediate" means alerts. */
export type Frequency = 'immediate' | 'daily' | 'weekly';

/** Per-recipient values, filled in after rendering. */
export type SlotName = 'unsubscribeUrl' | 'preferencesUrl' | 'confirmUrl' | 'greeting';

/**
 * An email rendered once per issue, with per-recipient slots still as placeholders. Plain JSON
 * (no class, no functions) so delivery can archive it and send from the stored copy.
 */
export interface RenderedEmail {
  readonly kind: EmailKind;
  readonly subject: string;
  /** The inbox preview line (mj-preview). */
  readonly preheader: string;
  readonly html: string;
  readonly text: string;
  /** Random key inside this render's placeholders, so article text can never forge one. */
  readonly slotKey: string;
  /** The slots this email contains; personalise() requires each, except the optional greeting. */
  readonly slots: readonly SlotName[];
}

/** The values personalise() fills in. A subscriber record with these fields can be passed as is. */
export interface PersonalValues {
  readonly unsubscribeUrl?: string | undefined;
  readonly preferencesUrl?: string | undefined;
  readonly confirmUrl?: string | undefined;
  /** An optional first line such as "Hello Ann,"; omitted when absent. */
  readonly greeting?: string | undefined;
}

/** A rendered email with one recipient's values filled in: ready for buildMessage(). */
export interface PersonalisedEmail {
  readonly kind: EmailKind;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The normalised unsubscribe URL, for the List-Unsubscribe header (RFC 2369/8058). */
  readonly unsubscribeUrl?: string;
}

/** Options every email takes. */
export interface NewsletterOptions {
  /** Shown in the header, subject and footer. */
  readonly newsletterName: string;
  /** The operator's postal address, printed in every footer (CAN-SPAM). */
  readonly postalAddress: string;
  /** BCP 47 language of the email, default "en". */
  readonly lang?: string | undefined;
  /** Display names of topic slugs; default: the slug with dashes as spaces, capitalised. */
  readonly topicLabels?: Readonly<Record<string, string>> | undefined;
  /** The issue's web version (view in browser, archive); absent when the archive is off. */
  readonly web?: WebLinks | undefined;
  /** Render the email ("mail", default) or its web version ("web", needs `web`). */
  readonly edition?: 'mail' | 'web' | undefined;
}

/** Where an issue's web version lives and what it links to. Nothing here is personal. */
export interface WebLinks {
  /** Absolute URL of this issue's web version; the email links to it at the top. */
  readonly url: string;
  /** The subscribe form, linked from the web version's footer. */
  readonly subscribeUrl: string;
  /** The archive index, linked from the web version when the archive is public. */
  readonly archiveUrl?: string | undefined;
}

/** Options of a digest issue. */
export interface DigestOptions extends NewsletterOptions {
  /** The issue date (a Date, or an ISO string whose calendar date is used as is). */
  readonly issueDate: Date | string;
  readonly frequency: 'daily' | 'weekly';
  /** The reader's topics, for "why you get this"; empty means all topics. */
  readonly topics: readonly string[];
  /** Articles shown in full; the rest are listed as headlines only. Default 10. */
  readonly maxFullArticles?: number | undefined;
}

/** Options of an immediate alert. */
export interface AlertOptions extends NewsletterOptions {
  /** The reader's topic that matched this article. */
  readonly matchedTopic: string;
  /** The reader's topics, for "why you get this". */
  readonly topics: readonly string[];
  /** Default: now. */
  readonly issueDate?: Date | string | undefined;
}

/**
 * Options of the double opt-in confirmation email. Nothing here depends on the recipient or their
 * choices, so one render serves every confirmation a process sends.
 */
export interface ConfirmOptions extends NewsletterOptions {
  /** How long the confirmation link works, in words. Default "7 days". */
  readonly linkValidity?: string | undefined;
}
