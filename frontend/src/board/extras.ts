// What a note card shows beside its text: the notes merged into it (their texts and
// authors, the server's "merged" map) and the voting round's row (its votes when the viewer
// may know them, the viewer's own, and Vote).

import { h } from "../dom";
import { t } from "../i18n";
import { autoDir } from "../render";
import type { MergedEntry } from "./notes";
import type { NoteVoting } from "./voting";

export function mergedList(merged: MergedEntry[]): HTMLElement | null {
  if (merged.length === 0) return null;
  return h(
    "details",
    { class: "note-merged" },
    h("summary", { text: t("board.mergedCount", { count: merged.length }) }),
    h(
      "ul",
      {},
      ...merged.map((m) =>
        h(
          "li",
          { attrs: { "data-note-id": m.id } },
          autoDir("span", m.text, "note-merged-text"),
          h("span", {
            class: "note-merged-author",
            attrs: { dir: "auto" },
            text: ` — ${m.anonymous ? t("board.anonymous") : m.name}`,
          }),
        ),
      ),
    ),
  );
}

export function voteRow(
  voting: NoteVoting | null,
  textId: string,
  mayWrite: boolean,
  vote: () => void,
): HTMLElement | null {
  if (voting === null) return null;
  const items: HTMLElement[] = [];
  if (voting.count !== null) {
    items.push(h("span", { class: "badge note-vote-count", text: t("board.vote.votes", { count: voting.count }) }));
  }
  if (voting.mine > 0) {
    items.push(h("span", { class: "note-vote-mine", text: t("board.vote.mine", { count: voting.mine }) }));
  }
  if (voting.canVote && mayWrite) {
    const button = h("button", {
      class: "button note-vote",
      attrs: { type: "button", "aria-describedby": textId, "data-focus": "note-vote" },
      text: t("board.vote.vote"),
    });
    button.addEventListener("click", () => {
      button.disabled = true;
      vote();
    });
    items.push(button);
  }
  return items.length ? h("p", { class: "note-votes" }, ...items) : null;
}
