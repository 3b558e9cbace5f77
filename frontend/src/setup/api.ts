// The setup endpoints (README "Setting up a meeting"): meetings, agenda, groups, sections,
// people and their links, CSV and agenda-file imports. Shapes mirror app/models/*.py.

import { ApiError, request } from "../api";
import { t } from "../i18n";
import type { AgendaItem, AgendaKind, BreakoutGroup, Meeting, Section } from "../types";

export type PersonRole = "secretariat" | "chair" | "rapporteur" | "participant" | "projector";
export const PERSON_ROLES: PersonRole[] = ["secretariat", "chair", "rapporteur", "participant", "projector"];
export const AGENDA_KINDS: AgendaKind[] = ["opening", "session", "breakout", "break", "brainstorm", "closing"];

/** GET /api/me: an organiser has no meeting, and the meetings it created. */
export interface SetupMe {
  id: number;
  meeting_id: number | null;
  name: string;
  role: PersonRole | "organiser";
  group_code: string | null;
  color: string;
  organised_meeting_ids: number[];
  language?: string | null;
}

export type MeetingState = "upcoming" | "past" | "archived";

export interface SetupMeeting extends Meeting {
  created_by_organiser: number | null;
  archived_at: string | null;
  state: MeetingState;
}

export interface MeetingFields {
  title: string;
  date: string;
  venue: string;
  time_zone: string;
  languages: string[];
}

export interface LinkState {
  id: number;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  active: boolean;
}

export interface Person {
  id: number;
  meeting_id: number;
  name: string;
  role: PersonRole;
  group_code: string | null;
  email: string | null;
  language: string | null;
  color: string;
  links: LinkState[];
}

export interface PersonFields {
  name: string;
  role: PersonRole;
  group_code: string | null;
  email: string | null;
  language: string | null;
}

export interface IssuedLink {
  id: number;
  prefix: string;
  token: string;
  url: string;
  expires_at: string | null;
}

export interface ImportRow extends PersonFields {
  line: number;
}

export interface ImportRejected {
  line: number;
  code: string;
  reason: string;
  values: Record<string, string>;
}

export interface ImportReport {
  preview: boolean;
  usable: ImportRow[];
  rejected: ImportRejected[];
  created: Person[];
}

export type AgendaFields = Pick<
  AgendaItem,
  "start" | "end" | "title" | "kind" | "description" | "moderator" | "group_code" | "section_id"
>;

export interface DraftItem {
  start: string;
  end: string;
  title: string;
  kind: AgendaKind;
  group_code: string | null;
  section_key: string | null;
  [other: string]: unknown;
}

export interface MeetingDraft {
  title: string;
  date: string;
  venue: string;
  time_zone: string;
  languages: string[];
  groups: BreakoutGroup[];
  sections: { key: string; title: string; kind: string; group_code: string | null }[];
  agenda: DraftItem[];
  [other: string]: unknown;
}

export interface AgendaPreview {
  draft: MeetingDraft;
  unmapped: { entry: string; reason: string }[];
  source: "ics" | "indico";
}

const m = (id: number, tail = ""): string => `/api/meetings/${id}${tail}`;

/** A request whose body is a file (CSV, .ics, Indico JSON) rather than JSON we encode. */
async function sendFile<T>(path: string, body: Blob | string, contentType: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": contentType, Accept: "application/json" },
      body,
    });
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data ?? {}) as { error?: unknown; detail?: unknown };
    throw new ApiError(
      response.status,
      typeof error.error === "string" ? error.error : "http_error",
      typeof error.detail === "string" ? error.detail : t("error.http_status", { status: response.status }),
    );
  }
  return data as T;
}

export const setupApi = {
  me: () => request<SetupMe>("/api/me"),
  meetings: (state?: MeetingState) =>
    request<SetupMeeting[]>(`/api/meetings${state ? `?state=${state}` : ""}`),
  meeting: (id: number) => request<SetupMeeting>(m(id)),
  create: (fields: MeetingFields) => request<SetupMeeting>("/api/meetings", { method: "POST", body: fields }),
  update: (id: number, fields: Partial<MeetingFields>) =>
    request<SetupMeeting>(m(id), { method: "PATCH", body: fields }),
  copy: (id: number, body: { date: string; title?: string; people: boolean }) =>
    request<SetupMeeting>(m(id, "/copy"), { method: "POST", body }),
  archive: (id: number) => request<SetupMeeting>(m(id, "/archive"), { method: "POST" }),
  unarchive: (id: number) => request<SetupMeeting>(m(id, "/unarchive"), { method: "POST" }),

  agenda: (id: number) => request<AgendaItem[]>(m(id, "/agenda")),
  addItem: (id: number, fields: AgendaFields) =>
    request<AgendaItem>(m(id, "/agenda"), { method: "POST", body: fields }),
  updateItem: (id: number, itemId: number, fields: Partial<AgendaFields>) =>
    request<AgendaItem>(m(id, `/agenda/${itemId}`), { method: "PATCH", body: fields }),
  deleteItem: (id: number, itemId: number) =>
    request<void>(m(id, `/agenda/${itemId}`), { method: "DELETE" }),

  groups: (id: number) => request<BreakoutGroup[]>(m(id, "/groups")),
  addGroup: (id: number, group: BreakoutGroup) =>
    request<BreakoutGroup>(m(id, "/groups"), { method: "POST", body: group }),
  updateGroup: (id: number, code: string, group: Partial<BreakoutGroup>) =>
    request<BreakoutGroup>(m(id, `/groups/${encodeURIComponent(code)}`), { method: "PATCH", body: group }),
  deleteGroup: (id: number, code: string) =>
    request<void>(m(id, `/groups/${encodeURIComponent(code)}`), { method: "DELETE" }),

  sections: (documentId: number) => request<Section[]>(`/api/documents/${documentId}/sections`),
  addSection: (documentId: number, title: string) =>
    request<Section>(`/api/documents/${documentId}/sections`, { method: "POST", body: { title } }),
  renameSection: (documentId: number, section: Section, title: string) =>
    request<Section>(`/api/documents/${documentId}/sections/${section.id}`, {
      method: "PATCH",
      body: { title },
      headers: { "If-Match": `"${section.version}"` },
    }),
  deleteSection: (documentId: number, sectionId: number) =>
    request<void>(`/api/documents/${documentId}/sections/${sectionId}`, { method: "DELETE" }),

  people: (id: number) => request<Person[]>(m(id, "/people")),
  addPerson: (id: number, fields: PersonFields) =>
    request<Person>(m(id, "/people"), { method: "POST", body: fields }),
  updatePerson: (id: number, personId: number, fields: Partial<PersonFields>) =>
    request<Person>(m(id, `/people/${personId}`), { method: "PATCH", body: fields }),
  deletePerson: (id: number, personId: number) =>
    request<void>(m(id, `/people/${personId}`), { method: "DELETE" }),
  issueLink: (id: number, personId: number, hours?: number) =>
    request<IssuedLink>(m(id, `/people/${personId}/links`), {
      method: "POST",
      body: hours === undefined ? {} : { expires_in_hours: hours },
    }),
  expireLink: (id: number, personId: number, linkId: number, when: string) =>
    request<LinkState>(m(id, `/people/${personId}/links/${linkId}`), {
      method: "PATCH",
      body: { expires_at: when },
    }),
  revokeLink: (id: number, personId: number, linkId: number) =>
    request<LinkState>(m(id, `/people/${personId}/links/${linkId}/revoke`), { method: "POST" }),
  importPeople: (id: number, csv: string, preview: boolean) =>
    sendFile<ImportReport>(m(id, `/people/import?preview=${preview}`), csv, "text/csv"),

  previewAgenda: (file: File, format: "ics" | "indico") =>
    sendFile<AgendaPreview>(
      `/api/meetings/import/preview?format=${format}`,
      file,
      format === "ics" ? "text/calendar" : "application/json",
    ),
  importAgenda: (draft: MeetingDraft, source: "ics" | "indico") =>
    request<SetupMeeting>(`/api/meetings/import?source=${source}`, { method: "POST", body: draft }),
};
