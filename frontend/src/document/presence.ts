// Who is in which section now, as text under the section ("Also here: …"): the others' cursors
// and their name flags in the editor show only to a sighted mouse user, so the same presence is
// written out for a keyboard, a screen reader and a finger. The names are the server's (it
// stamps every awareness state's `user` from the token, docs/protocol.md), each in a <bdi>.

import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";

import { nameList } from "../i18n";

interface PresenceState {
  user?: { name?: unknown };
  cursor?: { anchor?: unknown };
}

/** Section id → the names of the others whose cursor is in its text. */
export function whoIsWhere(
  doc: Y.Doc,
  awareness: Awareness,
  texts: ReadonlyMap<number, Y.Text>,
): Map<number, string[]> {
  const bySection = new Map<number, string[]>();
  for (const [clientId, raw] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue;
    const state = raw as PresenceState;
    const name = state.user?.name;
    if (typeof name !== "string" || !state.cursor?.anchor) continue;
    let position: Y.AbsolutePosition | null = null;
    try {
      position = Y.createAbsolutePositionFromRelativePosition(
        Y.createRelativePositionFromJSON(state.cursor.anchor),
        doc,
      );
    } catch {
      continue; // a position this copy of the document cannot place yet
    }
    if (!position) continue;
    for (const [id, text] of texts) {
      if (position.type === text) {
        const names = bySection.get(id) ?? [];
        if (!names.includes(name)) names.push(name);
        bySection.set(id, names);
      }
    }
  }
  return bySection;
}

/** Fill a section's presence line (hidden when nobody else is there). */
export function showPresence(el: HTMLElement, label: string, names: readonly string[]): void {
  el.hidden = names.length === 0;
  el.replaceChildren(...(names.length ? [document.createTextNode(`${label} `), ...nameList(names, "presence-name")] : []));
}
