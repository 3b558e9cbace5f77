// The participants' board room (board-{id}, docs/protocol.md): a top-level Y.Map "notes"
// (note id → plain JSON note; editing replaces the whole value) and the server-only Y.Maps
// "promoted" (note id → where the secretariat put it in the document) and "columns"
// (column id → {title, position}; a note's column null or unknown: "Unsorted"). Values are read
// defensively: whatever an old or broken client left in the map is skipped, not shown.

import type * as Y from "yjs";

import { type MessageKey, t } from "../i18n";

export const NOTE_COLORS = ["yellow", "pink", "blue", "green", "orange"] as const;
export type NoteColor = (typeof NOTE_COLORS)[number];

export const COLOR_LABEL: Record<NoteColor, MessageKey> = {
  yellow: "board.color.yellow",
  pink: "board.color.pink",
  blue: "board.color.blue",
  green: "board.color.green",
  orange: "board.color.orange",
};

/** Characters (code points, after trimming) a note may hold. */
export const MAX_NOTE_CHARS = 500;

const NOTE_ID = /^[A-Za-z0-9_-]{8,40}$/;
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The value stored under a note's id. */
export interface NoteValue {
  text: string;
  author: number;
  name: string;
  color: NoteColor;
  x: number;
  y: number;
  at: string;
  /** A column id of the "columns" map; null: "Unsorted". */
  column: number | null;
}

export interface Column {
  id: number;
  title: string;
  position: number;
}

export interface Note extends NoteValue {
  id: string;
  /** Posted through the server without its author's id and name. */
  anonymous: boolean;
}

/** A note merged into another (the server's "merged" map): the kept note's provenance. */
export interface MergedEntry {
  id: string;
  text: string;
  name: string;
  anonymous: boolean;
}

export interface Promotion {
  section_id: number;
  by: string;
  at: string;
  /** Sent into the inbox as an input for that section, not (yet) in the document. */
  inbox: boolean;
}

/** 16 random url-safe characters. */
export function newNoteId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let id = "";
  for (const byte of bytes) id += ID_ALPHABET[byte & 63];
  return id;
}

/** Number of code points (what the server counts), not UTF-16 units. */
export function charCount(text: string): number {
  return [...text].length;
}

/** Why `text` cannot be a note ("" when it can). */
export function textProblem(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return t("board.writeFirst");
  const count = charCount(trimmed);
  if (count > MAX_NOTE_CHARS) return t("board.tooLong", { max: MAX_NOTE_CHARS, count });
  return "";
}

function fraction(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}

export function isColor(value: unknown): value is NoteColor {
  return typeof value === "string" && (NOTE_COLORS as readonly string[]).includes(value);
}

/** A new note's value: written by `me`, now, at a random spot of the board. */
export function noteValue(
  me: { id: number; name: string },
  text: string,
  color: NoteColor,
  column: number | null,
): NoteValue {
  return {
    text: text.trim(),
    author: me.id,
    name: me.name,
    color,
    x: fraction(Math.random()),
    y: fraction(Math.random()),
    at: new Date().toISOString(),
    column,
  };
}

/** The same note with new text (author, place and time kept). */
export function withText(note: NoteValue, text: string): NoteValue {
  return {
    text: text.trim(),
    author: note.author,
    name: note.name,
    color: note.color,
    x: fraction(note.x),
    y: fraction(note.y),
    at: note.at,
    column: note.column,
  };
}

/** The same note in another column. */
export function withColumn(note: NoteValue, column: number | null): NoteValue {
  return { ...withText(note, note.text), column };
}

function parseNote(id: string, value: unknown): Note | null {
  if (!NOTE_ID.test(id) || typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const { text, author, name, color, x, y, at, column, anonymous } = v;
  if (typeof text !== "string" || typeof author !== "number" || typeof name !== "string") return null;
  return {
    id,
    text,
    author,
    name,
    color: isColor(color) ? color : "yellow",
    x: typeof x === "number" ? fraction(x) : 0.5,
    y: typeof y === "number" ? fraction(y) : 0.5,
    at: typeof at === "string" ? at : "",
    column: typeof column === "number" && Number.isInteger(column) ? column : null,
    anonymous: anonymous === true,
  };
}

/** What was merged into note `id`. */
export function readMerged(map: Y.Map<unknown>, id: string): MergedEntry[] {
  const value = map.get(id);
  if (!Array.isArray(value)) return [];
  const out: MergedEntry[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e["id"] !== "string" || typeof e["text"] !== "string") continue;
    out.push({
      id: e["id"],
      text: e["text"],
      name: typeof e["name"] === "string" ? e["name"] : "",
      anonymous: e["anonymous"] === true,
    });
  }
  return out;
}

/** The published columns, first to last. */
export function readColumns(map: Y.Map<unknown>): Column[] {
  const out: Column[] = [];
  map.forEach((value, key) => {
    if (!/^[0-9]+$/.test(key) || typeof value !== "object" || value === null) return;
    const v = value as Record<string, unknown>;
    const title = typeof v["title"] === "string" ? v["title"] : "";
    const position = typeof v["position"] === "number" ? v["position"] : 0;
    out.push({ id: Number(key), title, position });
  });
  return out.sort((a, b) => a.position - b.position || a.id - b.id);
}

/** Every well-formed note, oldest first (then by id, like the REST listing). */
export function readNotes(map: Y.Map<unknown>): Note[] {
  const out: Note[] = [];
  map.forEach((value, id) => {
    const note = parseNote(id, value);
    if (note) out.push(note);
  });
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function readPromotion(map: Y.Map<unknown>, id: string): Promotion | null {
  const value = map.get(id);
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v["section_id"] !== "number") return null;
  return {
    section_id: v["section_id"],
    by: typeof v["by"] === "string" ? v["by"] : "",
    at: typeof v["at"] === "string" ? v["at"] : "",
    inbox: v["inbox"] === true,
  };
}
