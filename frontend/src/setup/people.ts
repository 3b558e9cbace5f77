// The people of the meeting: a table (name, role, group, e-mail, language, links) with add,
// edit and delete; links per person (issue — shown once, with Copy —, set expiry, revoke);
// CSV import with a preview of the unusable rows and why; join cards for the people ticked.

import { h, replaceChildren } from "../dom";
import { zoneName } from "../agenda";
import { meetingTime } from "../closing/versions";
import { type MessageKey, t, tBdi, wallTimeToIso } from "../i18n";
import { downloadCards } from "../joining/api";
import { autoDir } from "../render";
import { roleName } from "../shell";
import type { BreakoutGroup } from "../types";
import { type IssuedLink, PERSON_ROLES, type Person, type PersonFields, type PersonRole, setupApi } from "./api";
import { Form, type LiveStatus, button, describe, input, select } from "./forms";


function personForm(groups: BreakoutGroup[], person: Person | null, save: (f: PersonFields, changed: Partial<PersonFields>) => Promise<void>): Form {
  const form = new Form({
    submit: person ? t("people.save") : t("people.add"),
    label: person ? t("people.editLabel", { name: person.name }) : t("people.addLabel"),
    className: "person-form",
    detailFields: [
      [/breakout group|group_code/i, "group_code"],
      [/e-mail/i, "email"],
    ],
  });
  form.add("name", t("field.name"), input({ maxlength: "120", required: "" })).value = person?.name ?? "";
  const roles = PERSON_ROLES.map((role): [string, string] => [role, roleName(role)]);
  form.add("role", t("field.role"), select(roles, person?.role ?? "participant"));
  const codes = groups.map((g): [string, string] => [g.code, `${g.code} — ${g.name}`]);
  form.add("group_code", t("field.groupShort"), select([["", t("field.none")], ...codes], person?.group_code ?? ""));
  form.add("email", t("field.email"), input({ type: "email", dir: "ltr", maxlength: "254" })).value = person?.email ?? "";
  const language = input({ dir: "ltr", maxlength: "35", placeholder: "ar" });
  form.add("language", t("field.language"), language).value = person?.language ?? "";
  form.onEdit((): PersonFields => ({
    name: form.value("name"),
    role: form.value("role") as PersonRole,
    group_code: form.value("group_code") || null,
    email: form.value("email") || null,
    language: form.value("language") || null,
  }), save);
  return form;
}

/** The link just issued: shown this once (the server keeps only its hash), with Copy. */
function issuedBox(person: Person, link: IssuedLink, status: LiveStatus): HTMLElement {
  const url = input({ readonly: "", dir: "ltr", class: "input issued-url" });
  url.value = link.url;
  url.setAttribute("aria-label", t("people.linkOf", { name: person.name }));
  const copy = button(t("people.copyLink"), "issued-copy");
  copy.addEventListener("click", () => {
    url.select();
    const done = (): void => status.say(tBdi("people.copied", { name: person.name }));
    if (navigator.clipboard) {
      navigator.clipboard.writeText(link.url).then(done, () => {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  return h(
    "div",
    { class: "issued-link", attrs: { role: "group", "aria-label": t("people.newLinkOf", { name: person.name }) } },
    h("p", { class: "issued-note", text: t("people.shownOnce") }),
    url,
    copy,
  );
}

/** `timeZone()`: the meeting's zone; link times are shown and typed on the meeting's clock. */
export function peopleEditor(meetingId: number, status: LiveStatus, groups: () => BreakoutGroup[], timeZone: () => string) {
  const when = (iso: string | null): string => (iso ? meetingTime(iso, timeZone()) : "");
  let people: Person[] = [];
  const selected = new Set<number>();
  const issued = new Map<number, IssuedLink>();
  const body = h("tbody");
  const table = h(
    "table",
    { class: "setup-table people-table" },
    h("caption", { text: t("people.caption") }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(
          [
            "people.cards",
            "field.name",
            "field.role",
            "field.groupShort",
            "field.email",
            "field.language",
            "people.links",
            "people.actions",
          ] as MessageKey[]
        ).map((key) => h("th", { attrs: { scope: "col" }, text: t(key) })),
      ),
    ),
    body,
  );

  async function load(): Promise<void> {
    people = await setupApi.people(meetingId);
    for (const id of [...selected]) if (!people.some((p) => p.id === id)) selected.delete(id);
    render();
  }

  function linkCell(person: Person): HTMLElement {
    const cell = h("div", { class: "link-cell" });
    const fresh = issued.get(person.id);
    if (fresh) cell.append(issuedBox(person, fresh, status));
    const list = h("ul", { class: "link-list" });
    for (const link of person.links) {
      const state = link.revoked_at
        ? t("people.revokedAt", { when: when(link.revoked_at) })
        : link.active
          ? t("people.expiresAt", { when: when(link.expires_at) })
          : t("people.expiredAt", { when: when(link.expires_at) });
      const li = h("li", { class: `link-row ${link.active ? "is-active" : "is-ended"}`, attrs: { "data-link-prefix": link.prefix } }, h("code", { text: `${link.prefix}…` }), " ", h("span", { class: "link-state", text: state }));
      if (link.active) {
        const expiry = input({ type: "datetime-local", class: "input link-expiry" });
        expiry.setAttribute("aria-label", t("people.newExpiry", { prefix: link.prefix }));
        expiry.title = zoneName(timeZone());
        const setExpiry = button(t("people.setExpiry"), "link-expire");
        setExpiry.addEventListener("click", () => {
          if (!expiry.value) {
            expiry.focus();
            status.say(t("people.chooseExpiry"));
            return;
          }
          const at = wallTimeToIso(expiry.value, timeZone());
          if (!at) {
            expiry.focus();
            status.say(t("people.chooseExpiry"));
            return;
          }
          setExpiry.disabled = true;
          setupApi
            .expireLink(meetingId, person.id, link.id, at)
            .then(async () => {
              await load();
              status.say(tBdi("people.expirySet", { prefix: link.prefix, name: person.name }));
            })
            .catch((err: unknown) => {
              setExpiry.disabled = false;
              status.say(describe(err));
            });
        });
        const revoke = button(t("people.revoke"), "link-revoke button-danger");
        revoke.setAttribute("aria-label", t("people.revokeLabel", { prefix: link.prefix, name: person.name }));
        revoke.addEventListener("click", () => {
          revoke.disabled = true;
          setupApi
            .revokeLink(meetingId, person.id, link.id)
            .then(async () => {
              if (issued.get(person.id)?.id === link.id) issued.delete(person.id);
              await load();
              status.say(tBdi("people.revoked", { prefix: link.prefix, name: person.name }));
            })
            .catch((err: unknown) => {
              revoke.disabled = false;
              status.say(describe(err));
            });
        });
        li.append(" ", expiry, setExpiry, revoke);
      }
      list.append(li);
    }
    if (person.links.length) cell.append(list);
    return cell;
  }

  function row(person: Person): HTMLElement {
    const tr = h("tr", { class: "person-row", attrs: { "data-person-id": String(person.id) } });
    const tick = h("input", { attrs: { type: "checkbox", "aria-label": t("people.printFor", { name: person.name }) } });
    tick.checked = selected.has(person.id);
    tick.addEventListener("change", () => {
      if (tick.checked) selected.add(person.id);
      else selected.delete(person.id);
      renderCount();
    });
    const edit = button(t("action.edit"), "person-edit");
    const remove = button(t("action.delete"), "person-delete button-danger");
    const issue = button(t("people.issue"), "person-issue");
    edit.setAttribute("aria-label", t("people.editLabel", { name: person.name }));
    remove.setAttribute("aria-label", t("people.deleteLabel", { name: person.name }));
    issue.setAttribute("aria-label", t("people.issueLabel", { name: person.name }));
    issue.addEventListener("click", () => {
      issue.disabled = true;
      setupApi
        .issueLink(meetingId, person.id)
        .then(async (link) => {
          issued.set(person.id, link);
          await load();
          status.say(tBdi("people.issued", { name: person.name }));
          body.querySelector<HTMLElement>(`[data-person-id="${person.id}"] .issued-copy`)?.focus();
        })
        .catch((err: unknown) => {
          issue.disabled = false;
          status.say(describe(err));
        });
    });
    edit.addEventListener("click", () => {
      const form = personForm(groups(), person, async (_fields, changed) => {
        const saved = await setupApi.updatePerson(meetingId, person.id, changed);
        await load();
        status.say(tBdi("people.saved", { name: saved.name }));
      });
      const cancel = button(t("action.cancel"));
      cancel.addEventListener("click", render);
      form.actions.append(cancel);
      replaceChildren(tr, h("td", { attrs: { colspan: "8" } }, form.el));
      form.el.querySelector<HTMLElement>("input")?.focus();
    });
    remove.addEventListener("click", () => {
      if (!window.confirm(t("people.removeConfirm", { name: person.name }))) return;
      remove.disabled = true;
      setupApi
        .deletePerson(meetingId, person.id)
        .then(async () => {
          await load();
          status.say(tBdi("people.removed", { name: person.name }));
        })
        .catch((err: unknown) => {
          remove.disabled = false;
          status.say(describe(err));
        });
    });
    tr.append(
      h("td", {}, tick),
      h("td", {}, autoDir("span", person.name, "person-name")),
      h("td", { text: roleName(person.role) }),
      h("td", { text: person.group_code ?? "" }),
      h("td", {}, autoDir("span", person.email ?? "")),
      h("td", { text: person.language ?? "" }),
      h("td", {}, linkCell(person)),
      h("td", {}, h("span", { class: "row-actions" }, issue, edit, remove)),
    );
    return tr;
  }

  const count = h("span", { class: "cards-count", attrs: { "aria-live": "polite" } });
  const print = button(t("people.print"), "people-print");
  const selectAll = button(t("people.selectAll"), "people-select-all");
  function renderCount(): void {
    count.textContent = t("people.selected", { count: selected.size });
    print.disabled = selected.size === 0;
  }
  function render(): void {
    if (!people.length) {
      replaceChildren(body, h("tr", {}, h("td", { attrs: { colspan: "8" }, class: "muted", text: t("people.empty") })));
    } else {
      replaceChildren(body, ...people.map(row));
    }
    renderCount();
  }
  selectAll.addEventListener("click", () => {
    for (const person of people) if (person.role !== "projector") selected.add(person.id);
    render();
  });
  print.addEventListener("click", () => {
    print.disabled = true;
    status.say(t("joining.making"));
    downloadCards(meetingId, { participant_ids: [...selected] })
      .then(async (name) => {
        await load();
        status.say(t("people.cardsSaved", { name, count: selected.size }));
      })
      .catch((err: unknown) => status.say(describe(err)))
      .finally(renderCount);
  });

  const makeAdd = (): Form => {
    const form = personForm(groups(), null, async (fields) => {
      const person = await setupApi.addPerson(meetingId, fields);
      form.reset();
      await load();
      status.say(tBdi("people.added", { name: person.name }));
    });
    return form;
  };
  let add = makeAdd();
  const addBox = h("details", { class: "tool-box" }, h("summary", { text: t("people.addLabel") }), add.el);

  const el = h(
    "section",
    { class: "setup-part setup-people", attrs: { "aria-labelledby": "setup-people-title" } },
    h("h2", { attrs: { id: "setup-people-title" }, text: t("people.title") }),
    h("p", { class: "people-tools" }, selectAll, print, count),
    h("div", { class: "table-scroll" }, table),
    addBox,
    csvImport(meetingId, status, load),
  );
  return {
    el,
    load,
    /** Groups changed: the add form's group list follows (an empty form only: nothing typed is lost). */
    regroup(): void {
      if (add.value("name")) return;
      const next = makeAdd();
      addBox.replaceChild(next.el, add.el);
      add = next;
    },
  };
}

function csvImport(meetingId: number, status: LiveStatus, done: () => Promise<void>): HTMLElement {
  const result = h("div", { class: "csv-result" });
  const form = new Form({
    submit: t("import.previewButton"),
    busy: t("people.checking"),
    label: t("people.csvTitle"),
    className: "csv-form",
  });
  const file = form.add("file", t("people.csvFile"), h("input", { attrs: { type: "file", accept: ".csv,text/csv" } }));
  const text = form.add(
    "csv",
    t("people.csvPaste"),
    h("textarea", { class: "input", attrs: { rows: "5", dir: "auto", spellcheck: "false" } }),
    t("people.csvHint"),
  );
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (chosen) void chosen.text().then((content) => (text.value = content));
  });
  form.onSubmit(async () => {
    const csv = text.value;
    if (!csv.trim()) throw new Error(t("people.csvNothing"));
    const report = await setupApi.importPeople(meetingId, csv, true);
    const createText = t("people.csvCreate", { count: report.usable.length });
    const create = button(createText, "button-primary csv-create");
    create.disabled = report.usable.length === 0;
    create.addEventListener("click", () => {
      create.disabled = true;
      create.textContent = t("home.creating");
      setupApi
        .importPeople(meetingId, csv, false)
        .then(async (made) => {
          status.say(t("people.csvCreated", { count: made.created.length, rejected: made.rejected.length }));
          replaceChildren(result);
          form.reset();
          await done();
        })
        .catch((err: unknown) => {
          create.disabled = false;
          create.textContent = createText;
          form.showError(err);
        });
    });
    replaceChildren(
      result,
      h("p", { class: "csv-summary", text: t("people.csvSummary", { count: report.usable.length, rejected: report.rejected.length }) }),
      report.rejected.length
        ? h(
            "table",
            { class: "setup-table csv-rejected" },
            h("caption", { text: t("people.csvRejected") }),
            h("thead", {}, h("tr", {}, ...(["people.line", "field.name", "people.why"] as MessageKey[]).map((key) => h("th", { attrs: { scope: "col" }, text: t(key) })))),
            h(
              "tbody",
              {},
              ...report.rejected.map((r) =>
                h("tr", {}, h("td", { text: String(r.line) }), h("td", {}, autoDir("span", r.values["name"] ?? "")), h("td", { text: r.reason })),
              ),
            ),
          )
        : null,
      h(
        "table",
        { class: "setup-table csv-usable" },
        h("caption", { text: t("people.csvUsable") }),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...(
              ["people.line", "field.name", "field.role", "field.groupShort", "field.email", "field.language"] as MessageKey[]
            ).map((key) => h("th", { attrs: { scope: "col" }, text: t(key) })),
          ),
        ),
        h(
          "tbody",
          {},
          ...report.usable.map((r) =>
            h(
              "tr",
              {},
              h("td", { text: String(r.line) }),
              h("td", {}, autoDir("span", r.name)),
              h("td", { text: roleName(r.role) }),
              h("td", { text: r.group_code ?? "" }),
              h("td", {}, autoDir("span", r.email ?? "")),
              h("td", { text: r.language ?? "" }),
            ),
          ),
        ),
      ),
      h("p", {}, create),
    );
    status.say(t("people.csvSummary", { count: report.usable.length, rejected: report.rejected.length }));
  });
  return h("details", { class: "tool-box csv-box" }, h("summary", { text: t("people.csvTitle") }), form.el, result);
}
