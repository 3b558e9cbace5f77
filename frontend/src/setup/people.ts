// The people of the meeting: a table (name, role, group, e-mail, language, links) with add,
// edit and delete; links per person (issue — shown once, with Copy —, set expiry, revoke);
// CSV import with a preview of the unusable rows and why; join cards for the people ticked.

import { h, replaceChildren } from "../dom";
import { downloadCards } from "../joining/api";
import { autoDir } from "../render";
import type { BreakoutGroup } from "../types";
import { type IssuedLink, PERSON_ROLES, type Person, type PersonFields, type PersonRole, setupApi } from "./api";
import { Form, type LiveStatus, button, describe, input, select } from "./forms";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "";
}

function personForm(groups: BreakoutGroup[], person: Person | null, save: (f: PersonFields) => Promise<void>): Form {
  const form = new Form({
    submit: person ? "Save person" : "Add person",
    label: person ? `Edit ${person.name}` : "Add a person",
    className: "person-form",
    detailFields: [
      [/breakout group|group_code/i, "group_code"],
      [/e-mail/i, "email"],
    ],
  });
  form.add("name", "Name", input({ maxlength: "120", required: "" })).value = person?.name ?? "";
  form.add("role", "Role", select(PERSON_ROLES, person?.role ?? "participant"));
  const codes = groups.map((g): [string, string] => [g.code, `${g.code} — ${g.name}`]);
  form.add("group_code", "Group", select([["", "None"], ...codes], person?.group_code ?? ""));
  form.add("email", "E-mail", input({ type: "email", dir: "ltr", maxlength: "254" })).value = person?.email ?? "";
  form.add("language", "Language", input({ dir: "ltr", maxlength: "35", placeholder: "ar" })).value = person?.language ?? "";
  form.onSubmit(() =>
    save({
      name: form.value("name"),
      role: form.value("role") as PersonRole,
      group_code: form.value("group_code") || null,
      email: form.value("email") || null,
      language: form.value("language") || null,
    }),
  );
  return form;
}

/** The link just issued: shown this once (the server keeps only its hash), with Copy. */
function issuedBox(person: Person, link: IssuedLink, status: LiveStatus): HTMLElement {
  const url = input({ readonly: "", dir: "ltr", class: "input issued-url" });
  url.value = link.url;
  url.setAttribute("aria-label", `Join link of ${person.name}`);
  const copy = button("Copy link", "issued-copy");
  copy.addEventListener("click", () => {
    url.select();
    const done = (): void => status.say(`Join link of ${person.name} copied.`);
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
    { class: "issued-link", attrs: { role: "group", "aria-label": `New join link of ${person.name}` } },
    h("p", { class: "issued-note", text: "Shown only now: copy it and send it to them." }),
    url,
    copy,
  );
}

export function peopleEditor(meetingId: number, status: LiveStatus, groups: () => BreakoutGroup[]) {
  let people: Person[] = [];
  const selected = new Set<number>();
  const issued = new Map<number, IssuedLink>();
  const body = h("tbody");
  const table = h(
    "table",
    { class: "setup-table people-table" },
    h("caption", { text: "People of the meeting" }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Cards", "Name", "Role", "Group", "E-mail", "Language", "Join links", "Actions"].map((text) =>
          h("th", { attrs: { scope: "col" }, text }),
        ),
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
      const state = link.revoked_at ? `revoked ${when(link.revoked_at)}` : link.active ? `expires ${when(link.expires_at)}` : `expired ${when(link.expires_at)}`;
      const li = h("li", { class: `link-row ${link.active ? "is-active" : "is-ended"}`, attrs: { "data-link-prefix": link.prefix } }, h("code", { text: `${link.prefix}…` }), " ", h("span", { class: "link-state", text: state }));
      if (link.active) {
        const expiry = input({ type: "datetime-local", class: "input link-expiry" });
        expiry.setAttribute("aria-label", `New expiry of link ${link.prefix}`);
        const setExpiry = button("Set expiry", "link-expire");
        setExpiry.addEventListener("click", () => {
          if (!expiry.value) {
            expiry.focus();
            status.say("Choose the new expiry first.");
            return;
          }
          setExpiry.disabled = true;
          setupApi
            .expireLink(meetingId, person.id, link.id, new Date(expiry.value).toISOString())
            .then(async () => {
              await load();
              status.say(`Link ${link.prefix}… of ${person.name}: expiry set.`);
            })
            .catch((err: unknown) => {
              setExpiry.disabled = false;
              status.say(describe(err));
            });
        });
        const revoke = button("Revoke", "link-revoke button-danger");
        revoke.setAttribute("aria-label", `Revoke link ${link.prefix} of ${person.name}`);
        revoke.addEventListener("click", () => {
          revoke.disabled = true;
          setupApi
            .revokeLink(meetingId, person.id, link.id)
            .then(async () => {
              if (issued.get(person.id)?.id === link.id) issued.delete(person.id);
              await load();
              status.say(`Link ${link.prefix}… of ${person.name} revoked.`);
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
    const tick = h("input", { attrs: { type: "checkbox", "aria-label": `Print a card for ${person.name}` } });
    tick.checked = selected.has(person.id);
    tick.addEventListener("change", () => {
      if (tick.checked) selected.add(person.id);
      else selected.delete(person.id);
      renderCount();
    });
    const edit = button("Edit", "person-edit");
    const remove = button("Delete", "person-delete button-danger");
    const issue = button("Issue link", "person-issue");
    edit.setAttribute("aria-label", `Edit ${person.name}`);
    remove.setAttribute("aria-label", `Delete ${person.name}`);
    issue.setAttribute("aria-label", `Issue a join link for ${person.name}`);
    issue.addEventListener("click", () => {
      issue.disabled = true;
      setupApi
        .issueLink(meetingId, person.id)
        .then(async (link) => {
          issued.set(person.id, link);
          await load();
          status.say(`New join link for ${person.name}: copy it now, it is shown only once.`);
          body.querySelector<HTMLElement>(`[data-person-id="${person.id}"] .issued-copy`)?.focus();
        })
        .catch((err: unknown) => {
          issue.disabled = false;
          status.say(describe(err));
        });
    });
    edit.addEventListener("click", () => {
      const form = personForm(groups(), person, async (fields) => {
        const saved = await setupApi.updatePerson(meetingId, person.id, fields);
        await load();
        status.say(`${saved.name} saved.`);
      });
      const cancel = button("Cancel");
      cancel.addEventListener("click", render);
      form.actions.append(cancel);
      replaceChildren(tr, h("td", { attrs: { colspan: "8" } }, form.el));
      form.el.querySelector<HTMLElement>("input")?.focus();
    });
    remove.addEventListener("click", () => {
      if (!window.confirm(`Remove ${person.name}? Their links stop working; what they wrote stays.`)) return;
      remove.disabled = true;
      setupApi
        .deletePerson(meetingId, person.id)
        .then(async () => {
          await load();
          status.say(`${person.name} removed.`);
        })
        .catch((err: unknown) => {
          remove.disabled = false;
          status.say(describe(err));
        });
    });
    tr.append(
      h("td", {}, tick),
      h("td", {}, autoDir("span", person.name, "person-name")),
      h("td", { text: person.role }),
      h("td", { text: person.group_code ?? "" }),
      h("td", {}, autoDir("span", person.email ?? "")),
      h("td", { text: person.language ?? "" }),
      h("td", {}, linkCell(person)),
      h("td", {}, h("span", { class: "row-actions" }, issue, edit, remove)),
    );
    return tr;
  }

  const count = h("span", { class: "cards-count", attrs: { "aria-live": "polite" } });
  const print = button("Print cards", "people-print");
  const selectAll = button("Select all", "people-select-all");
  function renderCount(): void {
    count.textContent = `${selected.size} selected`;
    print.disabled = selected.size === 0;
  }
  function render(): void {
    if (!people.length) {
      replaceChildren(body, h("tr", {}, h("td", { attrs: { colspan: "8" }, class: "muted", text: "No people yet." })));
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
    status.say("Making the cards…");
    downloadCards(meetingId, { participant_ids: [...selected] })
      .then(async (name) => {
        await load();
        status.say(`Saved ${name}: ${selected.size} cards with new join links.`);
      })
      .catch((err: unknown) => status.say(describe(err)))
      .finally(renderCount);
  });

  const makeAdd = (): Form => {
    const form = personForm(groups(), null, async (fields) => {
      const person = await setupApi.addPerson(meetingId, fields);
      form.reset();
      await load();
      status.say(`${person.name} added.`);
    });
    return form;
  };
  let add = makeAdd();
  const addBox = h("details", { class: "tool-box" }, h("summary", { text: "Add a person" }), add.el);

  const el = h(
    "section",
    { class: "setup-part setup-people", attrs: { "aria-labelledby": "setup-people-title" } },
    h("h2", { attrs: { id: "setup-people-title" }, text: "People" }),
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
  const form = new Form({ submit: "Preview", busy: "Checking…", label: "Import people from CSV", className: "csv-form" });
  const file = form.add("file", "CSV file", h("input", { attrs: { type: "file", accept: ".csv,text/csv" } }));
  const text = form.add(
    "csv",
    "or paste the CSV",
    h("textarea", { class: "input", attrs: { rows: "5", dir: "auto", spellcheck: "false" } }),
    "Columns: name,role,group,email,language (a header line first).",
  );
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (chosen) void chosen.text().then((content) => (text.value = content));
  });
  form.onSubmit(async () => {
    const csv = text.value;
    if (!csv.trim()) throw new Error("Choose a CSV file or paste its lines first.");
    const report = await setupApi.importPeople(meetingId, csv, true);
    const create = button(`Create ${report.usable.length} people`, "button-primary csv-create");
    create.disabled = report.usable.length === 0;
    create.addEventListener("click", () => {
      create.disabled = true;
      create.textContent = "Creating…";
      setupApi
        .importPeople(meetingId, csv, false)
        .then(async (made) => {
          status.say(`${made.created.length} people created; ${made.rejected.length} rows left out.`);
          replaceChildren(result);
          form.reset();
          await done();
        })
        .catch((err: unknown) => {
          create.disabled = false;
          create.textContent = `Create ${report.usable.length} people`;
          form.showError(err);
        });
    });
    replaceChildren(
      result,
      h("p", { class: "csv-summary", text: `${report.usable.length} rows usable, ${report.rejected.length} cannot be imported.` }),
      report.rejected.length
        ? h(
            "table",
            { class: "setup-table csv-rejected" },
            h("caption", { text: "Rows that cannot be imported" }),
            h("thead", {}, h("tr", {}, ...["Line", "Name", "Why"].map((t) => h("th", { attrs: { scope: "col" }, text: t })))),
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
        h("caption", { text: "Rows to import" }),
        h("thead", {}, h("tr", {}, ...["Line", "Name", "Role", "Group", "E-mail", "Language"].map((t) => h("th", { attrs: { scope: "col" }, text: t })))),
        h(
          "tbody",
          {},
          ...report.usable.map((r) =>
            h(
              "tr",
              {},
              h("td", { text: String(r.line) }),
              h("td", {}, autoDir("span", r.name)),
              h("td", { text: r.role }),
              h("td", { text: r.group_code ?? "" }),
              h("td", {}, autoDir("span", r.email ?? "")),
              h("td", { text: r.language ?? "" }),
            ),
          ),
        ),
      ),
      h("p", {}, create),
    );
    status.say(`${report.usable.length} rows usable, ${report.rejected.length} cannot be imported.`);
  });
  return h("details", { class: "tool-box csv-box" }, h("summary", { text: "Import people from CSV" }), form.el, result);
}
