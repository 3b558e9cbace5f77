// The shapes the REST API returns (see /api/docs). Dates and times arrive as ISO strings.

export type Role = "secretariat" | "chair" | "rapporteur" | "participant" | "projector";

export type SectionKind =
  | "preamble"
  | "session"
  | "breakout"
  | "brainstorm"
  | "next_steps"
  | "other";

export type SectionStatus = "draft" | "agreed" | "locked";

/** What the room's projectors show (the document room's server-owned `projector` map). */
export interface ProjectorSettings {
  mode: "document" | "current";
  /** Type-size steps: 0 is the projector's own size. */
  size: 0 | 1 | 2 | 3;
}

/** The settings a `projector` map holds (absent or odd values: the defaults). */
export function readProjector(map: { get(key: string): unknown }): ProjectorSettings {
  const mode = map.get("mode") === "current" ? "current" : "document";
  const raw = map.get("size");
  const size = raw === 1 || raw === 2 || raw === 3 ? raw : 0;
  return { mode, size };
}

export type AgendaKind = "opening" | "session" | "breakout" | "break" | "brainstorm" | "closing";

/** GET /api/me */
export interface Me {
  id: number;
  meeting_id: number;
  name: string;
  role: Role;
  group_code: string | null;
  color: string;
  /** The person's preferred language ("ar"), if their link has one. */
  language?: string | null;
}

export interface BreakoutGroup {
  code: string;
  name: string;
  facilitator: string;
}

/** GET /api/meetings/{id} */
export interface Meeting {
  id: number;
  title: string;
  /** YYYY-MM-DD */
  date: string;
  venue: string;
  /** IANA name, e.g. "Asia/Dubai" */
  time_zone: string;
  languages: string[];
  current_agenda_item_id: number | null;
  groups: BreakoutGroup[];
  document_id: number | null;
}

/** GET /api/meetings/{id}/agenda, in time order */
export interface AgendaItem {
  id: number;
  meeting_id: number;
  /** HH:MM:SS, the meeting's local time */
  start: string;
  end: string;
  title: string;
  kind: AgendaKind;
  description: string;
  moderator: string;
  speakers: string;
  facilitators: string;
  section_id: number | null;
  group_code: string | null;
}

export interface Section {
  id: number;
  document_id: number;
  title: string;
  kind: SectionKind;
  group_code: string | null;
  position: number;
  status: SectionStatus;
  version: number;
  body: string;
  updated_at: string;
  /** The y-websocket room holding the live text (realtime stage; see docs/protocol.md). */
  room?: string;
  /** Name of the section's Y.Text in that room. */
  text?: string;
  /** A breakout section's drafting room (Y.Text "draft"). */
  group_room?: string | null;
}

/** GET /api/documents/{id} — the consolidated document */
export interface OutcomeDocument {
  id: number;
  meeting_id: number;
  title: string;
  sections: Section[];
  /** The y-websocket room of the whole document (realtime stage). */
  room?: string;
  /** When the meeting adopted it (ISO UTC), and who; null while it is open. */
  adopted_at?: string | null;
  adopted_by_name?: string | null;
}

/** The server-owned entry of a section in the document room's `sections` Y.Map. */
export interface SectionMeta {
  id: number;
  title: string;
  kind: SectionKind;
  status: SectionStatus;
  position: number;
  group_code: string | null;
  version: number;
}

/** GET …/sections/{sid}/revisions */
export interface Revision {
  number: number;
  created_at: string;
  reason: string;
  authors: { id: number; name: string }[];
  length: number;
}

/** GET …/sections/{sid}/revisions/{n} */
export interface RevisionText extends Revision {
  text: string;
}

/** GET …/sections/{sid}/diff?from=N&to=M|live */
export interface Diff {
  from: number;
  to: number | "live";
  hunks: { op: "equal" | "insert" | "delete"; text: string }[];
}

/** POST /api/documents/{id}/checkpoints */
export interface Checkpoint {
  id?: number;
  name: string;
}

export type InputStatus = "submitted" | "accepted" | "rejected" | "duplicate" | "deferred" | "withdrawn";

/** A breakout input (GET /api/meetings/{id}/inputs, /api/inputs/{id}). */
export interface Input {
  id: number;
  meeting_id: number;
  group_code: string;
  group_name: string | null;
  section_id: number;
  section_title: string | null;
  text: string;
  status: InputStatus;
  submitted_by: number | null;
  rapporteur: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  reviewed_by: number | null;
  reviewer: string | null;
  reviewed_at: string | null;
  reason: string | null;
  duplicate_of: number | null;
  accepted_text: string | null;
  provenance_id: number | null;
  /** "board": a note the secretariat sent from the board (its authors in board_authors). */
  origin?: "group" | "board";
  board_note_id?: string | null;
  board_authors?: string[];
}

/** One message of GET /api/meetings/{id}/events. */
export type InputEventMessage =
  | { id: number; type: "input.submitted" | "input.updated" | "input.withdrawn" | "input.reviewed"; input: Input }
  | { type: "ready"; last_event_id: number };

/** POST …/adopt and …/reopen answer this; their events carry it as `document`. */
export interface AdoptionState {
  document_id: number;
  adopted_at: string | null;
  adopted_by: number | null;
  adopted_by_name: string | null;
  checkpoint_id: number | null;
  reopened_by_name: string | null;
  reason: string | null;
}

/** Every message of GET /api/meetings/{id}/events: input events and meeting-wide ones. */
export type StreamMessage =
  | InputEventMessage
  | { id: number; type: "document.adopted" | "document.reopened"; document: AdoptionState };

export type ReviewAction =
  | { action: "accept"; text?: string; section_id?: number; position?: number }
  | { action: "reject"; reason: string }
  | { action: "duplicate"; duplicate_of: number }
  | { action: "defer"; reason?: string };

/** GET /api/documents/{id}/provenance */
export interface Provenance {
  id: number;
  document_id: number;
  section_id: number;
  text: string;
  paragraph: number;
  inputs: {
    /** null for a board note */
    input_id: number | null;
    group_code: string;
    group_name: string | null;
    /** For a board note: its author. */
    rapporteur_id: number | null;
    rapporteur: string | null;
    submitted_at: string;
    source?: "input" | "board";
    note_id?: string | null;
  }[];
  input_ids: number[];
  groups: string[];
  accepted_by: number | null;
  accepted_by_name: string;
  accepted_at: string;
  revision_number: number | null;
  /** "board" for a promoted note of the participants' board. */
  source?: "input" | "board";
}

/** POST /api/documents/{id}/board/notes/{note_id}/promote */
export interface BoardPromotion {
  note_id: string;
  section_id: number;
  revision: number;
  promoted: { section_id: number; by: string; at: string; inbox?: boolean; provenance_id?: number | null };
}

/** One column of the board (GET/POST/PATCH /api/documents/{id}/board/columns). */
export interface BoardColumn {
  id: number;
  title: string;
  position: number;
}

/** A voting round of the board (…/board/rounds, docs/protocol.md). */
export interface BoardRound {
  id: number;
  status: "open" | "closed";
  votes_per_person: number;
  allow_double: boolean;
  opened_at: string;
  closes_at: string;
  closed_at: string | null;
  now: string;
  cast: number;
  voters: number;
  /** Ranked; null for a voter while the round is open. */
  counts: { note_id: string; votes: number }[] | null;
  mine: string[];
  remaining: number;
}
