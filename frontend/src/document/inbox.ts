// The inbox beside the document (secretariat and chair) and what it changes in the document:
// an accepted input, or a note promoted from the participants' board, brings a provenance
// record with it, so the markers are reloaded at once.

import { Inbox } from "../inputs/inbox";
import type { Room } from "../sync/room";
import type { BreakoutGroup, Me } from "../types";

export interface DocumentInboxOptions {
  me: Me;
  meetingId: number;
  timeZone: string;
  groups: BreakoutGroup[];
  /** The document room. */
  room: Room;
  notify(text: string | Node[]): void;
  /** Open the board room (board-{id}), whose `promoted` map only the server writes. */
  openBoard(): Promise<Room>;
  /** Something may have added a provenance record. */
  provenanceChanged(): void;
}

/** Put the inbox in place of `slot`; returns what stops its event stream. */
export function mountInbox(slot: HTMLElement, options: DocumentInboxOptions): () => void {
  const inbox = new Inbox({
    me: options.me,
    meetingId: options.meetingId,
    timeZone: options.timeZone,
    groups: options.groups,
    doc: options.room.doc,
    notify: options.notify,
  });
  inbox.feed.on((changed) => {
    if (changed.some((input) => input.status === "accepted")) options.provenanceChanged();
  });
  slot.replaceWith(inbox.el);
  void options
    .openBoard()
    .then((board) => board.doc.getMap("promoted").observe(() => options.provenanceChanged()))
    .catch(() => {
      // Without the board the markers come with the next reload.
    });
  return () => inbox.feed.stop();
}
