/** HTML known to be safe: built by `html` from escaped values, never from raw input. */
export class SafeHtml {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Bidi embeddings, overrides and isolates (and the Arabic letter mark) can make one key look like
// another, or reorder a whole row; they are shown, not obeyed. Plain RTL letters display normally.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// C0 controls (but tab and newline) and DEL: a NUL would vanish, an ESC would hide; show their symbol.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Escapes text for element content and quoted attributes, making invisible controls visible. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
    .replace(CONTROLS, (c) =>
      String.fromCodePoint(c === '\u007f' ? 0x2421 : 0x2400 + (c.codePointAt(0) ?? 0)),
    )
    .replace(
      BIDI_CONTROLS,
      (c) =>
        `<span class="ctl">U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}</span>`,
    );
}

type Value = SafeHtml | string | number | bigint | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** A template whose every interpolated value is escaped, unless it is already `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Text that may hold right-to-left letters, isolated so it cannot reorder what surrounds it. */
export function bidi(text: string | null | undefined): SafeHtml {
  return html`<bdi>${text ?? ''}</bdi>`;
}
