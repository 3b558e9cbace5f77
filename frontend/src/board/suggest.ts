// The secretariat's "Suggest groups" panel: similar board notes and open inputs
// (GET …/board/suggestions), each group with the terms its ideas share. The secretariat
// decides: a group's notes can be merged into its first note with one click; inputs are
// reviewed in the inbox as usual. Nothing is merged automatically.

import { api, errorMessage, request } from "../api";
import { h, replaceChildren } from "../dom";
import { t } from "../i18n";

interface SuggestedGroup {
  members: { kind: string; id: string; text: string; label: string }[];
  shared_terms: string[];
  score: number;
}

export function suggestionsPanel(documentId: number): HTMLElement {
  const list = h("ol", { class: "board-suggestions-list" });
  const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
  const status = h("p", { class: "muted board-suggestions-status", attrs: { "aria-live": "polite" } });
  const ask = h("button", { class: "button board-suggest", attrs: { type: "button" }, text: t("board.suggest") });
  const load = (): void => {
    problem.textContent = "";
    ask.disabled = true;
    request<SuggestedGroup[]>(`/api/documents/${documentId}/board/suggestions`)
      .then((groups) => {
        status.textContent = groups.length ? t("board.suggestCount", { count: groups.length }) : t("board.suggestNone");
        replaceChildren(list, ...groups.map((g) => item(g)));
      })
      .catch((err: unknown) => {
        problem.textContent = errorMessage(err);
      })
      .finally(() => {
        ask.disabled = false;
      });
  };
  const item = (group: SuggestedGroup): HTMLElement => {
    const notes = group.members.filter((m) => m.kind === "note");
    const merge =
      notes.length >= 2
        ? h("button", { class: "button board-suggestion-merge", attrs: { type: "button" }, text: t("board.suggestMerge") })
        : null;
    merge?.addEventListener("click", () => {
      const [first, ...rest] = notes;
      if (!first) return;
      merge.disabled = true;
      api
        .mergeNotes(
          documentId,
          first.id,
          rest.map((n) => n.id),
        )
        .then(load, (err: unknown) => {
          problem.textContent = errorMessage(err);
          merge.disabled = false;
        });
    });
    return h(
      "li",
      { class: "board-suggestion" },
      h("p", { class: "board-suggestion-terms", text: t("board.suggestShared", { terms: group.shared_terms.join(", ") }) }),
      h(
        "ul",
        {},
        ...group.members.map((m) =>
          h(
            "li",
            { attrs: { "data-kind": m.kind, "data-id": m.id } },
            h("span", { class: "board-suggestion-text", attrs: { dir: "auto" }, text: m.text }),
            h("span", {
              class: "muted board-suggestion-label",
              attrs: { dir: "auto" },
              text: ` — ${m.kind === "input" ? t("board.suggestInput", { group: m.label }) : m.label || t("board.anonymous")}`,
            }),
          ),
        ),
      ),
      merge,
    );
  };
  ask.addEventListener("click", load);
  return h(
    "details",
    { class: "board-manage board-suggestions" },
    h("summary", { text: t("board.suggestTitle") }),
    h("p", { class: "muted", text: t("board.suggestHelp") }),
    ask,
    status,
    problem,
    list,
  );
}
