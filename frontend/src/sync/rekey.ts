// After the server refused our edits because another connection writes under our Yjs client id
// (docs/protocol.md, "Client ids"), those edits are stuck: their ids mean someone else's text on
// the server, so they can never be sent again, and a delete of them would delete that person's
// text. The room starts over with a fresh Y.Doc (a new random client id) made from the server's
// state, and this module carries what we typed and the server refused over to it as new edits.
// It is a three-way merge, not a diff of two strings: only our refused characters move, each one
// placed right after the character (anyone's, kept or deleted) it followed in our copy, so no
// text of the other writer can disappear even where our copy never received it.
// yjs is pinned; tests/node/rekey_units.mjs runs this on the pinned copy (it reads Y.Text items).

import * as Y from "yjs";

/** Whether the unit at (client, clock) is one of our refused edits. */
export type Refused = (client: number, clock: number) => boolean;

interface Insert {
  /** The last unit before it that is not ours (null: the start of the text). */
  after: Y.ID | null;
  text: string;
}

/** Our refused, still visible text runs of `text`, each with where it stood. */
export function refusedRuns(text: Y.Text, refused: Refused): Insert[] {
  const runs: Insert[] = [];
  let after: Y.ID | null = null;
  let buffer = "";
  let start: Y.ID | null = null;
  const flush = (): void => {
    if (buffer !== "") runs.push({ after: start, text: buffer });
    buffer = "";
  };
  for (let item = text._start; item !== null; item = item.right) {
    const { client, clock } = item.id;
    const str = item.content instanceof Y.ContentString ? item.content.str : null;
    for (let i = 0; i < item.length; i++) {
      if (str !== null && refused(client, clock + i)) {
        if (buffer === "") start = after;
        // A unit we typed and deleted again is skipped, but the run goes on across it.
        if (!item.deleted) buffer += str[i];
      } else {
        flush();
        after = Y.createID(client, clock + i);
      }
    }
  }
  flush();
  return runs;
}

/** The index in `doc` right after the unit `after` (kept or deleted); null when `doc` lacks it. */
function indexAfter(doc: Y.Doc, text: Y.Text, after: Y.ID | null): number | null {
  if (after === null) return 0;
  const position = Y.createAbsolutePositionFromRelativePosition(new Y.RelativePosition(null, null, after, -1), doc);
  return position !== null && position.type === text ? position.index : null;
}

/**
 * Re-apply our refused edits of `old` to `fresh` (a doc made from the server's state), as new
 * edits of `fresh`'s own client id, in one transaction. Top-level texts are merged unit by unit;
 * a top-level map entry we wrote is written again unless it holds a nested type. Returns how many
 * runs and entries were carried over.
 */
export function reapplyRefused(old: Y.Doc, fresh: Y.Doc, refused: Refused): number {
  let carried = 0;
  fresh.transact(() => {
    for (const [name, type] of old.share) {
      if (type instanceof Y.Text) {
        const target = fresh.getText(name);
        for (const run of refusedRuns(type, refused)) {
          // Its neighbour never reached the server (still on its way when the room started over):
          // the end of the text keeps the words, if not their place.
          const index = indexAfter(fresh, target, run.after) ?? target.length;
          target.insert(index, run.text);
          carried++;
        }
      } else if (type instanceof Y.Map) {
        const target = fresh.getMap<unknown>(name);
        for (const [key, item] of type._map) {
          if (item.deleted || !refused(item.id.client, item.id.clock)) continue;
          if (item.content instanceof Y.ContentType || item.content instanceof Y.ContentDoc) continue;
          const values = item.content.getContent();
          target.set(key, values[values.length - 1]);
          carried++;
        }
      }
    }
  });
  return carried;
}

/** The item ranges [client, from, to) one side inserted: what `Refused` is built from. */
export function inRanges(ranges: ReadonlyArray<readonly [number, number, number]>): Refused {
  return (client, clock) => ranges.some(([c, from, to]) => c === client && clock >= from && clock < to);
}
