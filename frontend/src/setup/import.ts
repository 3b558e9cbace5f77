// Import an agenda file (.ics or an Indico timetable JSON): the server reads it into a draft
// (POST /api/meetings/import/preview), the organiser checks it here — the agenda with its
// kinds editable, the groups, the sections it will create, what could not be mapped and why —
// and Create sends the edited draft (POST /api/meetings/import).

import { h, replaceChildren } from "../dom";
import { autoDir } from "../render";
import type { AgendaKind } from "../types";
import { AGENDA_KINDS, type AgendaPreview, setupApi } from "./api";
import { Form, type LiveStatus, button, formatDay, hhmm, input, select, uid } from "./forms";

function formatOf(file: File): "ics" | "indico" {
  return /\.json$/i.test(file.name) || file.type === "application/json" ? "indico" : "ics";
}

function table(caption: string, heads: string[], rows: (Node | string)[][]): HTMLTableElement {
  return h(
    "table",
    { class: "setup-table" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, ...heads.map((text) => h("th", { attrs: { scope: "col" }, text })))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((cell) => h("td", {}, cell))))),
  );
}

function previewView(preview: AgendaPreview, status: LiveStatus, done: () => Promise<void>): HTMLElement {
  const { draft } = preview;
  const form = new Form({ submit: "Create meeting", busy: "Creating…", label: "Imported meeting" });
  form.add("title", "Title", input({ maxlength: "300" })).value = draft.title;
  form.add("date", "Date", input({ type: "date" })).value = draft.date;
  form.add("venue", "Venue", input({ maxlength: "300" })).value = draft.venue;
  form.add("time_zone", "Time zone", input({ list: "time-zones", dir: "ltr" })).value = draft.time_zone;
  const sectionTitle = new Map(draft.sections.map((s) => [s.key, s.title]));
  const kinds = draft.agenda.map((item, index) => {
    const kind = select(AGENDA_KINDS, item.kind);
    kind.id = uid("import-kind");
    kind.setAttribute("aria-label", `Kind of “${item.title}”`);
    kind.dataset["index"] = String(index);
    return kind;
  });
  const agenda = table(
    `Agenda: ${draft.agenda.length} items on ${formatDay(draft.date)} (${draft.time_zone})`,
    ["Time", "Title", "Kind", "Group", "Section"],
    draft.agenda.map((item, index) => [
      `${hhmm(item.start)}–${hhmm(item.end)}`,
      autoDir("span", item.title),
      kinds[index] ?? "",
      item.group_code ?? "",
      autoDir("span", item.section_key ? (sectionTitle.get(item.section_key) ?? "") : ""),
    ]),
  );
  const groups = draft.groups.length
    ? table(
        "Breakout groups",
        ["Code", "Name", "Facilitator"],
        draft.groups.map((g) => [g.code, autoDir("span", g.name), autoDir("span", g.facilitator)]),
      )
    : h("p", { class: "muted", text: "No breakout groups found." });
  const sections = h(
    "div",
    { class: "import-sections" },
    h("h4", { text: `Sections to create (${draft.sections.length})` }),
    h("ol", {}, ...draft.sections.map((s) => autoDir("li", s.title))),
  );
  const unmapped = h(
    "div",
    { class: "import-unmapped" },
    h("h4", { text: `Not imported (${preview.unmapped.length})` }),
    preview.unmapped.length
      ? h(
          "ul",
          {},
          ...preview.unmapped.map((u) =>
            h("li", {}, autoDir("span", u.entry, "unmapped-entry"), " — ", h("span", { class: "unmapped-reason", text: u.reason })),
          ),
        )
      : h("p", { class: "muted", text: "Everything in the file was mapped." }),
  );
  form.onSubmit(async () => {
    const edited = {
      ...draft,
      title: form.value("title"),
      date: form.value("date"),
      venue: form.value("venue"),
      time_zone: form.value("time_zone"),
      agenda: draft.agenda.map((item, index) => ({ ...item, kind: (kinds[index]?.value ?? item.kind) as AgendaKind })),
    };
    const meeting = await setupApi.importAgenda(edited, preview.source);
    await done();
    status.say(`Created “${meeting.title}” from the ${preview.source === "ics" ? "calendar" : "Indico"} file.`);
  });
  return h(
    "div",
    { class: "import-preview", attrs: { "aria-label": "Import preview" } },
    form.el,
    agenda,
    groups,
    sections,
    unmapped,
  );
}

export function importPanel(status: LiveStatus, done: () => Promise<void>): HTMLElement {
  const result = h("div", { class: "import-result" });
  const form = new Form({ submit: "Preview", busy: "Reading the file…", label: "Import an agenda file" });
  const file = form.add("file", "Agenda file (.ics or Indico JSON)", h("input", { attrs: { type: "file", accept: ".ics,.json,text/calendar,application/json" } }));
  const format = form.add("format", "Format", select([["", "From the file name"], ["ics", "iCalendar (.ics)"], ["indico", "Indico timetable (JSON)"]]));
  form.onSubmit(async () => {
    const chosen = file.files?.[0];
    if (!chosen) throw new Error("Choose a file first.");
    const kind = (format.value || formatOf(chosen)) as "ics" | "indico";
    const preview = await setupApi.previewAgenda(chosen, kind);
    replaceChildren(
      result,
      previewView(preview, status, async () => {
        replaceChildren(result);
        form.reset();
        await done();
      }),
    );
    status.say(`Read ${preview.draft.agenda.length} agenda items; ${preview.unmapped.length} not imported.`);
  });
  const cancel = button("Clear preview");
  cancel.addEventListener("click", () => replaceChildren(result));
  form.actions.append(cancel);
  return h("details", { class: "tool-box import-box" }, h("summary", { text: "Import an agenda file" }), form.el, result);
}
