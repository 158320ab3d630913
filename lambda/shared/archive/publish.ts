import type { RenderedEmail, WebLinks } from '../email/types.ts';
import { formatDate } from '../email/view.ts';
import { archiveUrls, entryKey, newPageId, pageKey, type ArchiveEntry, type ArchiveMode } from './model.ts';

/**
 * Publishing web versions: the digest and ingest renderers call this instead of rendering the
 * email alone. Each call gives the email its "view in browser" link, renders the web version of
 * the same issue (no slots: nobody's links), writes the page, and, when the archive is public, the
 * index entry. The page is written before the email is returned, so before the issue is archived
 * and any recipient is sent a link to it.
 *
 * A render that is retried (a crash before the issue was archived) gets a new page id; the page of
 * the lost attempt stays unlinked. Nothing personal is in it, and its id is as unguessable as any.
 */

/** The object-store capability publishing needs (an S3 or folder blob store). */
export interface PagePut {
  put(key: string, body: string | Buffer, contentType: string): Promise<void>;
}

export interface PublisherOptions {
  readonly mode: ArchiveMode;
  /** Base URL of the API that serves the archive (and the subscribe form at `/`). */
  readonly publicUrl: string;
  readonly objects: PagePut;
  readonly now: () => number;
}

/** What the index entry needs beyond the rendered email. */
export interface IssueFacts {
  readonly kind: 'digest' | 'alert';
  readonly frequency: 'immediate' | 'daily' | 'weekly';
  readonly issueDate: string;
  readonly articles: number;
}

/** Renders one edition of an issue: the email, or (with `edition: "web"`) its web version. */
export type RenderEdition = (web: { readonly links: WebLinks; readonly edition: 'mail' | 'web' } | undefined) => Promise<RenderedEmail>;

export interface ArchivePublisher {
  readonly mode: ArchiveMode;
  /** Render the email of an issue with its "view in browser" link and publish the web version; the email alone when the archive is off. */
  publish(render: RenderEdition, facts: IssueFacts): Promise<RenderedEmail>;
}

/** The index's name for an issue: "Daily digest · 27 November 2026", "Alert · 4 March 2026". */
function labelOf(facts: IssueFacts): string {
  const date = formatDate(facts.issueDate) ?? facts.issueDate;
  if (facts.kind === 'alert') return `Alert · ${date}`;
  return `${facts.frequency === 'weekly' ? 'Weekly' : 'Daily'} digest · ${date}`;
}

/** The publisher of a deployment's archive. */
export function createArchivePublisher(options: PublisherOptions): ArchivePublisher {
  const urls = archiveUrls(options.publicUrl);
  return {
    mode: options.mode,
    async publish(render, facts) {
      if (options.mode === 'off') return render(undefined);
      const id = newPageId();
      const links: WebLinks = {
        url: urls.page(id),
        subscribeUrl: `${options.publicUrl.replace(/\/+$/, '')}/`,
        ...(options.mode === 'public' ? { archiveUrl: urls.index } : {}),
      };
      const [email, web] = await Promise.all([render({ links, edition: 'mail' }), render({ links, edition: 'web' })]);
      if (web.slots.length > 0) throw new TypeError('a web version must have no per-recipient slots');
      await options.objects.put(pageKey(id), web.html, 'text/html; charset=utf-8');
      if (options.mode === 'public') {
        const entry: ArchiveEntry = {
          id,
          kind: facts.kind,
          frequency: facts.frequency,
          issueDate: facts.issueDate,
          label: labelOf(facts),
          subject: email.subject,
          preheader: email.preheader,
          articles: facts.articles,
          publishedAt: new Date(options.now()).toISOString(),
        };
        await options.objects.put(entryKey(entry), JSON.stringify(entry), 'application/json');
      }
      return email;
    },
  };
}
