// Read-only live rendering of the document room (projector, group page). Every string people
// typed goes in through textContent (markdown.ts), never innerHTML, and every block has
// dir="auto". Only what changed is rebuilt: unchanged paragraphs keep their elements, changed
// ones are reported so the projector can highlight them and scroll to them.

import type * as Y from "yjs";

import { h, replaceChildren } from "./dom";
import { t } from "./i18n";
import { arabicLang, blockKey, parseBlocks, renderBlock } from "./markdown";
import { STATUS_LABEL, readSections, sectionDomId, textName } from "./sections";
import type { SectionMeta } from "./types";

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

const RECENTLY_AGREED_MS = 15 * 60_000;

interface Rendered {
  meta: SectionMeta;
  el: HTMLElement;
  title: HTMLElement;
  badges: HTMLElement;
  body: HTMLElement;
  keys: string[];
  blocks: HTMLElement[];
  text: Y.Text;
  observer: () => void;
  agreedAt: number | null;
}

export interface LiveViewOptions {
  /** Which sections to show (default: all). */
  filter?: (meta: SectionMeta) => boolean;
  /** Blocks that changed after the first render (new or edited text). */
  onChange?: (section: HTMLElement, blocks: HTMLElement[]) => void;
  /** Sections whose status became "agreed" while the page was open. */
  onAgreed?: (section: HTMLElement) => void;
}

export class LiveDocumentView {
  private readonly rendered = new Map<number, Rendered>();
  private readonly dirty = new Set<number>();
  private frame: number | null = null;
  private current: number | null = null;
  private readonly map: Y.Map<unknown>;

  constructor(
    readonly container: HTMLElement,
    private readonly doc: Y.Doc,
    private readonly options: LiveViewOptions = {},
  ) {
    this.map = doc.getMap("sections");
    this.map.observe(() => this.structure());
    this.structure();
  }

  /** The section the current agenda item is about ("Now" badge and marker). */
  setCurrent(sectionId: number | null): void {
    this.current = sectionId;
    for (const r of this.rendered.values()) this.decorate(r);
  }

  sectionElement(id: number): HTMLElement | null {
    return this.rendered.get(id)?.el ?? null;
  }

  get sectionCount(): number {
    return this.rendered.size;
  }

  private structure(): void {
    const metas = readSections(this.map).filter(this.options.filter ?? (() => true));
    const seen = new Set<number>();
    const elements: HTMLElement[] = [];
    for (const meta of metas) {
      seen.add(meta.id);
      let r = this.rendered.get(meta.id);
      if (!r) {
        r = this.create(meta);
        this.rendered.set(meta.id, r);
      } else {
        const becameAgreed = meta.status === "agreed" && r.meta.status !== "agreed";
        r.meta = meta;
        if (becameAgreed) {
          r.agreedAt = Date.now();
          this.options.onAgreed?.(r.el);
          setTimeout(() => this.decorate(r as Rendered), RECENTLY_AGREED_MS + 100);
        }
      }
      this.decorate(r);
      elements.push(r.el);
    }
    for (const [id, r] of this.rendered) {
      if (!seen.has(id)) {
        r.text.unobserve(r.observer);
        this.rendered.delete(id);
      }
    }
    const same =
      elements.length === this.container.children.length &&
      elements.every((el, i) => this.container.children[i] === el);
    if (!same) replaceChildren(this.container, ...elements);
  }

  private create(meta: SectionMeta): Rendered {
    const title = h("h2", { class: "section-title", attrs: { dir: "auto" } });
    title.id = `${sectionDomId(meta.id)}-title`;
    const badges = h("div", { class: "badges" });
    const body = h("div", { class: "section-body" });
    const el = h(
      "section",
      {
        class: "section",
        attrs: {
          id: sectionDomId(meta.id),
          "aria-labelledby": title.id,
          "data-section-id": String(meta.id),
        },
      },
      h("header", { class: "section-head" }, title, badges),
      body,
    );
    const text = this.doc.getText(textName(meta.id));
    const r: Rendered = {
      meta,
      el,
      title,
      badges,
      body,
      keys: [],
      blocks: [],
      text,
      observer: () => this.markDirty(meta.id),
      agreedAt: null,
    };
    text.observe(r.observer);
    this.renderBody(r, false);
    return r;
  }

  private decorate(r: Rendered): void {
    const { meta } = r;
    const isCurrent = meta.id === this.current;
    const recentlyAgreed =
      meta.status === "agreed" && r.agreedAt !== null && Date.now() - r.agreedAt < RECENTLY_AGREED_MS;
    r.el.className = [
      "section",
      `section-${meta.kind}`,
      isCurrent ? "is-current" : "",
      recentlyAgreed ? "recently-agreed" : "",
    ]
      .filter(Boolean)
      .join(" ");
    r.el.dataset["status"] = meta.status;
    if (r.title.textContent !== meta.title) {
      r.title.textContent = meta.title;
      if (arabicLang(meta.title) === "ar") r.title.setAttribute("lang", "ar");
      else r.title.removeAttribute("lang");
    }
    replaceChildren(
      r.badges,
      meta.group_code
        ? h("span", { class: "badge badge-group", text: t("section.group", { group: meta.group_code }) })
        : null,
      h("span", {
        class: `badge badge-${meta.status}`,
        text: recentlyAgreed ? t("section.agreedJustNow") : STATUS_LABEL[meta.status],
      }),
      isCurrent ? h("span", { class: "badge badge-now", text: t("section.now") }) : null,
    );
  }

  private markDirty(id: number): void {
    this.dirty.add(id);
    if (this.frame !== null) return;
    // One redraw per frame, however many updates arrived in it. A hidden page has no frames.
    const flush = (): void => {
      this.frame = null;
      const ids = [...this.dirty];
      this.dirty.clear();
      for (const dirtyId of ids) {
        const r = this.rendered.get(dirtyId);
        if (r) this.renderBody(r, true);
      }
    };
    this.frame =
      document.visibilityState === "visible"
        ? requestAnimationFrame(flush)
        : (setTimeout(flush, 0) as unknown as number);
  }

  private renderBody(r: Rendered, report: boolean): void {
    const blocks = parseBlocks(r.text.toString());
    const keys = blocks.map(blockKey);
    if (blocks.length === 0) {
      r.keys = [];
      r.blocks = [];
      replaceChildren(r.body, h("p", { class: "empty", text: t("section.empty") }));
      return;
    }
    // Keep the common head and tail; rebuild only the middle, which is what changed.
    let head = 0;
    while (head < keys.length && head < r.keys.length && keys[head] === r.keys[head]) head++;
    let tail = 0;
    while (
      tail < keys.length - head &&
      tail < r.keys.length - head &&
      keys[keys.length - 1 - tail] === r.keys[r.keys.length - 1 - tail]
    ) {
      tail++;
    }
    const middle = blocks.slice(head, blocks.length - tail).map(renderBlock);
    const elements = [
      ...r.blocks.slice(0, head),
      ...middle,
      ...r.blocks.slice(r.blocks.length - tail),
    ];
    r.keys = keys;
    r.blocks = elements;
    replaceChildren(r.body, ...elements);
    if (report && middle.length > 0) this.options.onChange?.(r.el, middle);
  }
}
