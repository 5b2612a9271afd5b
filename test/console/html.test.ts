import { describe, expect, it } from 'vitest';
import { bidi, escapeHtml, html, SafeHtml } from '../../src/console/html.ts';

describe('console html: every interpolated value is escaped', () => {
  it('escapes markup and both quote kinds', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });

  it('shows control characters as their symbols: a NUL neither vanishes nor ends the text', () => {
    expect(escapeHtml('a\u0000b\u001bc\u007fd\te\nf')).toBe('a\u2400b\u241bc\u2421d\te\nf');
  });

  it('shows bidi overrides instead of obeying them, and leaves right-to-left letters alone', () => {
    expect(escapeHtml('INV-\u202e1234')).toBe('INV-<span class="ctl">U+202E</span>1234');
    expect(escapeHtml('חשבונית 12')).toBe('חשבונית 12');
  });

  it('escapes values in templates, arrays included, but not SafeHtml', () => {
    const rows = ['<b>', 'ok'].map((text) => html`<td>${text}</td>`);
    expect(html`<tr title="${'"x"'}">${rows}${undefined}${false}${0}</tr>`.text).toBe(
      '<tr title="&quot;x&quot;"><td>&lt;b&gt;</td><td>ok</td>0</tr>',
    );
    expect(html`${new SafeHtml('<i>kept</i>')}`.text).toBe('<i>kept</i>');
  });

  it('isolates text that may be right-to-left', () => {
    expect(bidi('شركة:aws:<1>').text).toBe('<bdi>شركة:aws:&lt;1&gt;</bdi>');
  });
});
