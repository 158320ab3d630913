import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml } from './escape.ts';
import { TemplateError } from './errors.ts';

/**
 * Loading and filling of the MJML templates in templates/.
 *
 * The templates stay plain .mjml files (editable, previewable) and are read from disk at run time,
 * once per process. Lambdas are bundled by esbuild, so a path relative to this source file does
 * not exist in the bundle: the CDK copies templates/ next to the bundle (afterBundling hook), where
 * `${LAMBDA_TASK_ROOT}/templates` finds it. Lookup order:
 *   1. NEWSBRIEF_TEMPLATES_DIR, when set (must exist);
 *   2. $LAMBDA_TASK_ROOT/templates (the Lambda bundle layout);
 *   3. ./templates next to the running module (a bundle run outside Lambda);
 *   4. the repository's templates/ relative to this source file (tsx, vitest).
 */

/** Every template the renderer uses, by path below templates/ without the .mjml suffix. */
export const TEMPLATE_NAMES = [
  'digest',
  'alert',
  'confirm',
  'partials/head',
  'partials/header',
  'partials/footer',
  'partials/article',
  'partials/quote',
  'partials/headlines',
  'partials/headline',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

function moduleRelative(relative: string): string | null {
  try {
    // import.meta.url is empty in a CommonJS bundle; the other candidates cover that case.
    return fileURLToPath(new URL(relative, import.meta.url));
  } catch {
    return null;
  }
}

/** The directory templates are read from, per the lookup order above. */
export function templatesDir(env: Record<string, string | undefined> = process.env): string {
  const configured = env.NEWSBRIEF_TEMPLATES_DIR;
  if (configured !== undefined && configured !== '') {
    if (!existsSync(join(configured, 'digest.mjml'))) {
      throw new TemplateError(`NEWSBRIEF_TEMPLATES_DIR=${configured} holds no digest.mjml`);
    }
    return configured;
  }
  const candidates = [
    env.LAMBDA_TASK_ROOT === undefined ? null : join(env.LAMBDA_TASK_ROOT, 'templates'),
    moduleRelative('./templates/'),
    moduleRelative('../../../templates/'),
  ].filter((c): c is string => c !== null);
  const found = candidates.find((dir) => existsSync(join(dir, 'digest.mjml')));
  if (found === undefined) {
    throw new TemplateError(
      `email templates not found (looked in ${candidates.join(', ')}); set NEWSBRIEF_TEMPLATES_DIR or copy templates/ into the bundle`,
    );
  }
  return found;
}

const cache = new Map<string, string>();

/** The text of one template, read once per process and directory. */
export function loadTemplate(name: TemplateName, dir: string = templatesDir()): string {
  const file = join(dir, `${name}.mjml`);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new TemplateError(`cannot read email template ${file}`, { cause });
  }
  cache.set(file, text);
  return text;
}

/** Values a template is filled with: strings are inserted, booleans only drive sections. */
export type TemplateValues = Readonly<Record<string, string | boolean | undefined>>;

const SECTION = /\{\{([#^])([A-Za-z]\w*)\}\}([\s\S]*?)\{\{\/\2\}\}/g;
const VARIABLE = /\{\{\{([A-Za-z]\w*)\}\}\}|\{\{([A-Za-z]\w*)\}\}/g;

function truthy(value: string | boolean | undefined): boolean {
  return value !== undefined && value !== false && value !== '';
}

/**
 * Fill a template: `{{name}}` inserts the HTML-escaped value, `{{{name}}}` inserts trusted markup
 * built by the renderer, `{{#name}}…{{/name}}` keeps its body when the value is truthy and
 * `{{^name}}…{{/name}}` when it is not. Values are inserted in one final pass, so a value that
 * itself contains `{{…}}` is never expanded. A name with no value is a TemplateError (a typo in a
 * template must not silently print nothing).
 */
export function fillTemplate(template: string, values: TemplateValues, templateName = 'template'): string {
  let text = template;
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(SECTION, (_m, kind: string, name: string, body: string) => {
      if (!(name in values)) throw new TemplateError(`${templateName}: no value for section "${name}"`);
      return truthy(values[name]) === (kind === '#') ? body : '';
    });
  }
  return text.replace(VARIABLE, (_m, raw: string | undefined, escaped: string | undefined) => {
    const name = (raw ?? escaped) as string;
    const value = values[name];
    if (value === undefined || typeof value === 'boolean') {
      throw new TemplateError(`${templateName}: no text value for "${name}"`);
    }
    return raw === undefined ? escapeHtml(value) : value;
  });
}
