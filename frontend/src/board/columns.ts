// The board's columns on screen: one lane per column of the server's "columns" map, in its
// order, plus "Unsorted" (notes without a column, or whose column is gone) when it holds notes
// or the board has no columns. Wide screens show every lane side by side; a phone shows one
// lane at a time and a row of buttons to switch (CSS decides which, from the same markup).

import { h, placeChildren } from "../dom";
import { t } from "../i18n";
import type { Column } from "./notes";

/** The lane of notes without a column. */
export const UNSORTED = 0;

interface Lane {
  el: HTMLElement;
  title: HTMLElement;
  count: HTMLElement;
  list: HTMLElement;
  tab: HTMLButtonElement;
}

export class ColumnsView {
  readonly el: HTMLElement;
  private readonly switcher: HTMLElement;
  private readonly lanes = new Map<number, Lane>();
  private readonly area: HTMLElement;
  /** The lane a phone shows (and where a new note goes by default). */
  current = UNSORTED;

  constructor(private readonly onCurrent: (id: number) => void) {
    this.switcher = h("nav", { class: "board-switcher", attrs: { "aria-label": t("board.chooseColumn") } });
    // The lanes scroll sideways on a desk: a focusable region, so the keyboard can scroll it.
    this.area = h("div", {
      class: "board-lanes",
      attrs: { role: "region", tabindex: "0", "aria-label": t("board.lanes") },
    });
    this.el = h("div", { class: "board-columns" }, this.switcher, this.area);
  }

  /** Show `columns` with `cards` (lane id → card elements in order). */
  show(columns: Column[], cards: Map<number, HTMLElement[]>): void {
    const ids = columns.map((c) => c.id);
    if (ids.length === 0 || (cards.get(UNSORTED)?.length ?? 0) > 0) ids.push(UNSORTED);
    const titles = new Map(columns.map((c) => [c.id, c.title]));
    for (const [id, lane] of this.lanes) {
      if (!ids.includes(id)) {
        lane.el.remove();
        lane.tab.remove();
        this.lanes.delete(id);
      }
    }
    ids.forEach((id, i) => {
      const lane = this.lanes.get(id) ?? this.lane(id);
      const title = titles.get(id) ?? t("board.unsorted");
      const list = cards.get(id) ?? [];
      if (lane.title.textContent !== title) lane.title.textContent = title;
      const count = t("board.count", { count: list.length });
      if (lane.count.textContent !== count) lane.count.textContent = count;
      const label = `${title} (${list.length})`;
      if (lane.tab.textContent !== label) lane.tab.textContent = label;
      // Move only what moved, so a card being edited keeps its focus.
      placeChildren(lane.list, list);
      if (this.area.children[i] !== lane.el) this.area.insertBefore(lane.el, this.area.children[i] ?? null);
      if (this.switcher.children[i] !== lane.tab) this.switcher.insertBefore(lane.tab, this.switcher.children[i] ?? null);
    });
    if (!ids.includes(this.current)) this.current = ids[0] ?? UNSORTED;
    this.switcher.hidden = ids.length <= 1;
    this.highlight();
  }

  /** Show lane `id` on a phone. */
  choose(id: number): void {
    if (!this.lanes.has(id) || id === this.current) return;
    this.current = id;
    this.highlight();
    this.onCurrent(id);
  }

  private highlight(): void {
    for (const [id, lane] of this.lanes) {
      lane.el.classList.toggle("is-current", id === this.current);
      lane.tab.setAttribute("aria-pressed", String(id === this.current));
    }
  }

  private lane(id: number): Lane {
    const title = h("h2", { class: "board-lane-title", attrs: { dir: "auto" } });
    const count = h("p", { class: "board-lane-count muted" });
    const list = h("ul", { class: "board-notes" });
    const el = h(
      "section",
      { class: "board-lane", attrs: { "data-column-id": String(id) } },
      h("div", { class: "board-lane-head" }, title, count),
      list,
    );
    list.setAttribute("aria-label", t("board.notes"));
    const tab = h("button", {
      class: "button board-tab",
      attrs: { type: "button", "data-column-id": String(id), dir: "auto" },
    });
    tab.addEventListener("click", () => this.choose(id));
    const lane = { el, title, count, list, tab };
    this.lanes.set(id, lane);
    return lane;
  }
}
