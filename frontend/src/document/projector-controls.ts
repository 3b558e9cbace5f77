// The secretariat's choice of what the room's projectors show: the whole document or only the
// current agenda item's section, and a type-size step for a larger hall. The server keeps it in
// the document room's `projector` map (docs/protocol.md), so the selects follow it live (another
// recorder's choice too) and every projector applies it at once.

import { api } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import type { Room } from "../sync/room";
import { type ProjectorSettings, readProjector } from "../types";
import { describe } from "./controls";

export function projectorControls(
  documentId: number,
  room: Room,
  notify: (text: string | Node[]) => void,
): HTMLElement {
  const map = room.doc.getMap<unknown>("projector");
  const select = (className: string, label: string, options: [string, string][]): HTMLSelectElement => {
    const el = h("select", { class: `input ${className}`, attrs: { "aria-label": label } });
    for (const [value, text] of options) el.append(h("option", { attrs: { value }, text }));
    return el;
  };
  const mode = select("projector-mode", t("projector.mode"), [
    ["document", t("projector.mode.document")],
    ["current", t("projector.mode.current")],
  ]);
  const size = select("projector-size", t("projector.size"), [
    ["0", t("projector.size.0")],
    ["1", t("projector.size.1")],
    ["2", t("projector.size.2")],
    ["3", t("projector.size.3")],
  ]);
  const show = (): void => {
    const settings = readProjector(map);
    mode.value = settings.mode;
    size.value = String(settings.size);
  };
  // One request at a time, in order: two quick changes must not reach the server swapped
  // (the later choice would be undone by the earlier one).
  let queue: Promise<unknown> = Promise.resolve();
  const send = (): void => {
    const settings: ProjectorSettings = {
      mode: mode.value === "current" ? "current" : "document",
      size: Number(size.value) as ProjectorSettings["size"],
    };
    queue = queue
      .then(() => api.setProjector(documentId, settings))
      .catch((err: unknown) => {
        notify(describe(err));
        show();
      });
  };
  mode.addEventListener("change", send);
  size.addEventListener("change", send);
  map.observe(show);
  show();
  return h(
    "div",
    { class: "projector-controls", attrs: { role: "group", "aria-label": t("projector.controls") } },
    h("span", { class: "projector-controls-label", attrs: { "aria-hidden": "true" }, text: t("projector.controls") }),
    mode,
    size,
  );
}
