import crypto from 'node:crypto';

/**
 * The HTML of the account pages (account-pages.ts), rendered on the server with React's
 * `renderToStaticMarkup`: every text and attribute value is escaped by React, none is spliced
 * into markup by hand. No script; one inline style, allowed by its hash in the page's
 * Content-Security-Policy.
 */

type Child = string | number | null | false | undefined | Element | Child[];
interface Element {
  readonly $$typeof: symbol;
}
type Props = Record<string, unknown> | null;

// react and react-dom ship no type declarations here: the two functions used are typed above.
const { createElement: h } = require('react') as { createElement(type: string, props: Props, ...children: Child[]): Element };
const { renderToStaticMarkup } = require('react-dom/server') as { renderToStaticMarkup(element: Element): string };

const CSS = [
  'body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}',
  'main{max-width:28rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}',
  'h1{font-size:1.4rem;margin:0 0 1rem}',
  'label{display:block;margin:1rem 0 .25rem;font-weight:600}',
  'input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #b8bfcc;border-radius:4px}',
  'button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;color:#fff;background:#2f5bea;border:0;border-radius:4px;cursor:pointer}',
  '.error{padding:.75rem;background:#fdecec;color:#8a1c1c;border-radius:4px}',
  '.hint{color:#5a6273;font-size:.9rem}',
].join('');

/** The `style-src` source that allows the page's one inline style. */
export const STYLE_SOURCE = `'sha256-${crypto.createHash('sha256').update(CSS, 'utf8').digest('base64')}'`;

export interface PageField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'password' | 'hidden';
  value?: string;
  autocomplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  hint?: string;
}

export interface Page {
  title: string;
  /** Paragraphs under the title. */
  text?: string[];
  /** Shown above the form, as what went wrong. */
  error?: string | null;
  /** A form posted back to the page's own address. */
  form?: { fields: PageField[]; submit: string };
}

function field(f: PageField): Child {
  const input = h('input', {
    key: 'input',
    id: f.name,
    name: f.name,
    type: f.type,
    defaultValue: f.type === 'password' ? undefined : f.value,
    autoComplete: f.autocomplete,
    required: f.required,
    minLength: f.minLength,
    maxLength: f.maxLength,
  });
  if (f.type === 'hidden') return input;
  return [h('label', { key: 'label', htmlFor: f.name }, f.label), input, f.hint ? h('p', { key: 'hint', className: 'hint' }, f.hint) : null];
}

/** The whole document for `page`. */
export function renderPage(page: Page): string {
  const body = h(
    'main',
    null,
    h('h1', null, page.title),
    page.error ? h('p', { className: 'error', role: 'alert' }, page.error) : null,
    ...(page.text ?? []).map((p) => h('p', null, p)),
    page.form ? h('form', { method: 'post' }, ...page.form.fields.map(field), h('button', { type: 'submit' }, page.form.submit)) : null,
  );
  const doc = h(
    'html',
    { lang: 'en' },
    h(
      'head',
      null,
      h('meta', { charSet: 'utf-8' }),
      h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      h('meta', { name: 'robots', content: 'noindex' }),
      h('title', null, `${page.title} · plangraph`),
      h('style', { dangerouslySetInnerHTML: { __html: CSS } }),
    ),
    h('body', null, body),
  );
  return `<!DOCTYPE html>${renderToStaticMarkup(doc)}`;
}
