// Breakout groups (code, name, facilitator) and the document's sections (add, rename, delete
// an empty draft, one per agenda item that has none) on the setup page.

import { append, h, replaceChildren } from "../dom";
import { autoDir } from "../render";
import type { AgendaItem, BreakoutGroup, Section } from "../types";
import { setupApi } from "./api";
import { Form, type LiveStatus, button, describe, input } from "./forms";

function groupForm(group: BreakoutGroup | null, save: (g: BreakoutGroup) => Promise<void>): Form {
  const form = new Form({
    submit: group ? "Save group" : "Add group",
    label: group ? `Edit group ${group.code}` : "Add a breakout group",
    className: "group-form",
    detailFields: [[/code|already has a group/i, "code"]],
    codeFields: { conflict: "code" },
  });
  form.add("code", "Code (one capital letter)", input({ maxlength: "1", required: "", dir: "ltr", autocapitalize: "characters" })).value = group?.code ?? "";
  form.add("name", "Name", input({ maxlength: "300", required: "" })).value = group?.name ?? "";
  form.add("facilitator", "Facilitator", input({ maxlength: "300" })).value = group?.facilitator ?? "";
  form.onSubmit(() =>
    save({ code: form.value("code").toUpperCase(), name: form.value("name"), facilitator: form.value("facilitator") }),
  );
  return form;
}

export function groupsEditor(meetingId: number, status: LiveStatus, changed: () => Promise<void>) {
  let groups: BreakoutGroup[] = [];
  const list = h("ul", { class: "group-list" });
  const add = groupForm(null, async (group) => {
    const created = await setupApi.addGroup(meetingId, group);
    add.reset();
    await changed();
    status.say(`Group ${created.code} “${created.name}” added.`);
  });

  function row(group: BreakoutGroup): HTMLElement {
    const li = h("li", { class: "group-row", attrs: { "data-group": group.code } });
    const edit = button("Edit", "group-edit");
    const remove = button("Delete", "group-delete button-danger");
    edit.setAttribute("aria-label", `Edit group ${group.code}`);
    remove.setAttribute("aria-label", `Delete group ${group.code}`);
    edit.addEventListener("click", () => {
      const form = groupForm(group, async (next) => {
        const saved = await setupApi.updateGroup(meetingId, group.code, next);
        await changed();
        status.say(`Group ${saved.code} saved.`);
      });
      const cancel = button("Cancel");
      cancel.addEventListener("click", () => render(groups));
      form.actions.append(cancel);
      replaceChildren(li, form.el);
    });
    remove.addEventListener("click", () => {
      remove.disabled = true;
      setupApi
        .deleteGroup(meetingId, group.code)
        .then(async () => {
          await changed();
          status.say(`Group ${group.code} deleted.`);
        })
        .catch((err: unknown) => {
          remove.disabled = false;
          status.say(describe(err));
        });
    });
    append(
      li,
      h("span", { class: "group-code", text: group.code }),
      autoDir("span", group.name, "group-row-name"),
      group.facilitator ? autoDir("span", group.facilitator, "muted") : null,
      h("span", { class: "row-actions" }, edit, remove),
    );
    return li;
  }

  function render(next: BreakoutGroup[]): void {
    groups = next;
    if (!groups.length) replaceChildren(list, h("li", { class: "muted", text: "No breakout groups yet." }));
    else replaceChildren(list, ...groups.map(row));
  }

  const el = h(
    "section",
    { class: "setup-part setup-groups", attrs: { "aria-labelledby": "setup-groups-title" } },
    h("h2", { attrs: { id: "setup-groups-title" }, text: "Breakout groups" }),
    list,
    h("details", { class: "tool-box" }, h("summary", { text: "Add a breakout group" }), add.el),
  );
  return { el, render };
}

export function sectionsEditor(
  documentId: number,
  meetingId: number,
  status: LiveStatus,
  agenda: () => AgendaItem[],
  changed: () => Promise<void>,
) {
  const list = h("ol", { class: "section-list" });
  const add = new Form({ submit: "Add section", label: "Add a section", className: "section-form" });
  add.add("title", "Section title", input({ maxlength: "300", required: "" }));
  add.onSubmit(async () => {
    const created = await setupApi.addSection(documentId, add.value("title"));
    add.reset();
    await changed();
    status.say(`Section “${created.title}” added.`);
  });
  const generate = button("Add a section per agenda item without one", "sections-generate");
  generate.addEventListener("click", () => {
    const missing = agenda().filter((item) => item.section_id === null && item.kind !== "break");
    if (!missing.length) {
      status.say("Every agenda item (but the breaks) has its section already.");
      return;
    }
    generate.disabled = true;
    (async () => {
      for (const item of missing) {
        const section = await setupApi.addSection(documentId, item.title);
        await setupApi.updateItem(meetingId, item.id, { section_id: section.id });
      }
      await changed();
      status.say(`${missing.length} sections added from the agenda.`);
    })()
      .catch((err: unknown) => status.say(describe(err)))
      .finally(() => {
        generate.disabled = false;
      });
  });

  function row(section: Section): HTMLElement {
    const form = new Form({ submit: "Rename", label: `Section ${section.title}`, className: "section-rename" });
    const title = form.add("title", "Title", input({ maxlength: "300" }));
    title.value = section.title;
    form.onSubmit(async () => {
      const saved = await setupApi.renameSection(documentId, section, form.value("title"));
      await changed();
      status.say(`Section renamed “${saved.title}”.`);
    });
    const remove = button("Delete", "section-delete button-danger");
    remove.setAttribute("aria-label", `Delete section ${section.title}`);
    remove.hidden = section.status !== "draft";
    remove.addEventListener("click", () => {
      remove.disabled = true;
      setupApi
        .deleteSection(documentId, section.id)
        .then(async () => {
          await changed();
          status.say(`Section “${section.title}” deleted.`);
        })
        .catch((err: unknown) => {
          remove.disabled = false;
          form.showError(err);
        });
    });
    form.actions.append(remove, h("span", { class: "badge", text: section.status }));
    return h("li", { class: "section-row", attrs: { "data-section-id": String(section.id) } }, form.el);
  }

  function render(sections: Section[]): void {
    if (!sections.length) replaceChildren(list, h("li", { class: "muted", text: "No sections yet." }));
    else replaceChildren(list, ...sections.map(row));
  }

  const el = h(
    "section",
    { class: "setup-part setup-sections", attrs: { "aria-labelledby": "setup-sections-title" } },
    h("h2", { attrs: { id: "setup-sections-title" }, text: "Sections of the outcome document" }),
    list,
    h("p", {}, generate),
    h("details", { class: "tool-box" }, h("summary", { text: "Add a section" }), add.el),
  );
  return { el, render };
}
