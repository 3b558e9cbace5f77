// The editor's Export menu (secretariat and chair): format, version (the live text or a named
// checkpoint) and the provenance annex. The download is a plain link to the export URL: the
// join cookie authenticates it and the server names the file (Content-Disposition).

import { request } from "../api";
import { h } from "../dom";
import { type MessageKey, t } from "../i18n";
import { meetingTime } from "./versions";

/** GET /api/documents/{id}/checkpoints (the fields the menu uses). */
interface CheckpointEntry {
  id: number;
  name: string;
  created_at: string;
}

const FORMATS: [string, MessageKey][] = [
  ["docx", "export.docx"],
  ["pdf", "export.pdf"],
  ["html", "export.html"],
  ["md", "export.md"],
];

/** The export URL for these choices. */
export function exportUrl(documentId: number, format: string, checkpoint: string, annex: boolean): string {
  const params = new URLSearchParams({ format });
  if (checkpoint) params.set("checkpoint", checkpoint);
  if (annex) params.set("annex", "provenance");
  return `/api/documents/${documentId}/export?${params.toString()}`;
}


/** The Export menu: a disclosure with the choices and a download link. */
export function exportMenu(documentId: number, timeZone: string): HTMLElement {
  const format = h(
    "select",
    { class: "input export-format", attrs: { "aria-label": t("export.format") } },
    ...FORMATS.map(([value, label]) => h("option", { attrs: { value }, text: t(label) })),
  );
  const version = h(
    "select",
    { class: "input export-version", attrs: { "aria-label": t("export.version") } },
    h("option", { attrs: { value: "" }, text: t("export.live") }),
  );
  const annex = h("input", { class: "export-annex", attrs: { type: "checkbox" } });
  const download = h("a", { class: "button export-download", attrs: { download: "" }, text: t("export.download") });
  const note = h("p", { class: "export-note", attrs: { role: "status" } });
  const update = (): void => {
    download.href = exportUrl(documentId, format.value, version.value, annex.checked);
  };
  for (const field of [format, version, annex]) field.addEventListener("change", update);
  update();

  const menu = h(
    "details",
    { class: "export-menu" },
    h("summary", { class: "tool", text: t("export.menu") }),
    h(
      "div",
      { class: "export-panel" },
      h("label", { class: "export-field" }, t("export.formatLabel"), format),
      h("label", { class: "export-field" }, t("export.versionLabel"), version),
      h("label", { class: "export-field" }, annex, t("export.annex")),
      download,
      note,
    ),
  );
  let loaded = false;
  menu.addEventListener("toggle", () => {
    if (!menu.open || loaded) return;
    loaded = true;
    request<CheckpointEntry[]>(`/api/documents/${documentId}/checkpoints`)
      .then((checkpoints) => {
        for (const cp of checkpoints) {
          version.append(h("option", { attrs: { value: String(cp.id) }, text: t("export.checkpoint", { name: cp.name, when: meetingTime(cp.created_at, timeZone) }) }));
        }
      })
      .catch(() => {
        loaded = false;
        note.textContent = t("export.noCheckpoints");
      });
  });
  return menu;
}
