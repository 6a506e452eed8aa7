// The crawl's phone checks, evaluated in the page (tests/browser/test_crawl.py). Returns one
// sentence per problem, each naming the element (a CSS path), its text and the sizes measured.
//
// 1. The document does not scroll sideways (a `.table-scroll` region may scroll inside itself).
// 2. No table cell and no button is narrower than its longest word: words come from
//    Intl.Segmenter in the element's language (Japanese too: it may break between any two
//    characters, so a one-character column never "overflows" and only words show the squeeze),
//    measured with canvas measureText in the computed font of the text.
// 3. No text overflows its box (overflow visible, scrollWidth > clientWidth).
// 4. No control is smaller than 24 x 24 CSS px (WCAG 2.5.8), except links inside a sentence and
//    undersized targets whose 24 px circle touches no other target (the spacing exception).
() => {
  "use strict";
  const problems = [];
  const SLACK = 1;
  const TARGET = 24;
  const root = document.documentElement;

  const isScrollRegion = (el) => el.matches(".table-scroll");
  const inScrollRegion = (el) => el.closest(".table-scroll") !== null;
  // Hidden on purpose: visually hidden text, the robots' trap field, the skip link until focused.
  const CLIPPED = ".visually-hidden, .trap, .skip-link:not(:focus)";
  const clippedOnPurpose = (el) => {
    if (el.closest(CLIPPED)) return true;
    for (let node = el; node && node !== root; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clip && style.clip !== "auto" && style.position === "absolute") return true;
      if (style.clipPath && style.clipPath !== "none") return true;
    }
    return false;
  };
  const shown = (el) =>
    el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && !clippedOnPurpose(el);

  const short = (text) => {
    const clean = (text || "").replace(/\s+/g, " ").trim();
    return clean.length > 40 ? clean.slice(0, 39) + "…" : clean;
  };
  const describe = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 5; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(`${part}#${node.id}`); break; }
      const classes = [...node.classList].slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      const parent = node.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.tagName === node.tagName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const label = (el) => {
    if (el.matches("input")) return el.value || el.getAttribute("aria-label") || el.name || el.type;
    return short(el.innerText || el.getAttribute("aria-label") || el.getAttribute("title") || "");
  };

  // 1. Sideways scroll of the document.
  const viewport = root.clientWidth;
  if (root.scrollWidth > viewport) {
    problems.push(`the page scrolls sideways (${root.scrollWidth} px wide in a ${viewport} px window)`);
  }

  // 2. Cells and buttons at least as wide as their longest word.
  const canvas = document.createElement("canvas").getContext("2d");
  const segmenters = new Map();
  const segmenter = (lang) => {
    const key = lang || "ja";
    if (!segmenters.has(key)) {
      let made;
      try { made = new Intl.Segmenter(key, { granularity: "word" }); }
      catch (error) { made = new Intl.Segmenter("ja", { granularity: "word" }); }
      segmenters.set(key, made);
    }
    return segmenters.get(key);
  };
  const langOf = (el) => (el.closest("[lang]") || root).getAttribute("lang") || "ja";
  const fontOf = (style) =>
    `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const longestWord = (text, lang, style) => {
    canvas.font = fontOf(style);
    canvas.letterSpacing = style.letterSpacing === "normal" ? "0px" : style.letterSpacing;
    let best = { word: "", width: 0 };
    for (const piece of segmenter(lang).segment(text)) {
      if (!piece.isWordLike) continue;
      const width = canvas.measureText(piece.segment).width;
      if (width > best.width) best = { word: piece.segment, width };
    }
    return best;
  };
  // The words an element shows: its text nodes (in the font of their parent), its ::before
  // label (the cards' data-label), or an input button's value.
  const NESTED = '.table-scroll, button, input, select, textarea, a.button, [role="button"]';
  const widestWordIn = (el) => {
    let best = { word: "", width: 0 };
    const consider = (candidate) => { if (candidate.width > best.width) best = candidate; };
    if (el.matches("input")) {
      consider(longestWord(el.value || "", langOf(el), getComputedStyle(el)));
      return best;
    }
    const before = getComputedStyle(el, "::before");
    if (before.display !== "none" && /^".+"$/.test(before.content)) {
      consider(longestWord(JSON.parse(before.content), langOf(el), before));
    }
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.data.trim() || !parent || !shown(parent)) continue;
      // Text inside a nested box that may scroll, or a nested control, is that box's business.
      if (parent.closest(NESTED) !== el.closest(NESTED)) continue;
      consider(longestWord(node.data, langOf(parent), getComputedStyle(parent)));
    }
    return best;
  };
  const contentWidth = (el) => {
    const style = getComputedStyle(el);
    return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const BUTTONS = 'button, input[type="submit"], input[type="button"], input[type="reset"], a.button, [role="button"]';
  // Squeezed cells are told once per table (how many, and the worst), buttons one by one.
  const squeezedCells = new Map();
  for (const el of document.body.querySelectorAll(`th, td, ${BUTTONS}`)) {
    if (!shown(el)) continue;
    const { word, width } = widestWordIn(el);
    if (!word) continue;
    const room = contentWidth(el);
    if (width <= room + SLACK) continue;
    const said = `${describe(el)} ("${label(el)}"): its word "${word}" needs ${width.toFixed(1)} px, ` +
      `its content box is ${room.toFixed(1)} px`;
    if (el.matches("th, td")) {
      const table = el.closest("table");
      const entry = squeezedCells.get(table) || { count: 0, worst: -Infinity, said: "" };
      entry.count += 1;
      if (width - room > entry.worst) Object.assign(entry, { worst: width - room, said });
      squeezedCells.set(table, entry);
    } else {
      problems.push(`button ${said}`);
    }
  }
  for (const [table, entry] of squeezedCells) {
    const region = table.closest("[aria-label], [aria-labelledby]");
    const name = region ? (region.getAttribute("aria-label") ||
      short((document.getElementById(region.getAttribute("aria-labelledby")) || {}).textContent)) : "";
    problems.push(
      `table ${describe(table)}${name ? ` ("${name}")` : ""} squeezes ${entry.count} cell(s) ` +
      `narrower than their longest word; the worst: ${entry.said}`
    );
  }

  // 3. Text overflowing its box.
  const overflowing = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!(el instanceof HTMLElement) || el.matches("script, style, template, br, wbr")) continue;
    if (!el.clientWidth || isScrollRegion(el) || inScrollRegion(el)) continue;
    const style = getComputedStyle(el);
    if (style.overflowX !== "visible" || style.display === "inline" || style.display === "contents") continue;
    if (el.scrollWidth > el.clientWidth + SLACK && shown(el)) overflowing.push(el);
  }
  for (const el of overflowing) {
    if (overflowing.some((other) => other !== el && el.contains(other))) continue; // the innermost
    problems.push(
      `${describe(el)} ("${label(el)}") overflows its box: ${el.scrollWidth} px of content in ` +
      `${el.clientWidth} px`
    );
  }

  // 4. Targets of at least 24 x 24 px (WCAG 2.2, 2.5.8).
  const CONTROLS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]';
  const targets = [...document.body.querySelectorAll(CONTROLS)].filter(shown).map((el) => {
    const rect = el.getBoundingClientRect();
    return { el, rect, cx: rect.left + rect.width / 2, cy: rect.top + rect.height / 2 };
  }).filter((t) => t.rect.width > 0 && t.rect.height > 0);
  const blockOf = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const display = getComputedStyle(node).display;
      if (!display.startsWith("inline") && display !== "contents") return node;
    }
    return document.body;
  };
  // A link in a sentence: an inline link whose block has words that are not in any control.
  const inSentence = (el) => {
    if (!el.matches("a") || getComputedStyle(el).display !== "inline") return false;
    const block = blockOf(el);
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(CONTROLS)) continue;
      if (/[\p{L}\p{N}]/u.test(node.data)) return true;
    }
    return false;
  };
  const small = (t) => t.rect.width < TARGET - 0.5 || t.rect.height < TARGET - 0.5;
  const distanceToRect = (x, y, rect) => {
    const dx = Math.max(rect.left - x, 0, x - rect.right);
    const dy = Math.max(rect.top - y, 0, y - rect.bottom);
    return Math.hypot(dx, dy);
  };
  for (const t of targets) {
    if (!small(t) || inSentence(t.el)) continue;
    const crowded = targets.find((other) => {
      if (other === t || other.el.contains(t.el) || t.el.contains(other.el)) return false;
      if (distanceToRect(t.cx, t.cy, other.rect) < TARGET / 2) return true;
      return small(other) && Math.hypot(t.cx - other.cx, t.cy - other.cy) < TARGET;
    });
    if (crowded) {
      problems.push(
        `control ${describe(t.el)} ("${label(t.el)}") is ${t.rect.width.toFixed(1)} x ` +
        `${t.rect.height.toFixed(1)} px, under 24 x 24, and too close to ${describe(crowded.el)}`
      );
    }
  }
  return problems;
}
