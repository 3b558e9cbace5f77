// "Your note" + column + colour + Post: the writer's form on the board page. The column
// follows the lane a phone shows (and choosing a column here shows that lane), so a note
// lands where its writer is looking.

import { errorMessage } from "../api";
import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { UNSORTED } from "./columns";
import { COLOR_LABEL, type Column, MAX_NOTE_CHARS, NOTE_COLORS, type NoteColor, isColor, textProblem } from "./notes";

const COLOR_KEY = "outcomes:board-color";
// The server refuses more than this many notes a minute from one person (board_notes_per_minute,
// docs/protocol.md) and a refused note costs the page a reload; the form holds back first.
const NOTES_PER_MINUTE = 20;

/** The colour this device used last (a person tends to keep one). */
function lastColor(): NoteColor {
  try {
    const stored = window.localStorage.getItem(COLOR_KEY);
    return isColor(stored) ? stored : "yellow";
  } catch {
    return "yellow";
  }
}

export class PostForm {
  readonly el: HTMLFormElement;
  /** Called when the writer picks a column in the form. */
  onColumn: (id: number) => void = () => {};
  private readonly select: HTMLSelectElement;
  private readonly columnField: HTMLElement;
  private signature = "";
  private readonly posted: number[] = [];

  constructor(post: (text: string, color: NoteColor, column: number | null, anonymous: boolean) => Promise<void>) {
    const area = h("textarea", {
      class: "input board-text",
      attrs: {
        id: "board-text",
        dir: "auto",
        rows: "3",
        maxlength: String(MAX_NOTE_CHARS),
        placeholder: t("board.placeholder"),
      },
    });
    const remaining = h("p", { class: "board-remaining muted", attrs: { id: "board-remaining" } });
    area.setAttribute("aria-describedby", remaining.id);
    const showRemaining = (): void => {
      const left = MAX_NOTE_CHARS - [...area.value].length;
      remaining.textContent = t("board.charactersLeft", { count: left });
    };
    showRemaining();
    area.addEventListener("input", showRemaining);

    this.select = h("select", { class: "board-column-select", attrs: { id: "board-column" } });
    this.select.addEventListener("change", () => this.onColumn(this.chosen()));
    this.columnField = h(
      "div",
      { class: "board-column-field" },
      h("label", { class: "field-label", attrs: { for: this.select.id }, text: t("board.column") }),
      this.select,
    );

    let color = lastColor();
    const swatches = h("div", { class: "board-colors" });
    for (const value of NOTE_COLORS) {
      const radio = h("input", {
        class: "board-color-radio",
        attrs: { type: "radio", name: "board-color", value, id: `board-color-${value}` },
      });
      radio.checked = value === color;
      radio.addEventListener("change", () => {
        if (radio.checked) color = value;
      });
      swatches.append(
        h(
          "label",
          { class: `board-color note-${value}`, attrs: { for: radio.id } },
          radio,
          h("span", { text: t(COLOR_LABEL[value]) }),
        ),
      );
    }
    const anonymous = h("input", { attrs: { id: "board-anonymous", type: "checkbox" } });
    const anonymousField = h(
      "label",
      { class: "board-anonymous", attrs: { for: anonymous.id } },
      anonymous,
      h("span", { text: t("board.postAnonymously") }),
    );
    const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    const send = h("button", {
      class: "button button-primary submit-send board-post",
      attrs: { type: "submit" },
      text: t("board.post"),
    });
    this.el = h(
      "form",
      { class: "board-form submit-form", attrs: { "aria-label": t("board.postANote") } },
      h("label", { class: "field-label", attrs: { for: area.id }, text: t("board.yourNote") }),
      area,
      remaining,
      this.columnField,
      h(
        "fieldset",
        { class: "board-color-choice" },
        h("legend", { class: "field-label", text: t("board.colour") }),
        swatches,
      ),
      anonymousField,
      problem,
      send,
    );
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      const why = textProblem(area.value);
      problem.textContent = why;
      if (why) {
        area.focus();
        return;
      }
      const now = Date.now();
      while ((this.posted[0] ?? now) <= now - 60_000) this.posted.shift();
      if (this.posted.length >= NOTES_PER_MINUTE) {
        const wait = Math.ceil(((this.posted[0] ?? now) + 60_000 - now) / 1000);
        problem.textContent = t("board.tooFast", { seconds: wait });
        return;
      }
      this.posted.push(now);
      const column = this.chosen();
      send.disabled = true;
      post(area.value, color, column === UNSORTED ? null : column, anonymous.checked).then(
        () => {
          send.disabled = false;
          try {
            window.localStorage.setItem(COLOR_KEY, color);
          } catch {
            // Storage disabled: the colour is only not remembered.
          }
          area.value = "";
          showRemaining();
          area.focus();
        },
        (err: unknown) => {
          send.disabled = false;
          problem.textContent = errorMessage(err);
        },
      );
    });
  }

  /** The lane a phone shows: new notes go there. */
  set column(id: number) {
    if ([...this.select.options].some((o) => o.value === String(id))) this.select.value = String(id);
  }

  /** The board's columns changed (or the lane shown): rebuild the choices. */
  columns(columns: Column[], current: number): void {
    const signature = JSON.stringify(columns);
    if (signature !== this.signature) {
      this.signature = signature;
      const keep = this.chosen();
      replaceChildren(
        this.select,
        ...columns.map((c) => h("option", { attrs: { value: String(c.id), dir: "auto" }, text: c.title })),
        h("option", { attrs: { value: String(UNSORTED) }, text: t("board.unsorted") }),
      );
      this.select.value = String(columns.some((c) => c.id === keep) ? keep : current);
    }
    this.columnField.hidden = columns.length === 0;
  }

  private chosen(): number {
    const value = Number(this.select.value);
    return Number.isInteger(value) ? value : UNSORTED;
  }
}
