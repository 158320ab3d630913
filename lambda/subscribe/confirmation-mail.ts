import { renderConfirm } from '../shared/email/render.ts';
import { personalise } from '../shared/email/personalise.ts';
import { buildMessage } from '../shared/email/mime.ts';
import type { RenderedEmail } from '../shared/email/types.ts';
import type { ConfirmationComposer } from '../shared/subscriptions/service.ts';

/**
 * The confirmation composer over the email module: confirm.mjml is rendered once per container (MJML
 * is slow, and nothing in it depends on the recipient), then each mail only fills the confirm link
 * and builds MIME, which rejects CR/LF in every header value.
 */
export interface ConfirmationMailOptions {
  readonly newsletterName: string;
  readonly postalAddress: string;
  readonly from: { readonly name: string; readonly address: string };
  readonly topicLabels?: Readonly<Record<string, string>>;
}

/** Create the composer; the MJML render happens on first use and is reused after. */
export function createConfirmationComposer(options: ConfirmationMailOptions): ConfirmationComposer {
  let rendered: Promise<RenderedEmail> | undefined;
  return {
    async compose({ subscriberId, email, confirmUrl }) {
      rendered ??= renderConfirm({
        newsletterName: options.newsletterName,
        postalAddress: options.postalAddress,
        linkValidity: '7 days',
        ...(options.topicLabels ? { topicLabels: options.topicLabels } : {}),
      }).catch((error: unknown) => {
        rendered = undefined;
        throw error;
      });
      const personal = personalise(await rendered, { confirmUrl });
      return buildMessage(personal, { subscriberId, email }, { from: options.from });
    },
  };
}
