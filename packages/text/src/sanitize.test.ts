import { describe, expect, it } from 'vitest';
import { bodyProblems, HOSTILE_LINKS, HOSTILE_TEXT } from './markup.testutil';
import { sanitizeHtml, type DroppedLink } from './sanitize';

describe('sanitizeHtml, the one sanitizer', () => {
  it('keeps paragraphs, lists, emphasis and http(s)/urn links; drops script, style, handlers and other links', () => {
    const out = sanitizeHtml('<p onclick="x()" style="color:red">a<script>alert(1)</script><a href="javascript:x()">b</a><a href="http://ok.example/">c</a><a href="data:text/html,x">d</a><a href="urn:newsml:x:1">e</a></p><style>p{}</style>');
    expect(out).toBe('<p>a<a>b</a><a href="http://ok.example/">c</a><a>d</a><a href="urn:newsml:x:1">e</a></p>');
  });

  it('returns bare allowed markup as it is', () => {
    const html = '<p>AT&amp;T <b>rose</b></p><ul><li>x</li></ul>';
    expect(sanitizeHtml(html)).toBe(html);
  });

  it.each(HOSTILE_TEXT)('leaves a browser nothing outside the body subset, and is stable when run again: %s', (vector) => {
    for (const html of [vector, `<p>before ${vector} after</p>`, `<ul><li>${vector}</li></ul>`, `<table><tr><td>${vector}</td></tr></table>`]) {
      const out = sanitizeHtml(html);
      expect(bodyProblems(out), out).toEqual([]);
      expect(sanitizeHtml(out)).toBe(out);
    }
  });

  it.each(HOSTILE_LINKS)('drops the href %j, keeps the link text and says why', (link) => {
    const dropped: DroppedLink[] = [];
    const attr = link.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    for (const html of [`<p><a href="${link}">text</a></p>`, `<p><a href="${attr}">text</a></p>`]) {
      const out = sanitizeHtml(html, (d) => dropped.push(d));
      expect(out).toBe('<p><a>text</a></p>');
      expect(bodyProblems(out)).toEqual([]);
    }
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    expect(dropped[0]!.reason).toMatch(/not allowed|not an absolute URI|entities/);
  });

  it('keeps attribute breakouts inside the attribute, escaped', () => {
    const out = sanitizeHtml('<p><a title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" href="https://ok.example/a&quot;onmouseover=&quot;alert(1)">x</a></p>');
    expect(out).toBe('<p><a href="https://ok.example/a%22onmouseover=%22alert(1)">x</a></p>');
    expect(bodyProblems(out)).toEqual([]);
  });

  it('keeps escaped markup as text, escaped once', () => {
    expect(sanitizeHtml('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;</p><p class="x">AT&amp;T</p>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;</p><p>AT&amp;T</p>');
  });
});
