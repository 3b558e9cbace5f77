// The secretariat's two forms above and below the sections: save a named checkpoint of the
// whole document (every section's version) and add a section at the end.

import { ApiError, api } from "../api";
import { h } from "../dom";
import { t, tBdi } from "../i18n";
import { button, describe } from "./controls";

export function checkpointForm(documentId: number, notify: (text: string | Node[]) => void): HTMLFormElement {
  const name = h("input", {
    class: "input checkpoint-name",
    attrs: { type: "text", placeholder: t("doc.checkpointName"), "aria-label": t("doc.checkpointName"), maxlength: "200" },
  });
  const save = button(t("versions.save"), "checkpoint-save");
  const form = h("form", { class: "checkpoint" }, name, save);
  form.addEventListener("submit", (event) => event.preventDefault());
  save.addEventListener("click", () => {
    const value = name.value.trim();
    if (!value) {
      name.focus();
      return;
    }
    save.disabled = true;
    api
      .checkpoint(documentId, value)
      .then(() => {
        name.value = "";
        notify(tBdi("versions.saved", { name: value }));
      })
      .catch((err: unknown) =>
        notify(
          err instanceof ApiError && err.status === 404
            ? t("doc.noCheckpoints")
            : describe(err),
        ),
      )
      .finally(() => {
        save.disabled = false;
      });
  });
  return form;
}

/** `added(id)`: the new section exists (the page moves the keyboard into its text). */
export function addSectionForm(
  documentId: number,
  notify: (text: string | Node[]) => void,
  added: (sectionId: number) => void = () => {},
): HTMLFormElement {
  const newTitle = h("input", {
    class: "input add-section-title",
    attrs: { type: "text", placeholder: t("doc.newSectionTitle"), "aria-label": t("doc.newSectionTitle"), maxlength: "200" },
  });
  const add = button(t("structure.addSection"), "add-section");
  const addForm = h("form", { class: "add-section-form" }, newTitle, add);
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = newTitle.value.trim();
    if (!value) return;
    add.disabled = true;
    api
      .addSection(documentId, value)
      .then((section) => {
        newTitle.value = "";
        added(section.id);
      })
      .catch((err: unknown) => notify(describe(err)))
      .finally(() => {
        add.disabled = false;
      });
  });
  add.type = "submit";
  return addForm;
}
