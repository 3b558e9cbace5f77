// Rendering the outcome document. Every string people typed goes through textContent, never
// innerHTML. Every paragraph gets dir="auto": the browser takes its direction from its first
// strong character, so an Arabic paragraph reads right-to-left beside English and French ones.

import { h, replaceChildren } from "./dom";
import type { Section, SectionStatus } from "./types";

/** A block of a section body: a paragraph, or a list when every line starts with "- ". */
export type Block = { kind: "paragraph"; text: string } | { kind: "list"; items: string[] };

const LIST_LINE = /^\s*[-*•]\s+/;
const LETTER = /\p{L}/u;
const ARABIC = /\p{Script=Arabic}/u;

/** Split a section body into blocks at blank lines. */
export function parseBody(body: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of body.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
    const text = raw.replace(/^\n+|\s+$/g, "");
    if (text.trim() === "") continue;
    const lines = text.split("\n");
    if (lines.every((line) => LIST_LINE.test(line))) {
      blocks.push({ kind: "list", items: lines.map((line) => line.replace(LIST_LINE, "")) });
    } else {
      blocks.push({ kind: "paragraph", text });
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

/** A text element with dir="auto" (and lang="ar" for Arabic text). */
export function autoDir<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const attrs: Record<string, string> = { dir: "auto" };
  if (arabicLang(text) === "ar") attrs["lang"] = "ar";
  return h(tag, className === undefined ? { attrs, text } : { class: className, attrs, text });
}

export function renderBody(body: string): HTMLElement {
  const container = h("div", { class: "section-body" });
  const blocks = parseBody(body);
  if (blocks.length === 0) {
    container.append(h("p", { class: "empty", text: "Nothing recorded yet." }));
    return container;
  }
  for (const block of blocks) {
    if (block.kind === "paragraph") {
      container.append(autoDir("p", block.text, "para"));
    } else {
      const list = h("ul", { class: "list", attrs: { dir: "auto" } });
      for (const item of block.items) list.append(autoDir("li", item));
      container.append(list);
    }
  }
  return container;
}

const STATUS_LABEL: Record<SectionStatus, string> = {
  draft: "Draft",
  agreed: "Agreed",
  locked: "Locked",
};

export interface SectionOptions {
  /** Heading level of the section title. */
  level?: 2 | 3;
  /** Show the draft/agreed/locked badge. */
  showStatus?: boolean;
  /** The section the current agenda item is about. */
  current?: boolean;
}

export function sectionDomId(section: Section): string {
  return `section-${section.id}`;
}

export function renderSection(section: Section, options: SectionOptions = {}): HTMLElement {
  const headingId = `${sectionDomId(section)}-title`;
  const heading = autoDir(options.level === 3 ? "h3" : "h2", section.title, "section-title");
  heading.id = headingId;
  const badges = h("div", { class: "badges" });
  if (section.group_code) {
    badges.append(h("span", { class: "badge badge-group", text: `Group ${section.group_code}` }));
  }
  if (options.showStatus ?? true) {
    badges.append(
      h("span", {
        class: `badge badge-${section.status}`,
        text: STATUS_LABEL[section.status] ?? section.status,
      }),
    );
  }
  if (options.current) badges.append(h("span", { class: "badge badge-now", text: "Now" }));
  const classes = ["section", `section-${section.kind}`];
  if (options.current) classes.push("is-current");
  return h(
    "section",
    {
      class: classes.join(" "),
      attrs: {
        id: sectionDomId(section),
        "aria-labelledby": headingId,
        "data-section-id": String(section.id),
        "data-status": section.status,
      },
    },
    h("header", { class: "section-head" }, heading, badges),
    renderBody(section.body),
  );
}

interface Rendered {
  key: string;
  el: HTMLElement;
}

const renderedSections = new WeakMap<HTMLElement, Map<number, Rendered>>();

/**
 * Render `sections` into `container`, rebuilding only the sections that changed, so a
 * periodic refresh does not lose the reader's scroll position or text selection.
 */
export function renderSections(
  container: HTMLElement,
  sections: readonly Section[],
  options: (section: Section) => SectionOptions = () => ({}),
): void {
  const previous = renderedSections.get(container) ?? new Map<number, Rendered>();
  const next = new Map<number, Rendered>();
  const elements: HTMLElement[] = [];
  for (const section of sections) {
    const opts = options(section);
    const key = JSON.stringify([
      section.title,
      section.body,
      section.status,
      section.kind,
      section.group_code,
      opts,
    ]);
    const old = previous.get(section.id);
    const rendered = old && old.key === key ? old : { key, el: renderSection(section, opts) };
    next.set(section.id, rendered);
    elements.push(rendered.el);
  }
  const unchanged =
    elements.length === container.children.length &&
    elements.every((el, i) => container.children[i] === el);
  if (!unchanged) replaceChildren(container, ...elements);
  renderedSections.set(container, next);
}
