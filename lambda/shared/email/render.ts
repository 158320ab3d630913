import type mjml2html from 'mjml';
import type { MJMLMinifyOptions } from 'mjml-core';
import type { Brief } from '../article/model.ts';
import { RenderError } from './errors.ts';
import { COMPILED_SLOT_KEY, compiledToken, instantiateConfirm, type CompiledConfirm } from './compiled.ts';
import { newSlotKey, slotToken } from './slots.ts';
import { encodePiece } from './encoded.ts';
import { fillTemplate, loadTemplate, templatesDir } from './templates.ts';
import { writeText } from './text.ts';
import type { AlertOptions, ConfirmOptions, DigestOptions, RenderedEmail, SlotName } from './types.ts';
import { alertView, confirmView, digestView, type ArticleView, type IssueView } from './view.ts';

/**
 * Rendering: briefs → MJML → HTML, once per issue. Per-recipient values stay placeholders and are
 * filled by personalise() without running MJML again. This is the ONLY module that loads mjml,
 * and it does so lazily, so importing it costs nothing until the first render.
 */

type Mjml2Html = typeof mjml2html;
let mjmlModule: Promise<Mjml2Html> | undefined;

function loadMjml(): Promise<Mjml2Html> {
  mjmlModule ??= import('mjml').then((m) => m.default);
  return mjmlModule;
}

/**
 * mjml 5 + cssnano breaks the media queries of responsive columns, so CSS stays as written. There
 * is no SVG or JS in these emails; turning htmlnano's minifySvg off (an htmlnano option the mjml
 * types do not list) also stops it looking for the optional svgo package, which a Lambda bundle
 * lacks and which otherwise logs a warning on every render.
 */
const minifyOptions: MJMLMinifyOptions & { readonly minifySvg: false } = { minifyCss: false, minifyJs: false, minifySvg: false };

/** Compile MJML with strict validation; minified so a 10-article digest stays far below Gmail's 102 KB clip. */
export async function compileMjml(source: string): Promise<string> {
  const mjml2html = await loadMjml();
  let result: Awaited<ReturnType<Mjml2Html>>;
  try {
    result = await mjml2html(source, {
      validationLevel: 'strict',
      minify: true,
      minifyOptions,
      // No web fonts: the font stack is system fonts, and remote fonts would be an external load.
      fonts: {},
      keepComments: false,
    });
  } catch (cause) {
    throw new RenderError(`MJML rendering failed: ${(cause as Error).message}`, { cause });
  }
  if (result.errors.length > 0) {
    throw new RenderError(`MJML validation failed: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  }
  // MJML hides the preheader with white text on top of display:none, max-height:0 and opacity:0.
  // SpamAssassin's HTML_FONT_LOW_CONTRAST (0.7 points) reads white-on-light as hidden text, so the
  // already-invisible preheader gets the ordinary muted text colour instead.
  return result.html.replace(/(<div style="display:none;font-size:1px;)color:#ffffff;/, '$1color:#4b5563;');
}

interface Parts {
  readonly dir: string;
  readonly slot: (name: SlotName) => string;
}

function header(view: IssueView, p: Parts): string {
  return fillTemplate(
    loadTemplate('partials/header', p.dir),
    { newsletterName: view.newsletterName, issueLabel: view.issueLabel, webUrl: view.webUrl ?? false },
    'header',
  );
}

function footer(view: IssueView, p: Parts): string {
  // The web version is public: it has no one's unsubscribe or preferences link, only the way in.
  const links = view.kind !== 'confirm' && view.edition === 'mail';
  return fillTemplate(
    loadTemplate('partials/footer', p.dir),
    {
      why: view.why,
      unsubscribeUrl: links ? p.slot('unsubscribeUrl') : false,
      preferencesUrl: links ? p.slot('preferencesUrl') : false,
      subscribeUrl: view.subscribeUrl ?? false,
      archiveUrl: view.archiveUrl ?? false,
      newsletterName: view.newsletterName,
      senderLine: view.senderLine,
    },
    'footer',
  );
}

function article(a: ArticleView, p: Parts): string {
  const quotes = a.quotes
    .map((q) =>
      fillTemplate(
        loadTemplate('partials/quote', p.dir),
        { leadIn: q.leadIn, text: q.text, trail: q.trail, attribution: q.attribution ?? false },
        'quote',
      ),
    )
    .join('\n');
  return fillTemplate(
    loadTemplate('partials/article', p.dir),
    { title: a.title, url: a.url ?? false, meta: a.meta, summary: a.summary, readMore: a.readMore ?? '', quotes },
    'article',
  );
}

function headlines(list: readonly ArticleView[], p: Parts): string {
  if (list.length === 0) return '';
  const items = list
    .map((a) =>
      fillTemplate(loadTemplate('partials/headline', p.dir), { title: a.title, url: a.url ?? false, meta: a.meta, readMore: a.readMore ?? '' }, 'headline'),
    )
    .join('');
  return fillTemplate(loadTemplate('partials/headlines', p.dir), { items }, 'headlines');
}

async function renderView(view: IssueView, slots: readonly SlotName[], slotKey = newSlotKey()): Promise<RenderedEmail> {
  const p: Parts = { dir: templatesDir(), slot: (name) => slotToken(slotKey, name) };
  const values = {
    lang: view.lang,
    subject: view.subject,
    preheader: view.preheader,
    head: loadTemplate('partials/head', p.dir),
    header: header(view, p),
    footer: footer(view, p),
    greeting: view.edition === 'web' ? '' : p.slot('greeting'),
    intro: view.intro,
    articles: view.full.map((a) => article(a, p)).join('\n'),
    headlines: headlines(view.headlinesOnly, p),
    confirmUrl: p.slot('confirmUrl'),
    linkValidity: view.linkValidity,
  };
  const html = await compileMjml(fillTemplate(loadTemplate(view.kind, p.dir), values, view.kind));
  return {
    kind: view.kind,
    subject: view.subject,
    preheader: view.preheader,
    html,
    text: writeText(view, p.slot),
    slotKey,
    slots,
  };
}

const LIST_SLOTS: readonly SlotName[] = ['unsubscribeUrl', 'preferencesUrl', 'greeting'];

/** The slots of a rendered issue: a recipient's links in the email, none in the public web version. */
function slotsOf(options: { readonly edition?: 'mail' | 'web' | undefined }): readonly SlotName[] {
  return options.edition === 'web' ? [] : LIST_SLOTS;
}

/**
 * Gmail clips messages whose HTML exceeds about 102 KB, hiding the rest, footer and unsubscribe link
 * included. The HTML part as sent (quoted-printable, placeholders still in) must stay under this
 * budget, which leaves room for the per-recipient links that personalise() adds.
 */
export const GMAIL_CLIP_BUDGET_BYTES = 100_000;

/**
 * The size of the HTML part as it goes out: quoted-printable (RFC 2045 §6.7), as buildMessage()
 * sends it, which is about 8 % more than the decoded HTML (every "=" becomes "=3D", soft breaks
 * every 75 characters, non-ASCII three bytes per byte).
 */
export function sentHtmlBytes(html: string): number {
  return Buffer.byteLength(encodePiece(html), 'latin1');
}

/**
 * Render a digest of `briefs` once per issue; personalise() then fills each recipient's links.
 * Articles past `maxFullArticles` are listed as headlines; should the HTML as sent still exceed the
 * Gmail clip budget (a large operator setting, very long articles), fewer are shown in full. The web
 * edition (`edition: "web"`) has no slots and no clip budget.
 */
export async function renderDigest(briefs: readonly Brief[], options: DigestOptions): Promise<RenderedEmail> {
  let max = options.maxFullArticles ?? 10;
  for (;;) {
    const rendered = await renderView(digestView(briefs, { ...options, maxFullArticles: max }), slotsOf(options));
    if (options.edition === 'web') return rendered;
    const size = sentHtmlBytes(rendered.html);
    const full = Math.min(max, briefs.length);
    if (size <= GMAIL_CLIP_BUDGET_BYTES || full <= 1) return rendered;
    max = Math.max(1, Math.min(full - 1, Math.floor((full * GMAIL_CLIP_BUDGET_BYTES) / size)));
  }
}

/** Render an immediate alert for one brief and the reader's topic that matched (or its web edition). */
export async function renderAlert(brief: Brief, options: AlertOptions): Promise<RenderedEmail> {
  return renderView(alertView(brief, options), slotsOf(options));
}

/**
 * Compile confirm.mjml once for every deployment: each text the view writes (newsletter name,
 * postal address, subject...) and the confirm link stay placeholders under the fixed
 * COMPILED_SLOT_KEY. `npm run compile:templates` stores the result in templates/confirm.compiled.json,
 * which the subscribe Lambda fills (compiled.ts) without carrying mjml (issue 6: bundle ≤ 500 KB).
 */
export async function compileConfirm(): Promise<CompiledConfirm> {
  const view: IssueView = {
    kind: 'confirm',
    edition: 'mail',
    webUrl: null,
    subscribeUrl: null,
    archiveUrl: null,
    senderLine: compiledToken('senderLine'),
    lang: compiledToken('lang'),
    newsletterName: compiledToken('newsletterName'),
    issueLabel: compiledToken('issueLabel'),
    subject: compiledToken('subject'),
    preheader: compiledToken('preheader'),
    intro: compiledToken('intro'),
    why: compiledToken('why'),
    postalAddress: compiledToken('postalAddress'),
    full: [],
    headlinesOnly: [],
    linkValidity: compiledToken('linkValidity'),
  };
  const { html } = await renderView(view, ['confirmUrl'], COMPILED_SLOT_KEY);
  return { kind: 'confirm', slotKey: COMPILED_SLOT_KEY, slots: ['confirmUrl'], html };
}

/**
 * Render the double opt-in confirmation email, with the confirm link as a slot: compileConfirm()
 * filled with `options`, the same path the subscribe Lambda takes from the committed compiled file.
 */
export async function renderConfirm(options: ConfirmOptions): Promise<RenderedEmail> {
  return instantiateConfirm(await compileConfirm(), options);
}

/**
 * confirm.mjml rendered with `options` filled in before MJML runs, the way digests and alerts are.
 * Only for tests: it shows that filling the compiled template gives the same email.
 */
export async function renderConfirmDirect(options: ConfirmOptions): Promise<RenderedEmail> {
  return renderView(confirmView(options), ['confirmUrl']);
}
