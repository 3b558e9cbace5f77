// Import an agenda file (.ics or an Indico timetable JSON): the server reads it into a draft
// (POST /api/meetings/import/preview), the organiser checks it here — the agenda with its
// kinds editable, the groups, the sections it will create, what could not be mapped and why —
// and Create sends the edited draft (POST /api/meetings/import).

import { h, replaceChildren } from "../dom";
import { t, tBdi } from "../i18n";
import { autoDir } from "../render";
import type { AgendaKind } from "../types";
import { KIND_KEY } from "./agenda";
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
  const form = new Form({ submit: t("home.create"), busy: t("home.creating"), label: t("import.meeting") });
  form.add("title", t("field.title"), input({ maxlength: "300" })).value = draft.title;
  form.add("date", t("field.date"), input({ type: "date" })).value = draft.date;
  form.add("venue", t("field.venue"), input({ maxlength: "300" })).value = draft.venue;
  form.add("time_zone", t("field.timeZone"), input({ list: "time-zones", dir: "ltr" })).value = draft.time_zone;
  const sectionTitle = new Map(draft.sections.map((s) => [s.key, s.title]));
  const kinds = draft.agenda.map((item, index) => {
    const kind = select(
      AGENDA_KINDS.map((k): [string, string] => [k, t(KIND_KEY[k])]),
      item.kind,
    );
    kind.id = uid("import-kind");
    kind.setAttribute("aria-label", t("import.kindOf", { title: item.title }));
    kind.dataset["index"] = String(index);
    return kind;
  });
  const agenda = table(
    t("import.agendaCaption", { count: draft.agenda.length, date: formatDay(draft.date), zone: draft.time_zone }),
    [t("field.time"), t("field.title"), t("field.kind"), t("field.groupShort"), t("field.section")],
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
        t("structure.groups"),
        [t("field.code"), t("field.name"), t("field.facilitator")],
        draft.groups.map((g) => [g.code, autoDir("span", g.name), autoDir("span", g.facilitator)]),
      )
    : h("p", { class: "muted", text: t("import.noGroups") });
  const sections = h(
    "div",
    { class: "import-sections" },
    h("h4", { text: t("import.sections", { count: draft.sections.length }) }),
    h("ol", {}, ...draft.sections.map((s) => autoDir("li", s.title))),
  );
  const unmapped = h(
    "div",
    { class: "import-unmapped" },
    h("h4", { text: t("import.unmapped", { count: preview.unmapped.length }) }),
    preview.unmapped.length
      ? h(
          "ul",
          {},
          ...preview.unmapped.map((u) =>
            h("li", {}, autoDir("span", u.entry, "unmapped-entry"), " — ", h("span", { class: "unmapped-reason", text: u.reason })),
          ),
        )
      : h("p", { class: "muted", text: t("import.allMapped") }),
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
    status.say(tBdi("import.created", { title: meeting.title, source: preview.source }));
  });
  return h(
    "div",
    { class: "import-preview", attrs: { "aria-label": t("import.preview") } },
    form.el,
    agenda,
    groups,
    sections,
    unmapped,
  );
}

export function importPanel(status: LiveStatus, done: () => Promise<void>): HTMLElement {
  const result = h("div", { class: "import-result" });
  const form = new Form({ submit: t("import.previewButton"), busy: t("import.reading"), label: t("import.title") });
  const accept = ".ics,.json,text/calendar,application/json";
  const file = form.add("file", t("import.file"), h("input", { attrs: { type: "file", accept } }));
  const formats: [string, string][] = [["", t("import.fromName")], ["ics", t("import.ics")], ["indico", t("import.indico")]];
  const format = form.add("format", t("import.format"), select(formats));
  form.onSubmit(async () => {
    const chosen = file.files?.[0];
    if (!chosen) throw new Error(t("import.chooseFile"));
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
    status.say(t("import.read", { count: preview.draft.agenda.length, unmapped: preview.unmapped.length }));
  });
  const cancel = button(t("import.clear"));
  cancel.addEventListener("click", () => replaceChildren(result));
  form.actions.append(cancel);
  return h("details", { class: "tool-box import-box" }, h("summary", { text: t("import.title") }), form.el, result);
}
