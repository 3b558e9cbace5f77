// Breakout groups (code, name, facilitator) and the document's sections (add, rename, delete
// an empty draft, one per agenda item that has none) on the setup page.

import { append, h, replaceChildren } from "../dom";
import { t, tBdi } from "../i18n";
import { autoDir } from "../render";
import { statusLabel } from "../sections";
import type { AgendaItem, BreakoutGroup, Section } from "../types";
import { setupApi } from "./api";
import { Form, type LiveStatus, button, describe, input } from "./forms";

function groupForm(group: BreakoutGroup | null, save: (g: BreakoutGroup, changed: Partial<BreakoutGroup>) => Promise<void>): Form {
  const form = new Form({
    submit: group ? t("structure.saveGroup") : t("structure.addGroup"),
    label: group ? t("structure.editGroup", { group: group.code }) : t("structure.addGroupLabel"),
    className: "group-form",
    detailFields: [[/code|already has a group/i, "code"]],
    codeFields: { conflict: "code" },
  });
  form.add("code", t("structure.code"), input({ maxlength: "1", required: "", dir: "ltr", autocapitalize: "characters" })).value = group?.code ?? "";
  form.add("name", t("field.name"), input({ maxlength: "300", required: "" })).value = group?.name ?? "";
  form.add("facilitator", t("field.facilitator"), input({ maxlength: "300" })).value = group?.facilitator ?? "";
  form.onEdit(
    (): BreakoutGroup => ({ code: form.value("code").toUpperCase(), name: form.value("name"), facilitator: form.value("facilitator") }),
    save,
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
    status.say(tBdi("structure.groupAdded", { group: created.code, name: created.name }));
  });

  function row(group: BreakoutGroup): HTMLElement {
    const li = h("li", { class: "group-row", attrs: { "data-group": group.code } });
    const edit = button(t("action.edit"), "group-edit");
    const remove = button(t("action.delete"), "group-delete button-danger");
    edit.setAttribute("aria-label", t("structure.editGroup", { group: group.code }));
    remove.setAttribute("aria-label", t("structure.deleteGroup", { group: group.code }));
    edit.addEventListener("click", () => {
      const form = groupForm(group, async (_next, fields) => {
        const saved = await setupApi.updateGroup(meetingId, group.code, fields);
        await changed();
        status.say(t("structure.groupSaved", { group: saved.code }));
      });
      const cancel = button(t("action.cancel"));
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
          status.say(t("structure.groupDeleted", { group: group.code }));
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
    if (!groups.length) replaceChildren(list, h("li", { class: "muted", text: t("structure.noGroups") }));
    else replaceChildren(list, ...groups.map(row));
  }

  const el = h(
    "section",
    { class: "setup-part setup-groups", attrs: { "aria-labelledby": "setup-groups-title" } },
    h("h2", { attrs: { id: "setup-groups-title" }, text: t("structure.groups") }),
    list,
    h("details", { class: "tool-box" }, h("summary", { text: t("structure.addGroupLabel") }), add.el),
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
  const add = new Form({ submit: t("structure.addSection"), label: t("structure.addSectionLabel"), className: "section-form" });
  add.add("title", t("structure.sectionTitle"), input({ maxlength: "300", required: "" }));
  add.onSubmit(async () => {
    const created = await setupApi.addSection(documentId, add.value("title"));
    add.reset();
    await changed();
    status.say(tBdi("structure.sectionAdded", { title: created.title }));
  });
  const generate = button(t("structure.generate"), "sections-generate");
  generate.addEventListener("click", () => {
    const missing = agenda().filter((item) => item.section_id === null && item.kind !== "break");
    if (!missing.length) {
      status.say(t("structure.allHaveSections"));
      return;
    }
    generate.disabled = true;
    (async () => {
      for (const item of missing) {
        const section = await setupApi.addSection(documentId, item.title);
        await setupApi.updateItem(meetingId, item.id, { section_id: section.id });
      }
      await changed();
      status.say(t("structure.generated", { count: missing.length }));
    })()
      .catch((err: unknown) => status.say(describe(err)))
      .finally(() => {
        generate.disabled = false;
      });
  });

  function row(section: Section): HTMLElement {
    const form = new Form({
      submit: t("structure.rename"),
      label: t("structure.sectionLabel", { title: section.title }),
      className: "section-rename",
    });
    const title = form.add("title", t("field.title"), input({ maxlength: "300" }));
    title.value = section.title;
    form.onSubmit(async () => {
      const saved = await setupApi.renameSection(documentId, section, form.value("title"));
      await changed();
      status.say(tBdi("structure.renamed", { title: saved.title }));
    });
    const remove = button(t("action.delete"), "section-delete button-danger");
    remove.setAttribute("aria-label", t("structure.deleteSection", { title: section.title }));
    remove.hidden = section.status !== "draft";
    remove.addEventListener("click", () => {
      remove.disabled = true;
      setupApi
        .deleteSection(documentId, section.id)
        .then(async () => {
          await changed();
          status.say(tBdi("structure.sectionDeleted", { title: section.title }));
        })
        .catch((err: unknown) => {
          remove.disabled = false;
          form.showError(err);
        });
    });
    form.actions.append(remove, h("span", { class: "badge", text: statusLabel(section.status) }));
    return h("li", { class: "section-row", attrs: { "data-section-id": String(section.id) } }, form.el);
  }

  function render(sections: Section[]): void {
    if (!sections.length) replaceChildren(list, h("li", { class: "muted", text: t("structure.noSections") }));
    else replaceChildren(list, ...sections.map(row));
  }

  const el = h(
    "section",
    { class: "setup-part setup-sections", attrs: { "aria-labelledby": "setup-sections-title" } },
    h("h2", { attrs: { id: "setup-sections-title" }, text: t("structure.sections") }),
    list,
    h("p", {}, generate),
    h("details", { class: "tool-box" }, h("summary", { text: t("structure.addSectionLabel") }), add.el),
  );
  return { el, render };
}
