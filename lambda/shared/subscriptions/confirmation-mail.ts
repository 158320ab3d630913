import compiledConfirm from '../../../templates/confirm.compiled.json' with { type: 'json' };
import { instantiateConfirm, parseCompiledConfirm } from '../email/compiled.ts';
import { personalise } from '../email/personalise.ts';
import { buildMessage } from '../email/mime.ts';
import type { RenderedEmail } from '../email/types.ts';
import type { ConfirmationComposer } from './confirmations.ts';

/**
 * The confirmation composer over the email module. confirm.mjml is compiled by MJML at build time
 * (`npm run compile:templates` → templates/confirm.compiled.json, inlined here by esbuild), so the
 * confirmation worker's bundle carries no mjml (issue 6: ≤ 500 KB). Per container the compiled HTML is filled
 * with this deployment's texts once; each mail then only fills the confirm link and builds MIME,
 * which rejects CR/LF in every header value.
 */
export interface ConfirmationMailOptions {
  readonly newsletterName: string;
  readonly postalAddress: string;
  readonly from: { readonly name: string; readonly address: string };
  readonly topicLabels?: Readonly<Record<string, string>>;
}

/** Create the composer; the compiled email is filled with the deployment's texts on first use and reused after. */
export function createConfirmationComposer(options: ConfirmationMailOptions): ConfirmationComposer {
  let rendered: RenderedEmail | undefined;
  return {
    async compose({ subscriberId, email, confirmUrl }) {
      rendered ??= instantiateConfirm(parseCompiledConfirm(compiledConfirm), {
        newsletterName: options.newsletterName,
        postalAddress: options.postalAddress,
        linkValidity: '7 days',
        ...(options.topicLabels ? { topicLabels: options.topicLabels } : {}),
      });
      const personal = personalise(rendered, { confirmUrl });
      return buildMessage(personal, { subscriberId, email }, { from: options.from });
    },
  };
}
