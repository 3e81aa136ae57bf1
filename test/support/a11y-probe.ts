/**
 * What the accessibility walk asks a page, as scripts the browser runs
 * (`page.evaluate(script)`: the tests are compiled without the DOM's types).
 */

/** The id of the focused element, or its text when it has none. */
export const FOCUSED = `(() => { const el = document.activeElement; return el ? el.id || (el.textContent || '').trim() : ''; })()`;

/** Visible form fields without a label (neither <label for>, wrapping label, aria-label nor aria-labelledby): their names. */
export const UNLABELLED_FIELDS = `[...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.name || el.id || el.outerHTML.slice(0, 60))`;

export interface StateBadge {
  text: string;
  cls: string;
  /** WCAG 2 contrast ratio of its text colour against its (first opaque) background. */
  ratio: number;
}

/** Every state badge (`.state`) with its words and its contrast ratio (WCAG 2 relative luminance). */
export const STATE_BADGES = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('.state')].map((el) => {
    const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
    const b = lum(background(el));
    return { text: (el.textContent || '').trim(), cls: el.className, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
  });
})()`;
