// Light Markdown for read-only views (projector, group page, history): headings, bullet and
// numbered lists, **bold**, *italic* and [links](https://…). Built with DOM nodes and
// textContent only — raw HTML is never interpreted, it stays text — and only http(s) and mailto
// links become links. Every line is its own block with dir="auto", so an Arabic line reads
// right-to-left next to an English one, as it does in the editor.

import { h } from "./dom";

export type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; ordered: boolean; items: string[] };

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+•]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;
const LETTER = /\p{L}/u;
const ARABIC = /\p{Script=Arabic}/u;

/** Split a text into blocks: one per line, consecutive list items grouped into one list. */
export function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.replace(/\s+$/, "");
    if (line.trim() === "") continue;
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const last = blocks[blocks.length - 1];
    if (heading) {
      blocks.push({ kind: "heading", level: heading[1]?.length ?? 1, text: heading[2] ?? "" });
    } else if (bullet || numbered) {
      const ordered = numbered !== null;
      const item = (bullet ?? numbered)?.[1] ?? "";
      if (last?.kind === "list" && last.ordered === ordered) last.items.push(item);
      else blocks.push({ kind: "list", ordered, items: [item] });
    } else {
      blocks.push({ kind: "paragraph", text: line });
    }
  }
  return blocks;
}

/** "ar" when the first letter of `text` is Arabic script (so fonts and screen readers follow). */
export function arabicLang(text: string): "ar" | null {
  for (const ch of text) {
    if (LETTER.test(ch)) return ARABIC.test(ch) ? "ar" : null;
  }
  return null;
}

/** Only these schemes become links; anything else stays text. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

const INLINE = /\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Inline Markdown as DOM nodes (text nodes, strong, em, a). */
export function inline(text: string): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index ?? 0;
    if (index > at) nodes.push(document.createTextNode(text.slice(at, index)));
    const [whole, bold1, bold2, em1, em2, label, url] = match;
    if (bold1 !== undefined || bold2 !== undefined) {
      nodes.push(h("strong", { text: bold1 ?? bold2 ?? "" }));
    } else if (em1 !== undefined || em2 !== undefined) {
      nodes.push(h("em", { text: em1 ?? em2 ?? "" }));
    } else {
      const href = safeHref(url ?? "");
      nodes.push(
        href
          ? h("a", { attrs: { href, rel: "noopener noreferrer", target: "_blank" }, text: label ?? "" })
          : document.createTextNode(whole),
      );
    }
    at = index + whole.length;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

function textBlock<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text: string,
  className: string,
): HTMLElementTagNameMap[K] {
  const el = h(tag, { class: className, attrs: { dir: "auto" } });
  if (arabicLang(text) === "ar") el.setAttribute("lang", "ar");
  el.append(...inline(text));
  return el;
}

/** One block as an element; `data-block` carries its source text (for change detection). */
export function renderBlock(block: Block): HTMLElement {
  let el: HTMLElement;
  if (block.kind === "heading") {
    el = textBlock(`h${Math.min(6, block.level + 2)}` as "h3", block.text, "md-heading");
  } else if (block.kind === "paragraph") {
    el = textBlock("p", block.text, "para");
  } else {
    el = h(block.ordered ? "ol" : "ul", { class: "list" });
    for (const item of block.items) el.append(textBlock("li", item, "list-item"));
  }
  return el;
}

/** A stable key for a block: what it shows. */
export function blockKey(block: Block): string {
  return JSON.stringify(block);
}
