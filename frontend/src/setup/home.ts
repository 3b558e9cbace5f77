// The organiser's home (/meetings): the meetings grouped upcoming / past / archived, and
// Create, Import (setup/import.ts), Copy and Archive.

import { h, replaceChildren } from "../dom";
import { type MessageKey, isolate, t, tBdi } from "../i18n";
import { autoDir } from "../render";
import { type SetupMe, type SetupMeeting, setupApi } from "./api";
import { setupFrame } from "./frame";
import { Form, button, describe, formatDay, input, meetingFields, readMeetingFields, zoneList } from "./forms";
import { importPanel } from "./import";

const GROUPS: { state: SetupMeeting["state"]; title: MessageKey; empty: MessageKey }[] = [
  { state: "upcoming", title: "home.upcoming", empty: "home.noUpcoming" },
  { state: "past", title: "home.past", empty: "home.noPast" },
  { state: "archived", title: "home.archived", empty: "home.noArchived" },
];

export async function homePage(root: HTMLElement, me: SetupMe): Promise<void> {
  const { main, status } = setupFrame(root, me, t("home.title"));
  const lists = h("div", { class: "meeting-groups" });

  async function counts(meeting: SetupMeeting): Promise<string> {
    const [agenda, people] = await Promise.all([
      setupApi.agenda(meeting.id).catch(() => null),
      setupApi.people(meeting.id).catch(() => null),
    ]);
    const parts = [t("home.groups", { count: meeting.groups.length })];
    if (agenda) parts.push(t("home.agendaItems", { count: agenda.length }));
    if (people) parts.push(t("home.people", { count: people.length }));
    return parts.join(" · ");
  }

  function copyForm(meeting: SetupMeeting): HTMLElement {
    const form = new Form({
      submit: t("home.createCopy"),
      busy: t("home.copying"),
      label: t("home.copyLabel", { title: meeting.title }),
    });
    form.add("date", t("home.newDate"), input({ type: "date", required: "" }));
    form.add("title", t("home.newTitle"), input({ maxlength: "300" })).value = meeting.title;
    const people = h("input", { attrs: { type: "checkbox" } });
    form.add("people", t("home.copyPeople"), people);
    form.onSubmit(async () => {
      const copy = await setupApi.copy(meeting.id, {
        date: form.value("date"),
        title: form.value("title") || meeting.title,
        people: people.checked,
      });
      await refresh();
      status.say(tBdi("home.copied", { title: copy.title, date: formatDay(copy.date) }));
    });
    return h("details", { class: "copy-box" }, h("summary", { text: t("home.copy") }), form.el);
  }

  function othersCard(meeting: SetupMeeting): HTMLElement {
    return h(
      "li",
      { class: "meeting-card is-others", attrs: { "data-meeting-id": String(meeting.id) } },
      h("h3", { class: "meeting-card-title" }, autoDir("span", meeting.title)),
      h("p", { class: "meeting-when", text: `${formatDay(meeting.date)} · ${meeting.time_zone}` }),
      meeting.venue ? autoDir("p", meeting.venue, "meeting-venue") : null,
      h("p", { class: "meeting-counts muted", text: t("home.othersCounts", { count: meeting.groups.length }) }),
    );
  }

  function card(meeting: SetupMeeting): HTMLElement {
    // The server lists every meeting to an organiser, but opens only the ones it created.
    if (meeting.created_by_organiser !== me.id) return othersCard(meeting);
    const countLine = h("p", { class: "meeting-counts muted", text: "…" });
    void counts(meeting).then((text) => {
      countLine.textContent = text;
    });
    const actions = h("div", { class: "meeting-actions" });
    if (meeting.state !== "archived") {
      actions.append(h("a", { class: "button", attrs: { href: `/m/${meeting.id}/setup` }, text: t("shell.setUp") }));
    }
    if (meeting.document_id !== null && meeting.state !== "archived") {
      actions.append(h("a", { class: "button", attrs: { href: `/d/${meeting.document_id}` }, text: t("home.openEditor") }));
    }
    const archive = button(meeting.state === "archived" ? t("home.unarchive") : t("home.archive"));
    archive.addEventListener("click", () => {
      const verb = meeting.state === "archived" ? "unarchive" : "archive";
      if (verb === "archive" && !window.confirm(t("home.archiveConfirm", { title: isolate(meeting.title) }))) return;
      archive.disabled = true;
      (verb === "archive" ? setupApi.archive(meeting.id) : setupApi.unarchive(meeting.id))
        .then(async (done) => {
          await refresh();
          status.say(tBdi("home.archivedSaid", { title: done.title, verb }));
        })
        .catch((err: unknown) => {
          archive.disabled = false;
          status.say(describe(err));
        });
    });
    actions.append(archive);
    const title =
      meeting.state === "archived"
        ? autoDir("span", meeting.title)
        : h("a", { attrs: { href: `/m/${meeting.id}/setup`, dir: "auto" }, text: meeting.title });
    return h(
      "li",
      { class: "meeting-card", attrs: { "data-meeting-id": String(meeting.id) } },
      h("h3", { class: "meeting-card-title" }, title),
      h("p", { class: "meeting-when", text: `${formatDay(meeting.date)} · ${meeting.time_zone}` }),
      meeting.venue ? autoDir("p", meeting.venue, "meeting-venue") : null,
      countLine,
      actions,
      meeting.state === "archived" ? null : copyForm(meeting),
    );
  }

  async function refresh(): Promise<void> {
    const [open, archived] = await Promise.all([setupApi.meetings(), setupApi.meetings("archived")]);
    const all = [...open, ...archived];
    replaceChildren(
      lists,
      ...GROUPS.map(({ state, title, empty }) => {
        const mine = all.filter((m) => m.state === state);
        if (state === "past") mine.reverse();
        const id = `meetings-${state}`;
        return h(
          "section",
          { class: `meeting-group meeting-group-${state}`, attrs: { "aria-labelledby": id } },
          h("h2", { attrs: { id }, text: t("home.groupTitle", { title: t(title), count: mine.length }) }),
          mine.length ? h("ul", { class: "meeting-list" }, ...mine.map(card)) : h("p", { class: "muted", text: t(empty) }),
        );
      }),
    );
  }

  const create = new Form({ submit: t("home.create"), busy: t("home.creating"), label: t("home.createLabel") });
  meetingFields(create);
  create.onSubmit(async () => {
    const meeting = await setupApi.create(readMeetingFields(create));
    create.reset();
    await refresh();
    status.say(tBdi("home.created", { title: meeting.title }));
  });

  replaceChildren(
    main,
    zoneList(),
    h("h1", { text: t("home.title") }),
    h(
      "div",
      { class: "home-tools" },
      h("details", { class: "tool-box create-box" }, h("summary", { text: t("home.createLabel") }), create.el),
      importPanel(status, refresh),
    ),
    lists,
  );
  try {
    await refresh();
  } catch (err) {
    replaceChildren(lists, h("p", { class: "form-error", attrs: { role: "alert" }, text: describe(err) }));
  }
}
