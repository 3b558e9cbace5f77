// The document room's structure: the server-owned `sections` Y.Map (docs/protocol.md), read
// into plain objects sorted by position. The pages observe it for live add/rename/reorder/status.

import type * as Y from "yjs";

import { type MessageKey, t } from "./i18n";
import type { SectionKind, SectionMeta, SectionStatus } from "./types";

const STATUSES: readonly SectionStatus[] = ["draft", "agreed", "locked"];

function parse(key: string, value: unknown): SectionMeta | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const id = Number(key);
  if (!Number.isInteger(id) || typeof v["title"] !== "string") return null;
  const status = STATUSES.includes(v["status"] as SectionStatus)
    ? (v["status"] as SectionStatus)
    : "draft";
  return {
    id,
    title: v["title"],
    kind: (typeof v["kind"] === "string" ? v["kind"] : "other") as SectionKind,
    status,
    position: typeof v["position"] === "number" ? v["position"] : 0,
    group_code: typeof v["group_code"] === "string" ? v["group_code"] : null,
    version: typeof v["version"] === "number" ? v["version"] : 1,
  };
}

export function readSections(map: Y.Map<unknown>): SectionMeta[] {
  const out: SectionMeta[] = [];
  map.forEach((value, key) => {
    const meta = parse(key, value);
    if (meta) out.push(meta);
  });
  return out.sort((a, b) => a.position - b.position || a.id - b.id);
}

const STATUS_KEY: Record<SectionStatus, MessageKey> = {
  draft: "section.status.draft",
  agreed: "section.status.agreed",
  locked: "section.status.locked",
};

export function statusLabel(status: SectionStatus): string {
  return t(STATUS_KEY[status]);
}

/** The labels by status, read in the interface language when used. */
export const STATUS_LABEL: Readonly<Record<SectionStatus, string>> = {
  get draft() {
    return statusLabel("draft");
  },
  get agreed() {
    return statusLabel("agreed");
  },
  get locked() {
    return statusLabel("locked");
  },
};

export function sectionDomId(id: number): string {
  return `section-${id}`;
}

export function textName(id: number): string {
  return `section:${id}`;
}
