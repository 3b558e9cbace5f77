// Where the user's caret is in the live editors, kept across a rebuild of the page (after a
// client-id clash the rooms start over on new Y.Docs and every editor is made again, see
// sync/rekey.ts): the same editor, by its place on the page, and the same offsets.

import { EditorSelection } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

export interface Caret {
  /** Which .cm-editor of the page, in document order. */
  editor: number;
  anchor: number;
  head: number;
}

function editors(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>(".cm-editor")];
}

/** The focused editor's selection, or null when no live editor has the focus. */
export function saveCaret(): Caret | null {
  const dom = document.activeElement?.closest(".cm-editor");
  if (!(dom instanceof HTMLElement)) return null;
  const view = EditorView.findFromDOM(dom);
  if (view === null) return null;
  const { anchor, head } = view.state.selection.main;
  return { editor: editors().indexOf(dom), anchor, head };
}

/** Focus that editor again with the selection at the same offsets (clamped to its new text). */
export function restoreCaret(caret: Caret | null): void {
  if (caret === null) return;
  const dom = editors()[caret.editor];
  const view = dom === undefined ? null : EditorView.findFromDOM(dom);
  if (view === null) return;
  const length = view.state.doc.length;
  view.dispatch({
    selection: EditorSelection.single(Math.min(caret.anchor, length), Math.min(caret.head, length)),
  });
  view.focus();
}
