/**
 * Just enough MIME reading for the tests to assert on what buildMessage() produced: unfolded
 * headers, and the parts of a multipart/alternative body with quoted-printable decoded.
 */

export interface ParsedPart {
  readonly headers: Map<string, string>;
  readonly body: string;
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end);
  const headers = new Map<string, string>();
  // Unfold (RFC 5322 §2.2.3), then one header per line.
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i] as string;
    if (c === '=' && /^[0-9A-F]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decode(part: { headers: Map<string, string>; body: string }): string {
  const cte = part.headers.get('content-transfer-encoding')?.toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(part.body);
  if (cte === 'base64') return Buffer.from(part.body, 'base64').toString('utf8');
  return part.body;
}

/** Headers of the message and its decoded alternative parts. */
export function parseMessage(raw: Buffer | string): { headers: Map<string, string>; parts: ParsedPart[]; raw: string } {
  const text = raw.toString();
  const { headers, body } = splitHead(text);
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1];
  if (boundary === undefined) throw new Error('not a multipart message');
  const chunks = body.split(`--${boundary}`).slice(1, -1);
  const parts = chunks.map((chunk) => {
    const part = splitHead(chunk.replace(/^\r\n/, ''));
    return { headers: part.headers, body: decode({ headers: part.headers, body: part.body.replace(/\r\n$/, '') }) };
  });
  return { headers, parts, raw: text };
}
