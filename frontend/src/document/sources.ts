// Where a section's paragraphs came from, as a disclosure under its text: the provenance
// markers' hover titles (inputs/provenance.ts) are out of reach of a keyboard, a screen reader
// and a finger, so the same labels are listed here.

import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import type { ProvenanceMark } from "../inputs/provenance";

/** The start of a paragraph, to name it in the list. */
const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
};

/** Fill the section's `<details>` (hidden without marks). */
export function renderSources(details: HTMLDetailsElement, marks: readonly ProvenanceMark[]): void {
  details.hidden = marks.length === 0;
  // Only the list is drawn again (and only when it changed): the summary keeps the focus.
  const key = JSON.stringify(marks);
  if (details.dataset["key"] === key) return;
  details.dataset["key"] = key;
  let summary = details.querySelector("summary");
  let list = details.querySelector("ul");
  if (!summary || !list) {
    summary = h("summary");
    list = h("ul");
    details.append(summary, list);
  }
  summary.textContent = t("provenance.sources", { count: marks.length });
  replaceChildren(
    list,
    ...marks.map((mark) =>
      h(
        "li",
        {},
        h("q", { class: "source-text", attrs: { dir: "auto" }, text: excerpt(mark.text) }),
        " ",
        h("span", { class: "source-label", text: mark.label }),
      ),
    ),
  );
}
