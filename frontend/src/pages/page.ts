// What every page module gets and provides. A page fills shell.main, opens its Yjs rooms and
// reports their state to the header; the shell tells it when the current agenda item changes.

import type { AdoptionWatch } from "../closing/adopt";
import type { Shell } from "../shell";
import type { Session } from "../source";
import type { Room, RoomStatus } from "../sync/room";
import type { AgendaItem, Me, Meeting } from "../types";

export interface PageContext {
  me: Me;
  shell: Shell;
  session: Session;
  documentId: number;
  /** Open a room of this meeting (IndexedDB, websocket, stale-copy check). */
  openRoom(room: string, options: { presence: boolean; serverMap?: string }): Promise<Room>;
  /** Tell the user something went wrong (a refused rename, a failed request). */
  notify(text: string | Node[]): void;
  /** Whether the document is adopted (read-only for everyone), live. */
  adoption: AdoptionWatch;
}

export interface Page {
  /** The meeting or the agenda changed; `current` is the item running now. */
  agenda(meeting: Meeting, current: AgendaItem | null): void;
  /** Local changes the server has not committed yet (the unload warning, tests). */
  unsaved(): number;
  /** Close what outlives the page's elements (event streams) before it is laid out again. */
  dispose?(): void;
}

/** The header shows `main`'s connection and the unsaved changes of every writable room. */
export function showStatus(ctx: PageContext, main: Room, writable: Room[]): void {
  const show = (): void => {
    const unsaved = writable.reduce((sum, room) => sum + room.unsaved, 0);
    const status: RoomStatus = { ...main.current, unsaved };
    ctx.shell.status.set(status, { tracksSaving: writable.length > 0 });
  };
  for (const room of new Set([main, ...writable])) room.onStatus(show);
}
