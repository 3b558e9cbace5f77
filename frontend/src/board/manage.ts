// The secretariat's column panel on the board: add, rename, move and remove columns (REST,
// docs/protocol.md). The list is rebuilt from the room's "columns" map whenever it changes,
// so what the panel shows is what every phone shows; a title being typed is kept.

import { api, errorMessage } from "../api";
import { armedButton, keepingFocus } from "../armed";
import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import type { Column } from "./notes";

const MAX_TITLE = 80;

export class ColumnManager {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly problem: HTMLElement;
  private signature = "";
  private latest: Column[] = [];

  constructor(private readonly documentId: number) {
    this.list = h("ol", { class: "board-manage-list" });
    this.problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    const title = h("input", {
      class: "input board-manage-new",
      attrs: { id: "board-new-column", maxlength: String(MAX_TITLE), dir: "auto" },
    });
    const add = h("button", {
      class: "button board-manage-add",
      attrs: { type: "submit" },
      text: t("board.addColumn"),
    });
    const form = h(
      "form",
      { class: "board-manage-form" },
      h("label", { class: "field-label", attrs: { for: title.id }, text: t("board.newColumn") }),
      title,
      add,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = title.value.trim();
      if (value === "") return;
      this.run(api.addColumn(this.documentId, value), () => {
        title.value = "";
      });
    });
    this.list.addEventListener("focusout", () => queueMicrotask(() => this.show(this.latest)));
    this.el = h(
      "details",
      { class: "board-manage" },
      h("summary", { text: t("board.manageColumns") }),
      this.list,
      form,
      this.problem,
    );
  }

  show(columns: Column[]): void {
    this.latest = columns;
    const signature = JSON.stringify(columns);
    if (signature === this.signature) return;
    // A title being typed is not replaced under the typist's fingers: the list catches up
    // when the field loses focus.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && this.list.contains(active)) return;
    this.signature = signature;
    keepingFocus(this.list, () =>
      replaceChildren(this.list, ...columns.map((column, i) => this.row(column, i, columns.length))),
    );
  }

  private row(column: Column, index: number, total: number): HTMLElement {
    const id = `board-column-title-${column.id}`;
    const input = h("input", {
      class: "input board-manage-title",
      attrs: { id, maxlength: String(MAX_TITLE), dir: "auto", "aria-label": t("board.columnTitle") },
    });
    input.value = column.title;
    const save = h("button", {
      class: "button board-manage-rename",
      attrs: { type: "submit", "data-focus": `column:${column.id}:save` },
      text: t("action.save"),
    });
    const form = h("form", { class: "board-manage-row" }, input, save);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const title = input.value.trim();
      if (title === "" || title === column.title) return;
      this.run(api.changeColumn(this.documentId, column.id, { title }));
    });
    const move = (to: number, label: string, cls: string): HTMLButtonElement => {
      const b = h("button", {
        class: `button ${cls}`,
        attrs: { type: "button", "aria-describedby": id, "data-focus": `column:${column.id}:${cls}` },
        text: label,
      });
      b.disabled = to < 0 || to >= total;
      b.addEventListener("click", () => this.run(api.changeColumn(this.documentId, column.id, { position: to })));
      return b;
    };
    // Armed by key, so a rebuild by someone else's change keeps "Confirm" under the finger.
    const remove = armedButton({
      key: `column:${column.id}:remove`,
      text: t("action.remove"),
      confirmText: t("board.confirmRemoveColumn"),
      className: "button board-manage-remove",
      attrs: { "aria-describedby": id },
      act: () => this.run(api.removeColumn(this.documentId, column.id)),
    });
    return h(
      "li",
      { class: "board-manage-item", attrs: { "data-column-id": String(column.id) } },
      form,
      h(
        "div",
        { class: "note-actions" },
        move(index - 1, t("action.moveUp"), "board-manage-up"),
        move(index + 1, t("action.moveDown"), "board-manage-down"),
        remove,
      ),
    );
  }

  private run(call: Promise<unknown>, then?: () => void): void {
    this.problem.textContent = "";
    call.then(
      () => then?.(),
      (err: unknown) => {
        this.problem.textContent = errorMessage(err);
      },
    );
  }
}
