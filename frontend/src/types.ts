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

export type AgendaKind = "opening" | "session" | "breakout" | "break" | "brainstorm" | "closing";

/** GET /api/me */
export interface Me {
  id: number;
  meeting_id: number;
  name: string;
  role: Role;
  group_code: string | null;
  color: string;
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
}
