// The setup page of one meeting (/m/{id}/setup), for its secretariat and the organiser who
// created it: details, agenda, breakout groups, sections, people and their links, joining.

import { h, replaceChildren } from "../dom";
import { isolate, t } from "../i18n";
import { joiningPanel } from "../joining/panel";
import type { BreakoutGroup } from "../types";
import { type SetupMe, setupApi } from "./api";
import { agendaEditor } from "./agenda";
import { setupFrame } from "./frame";
import { Form, changedFields, describe, formatDay, meetingFields, readMeetingFields, zoneList } from "./forms";
import { peopleEditor } from "./people";
import { groupsEditor, sectionsEditor } from "./structure";

export async function setupPage(root: HTMLElement, me: SetupMe, meetingId: number): Promise<void> {
  const meeting = await setupApi.meeting(meetingId);
  const { main, status, nav } = setupFrame(root, me, t("setup.pageTitle", { title: isolate(meeting.title) }));
  if (meeting.document_id !== null) {
    nav.append(h("a", { attrs: { href: `/d/${meeting.document_id}` }, text: t("setup.openEditor") }));
  }
  const heading = h("h1", { attrs: { dir: "auto" }, text: meeting.title });
  const when = h("p", { class: "setup-when muted", text: `${formatDay(meeting.date)} · ${meeting.time_zone}` });

  const details = new Form({
    submit: t("setup.saveDetails"),
    label: t("setup.details"),
    codeFields: { bad_time_zone: "time_zone" },
  });
  meetingFields(details, meeting);
  let shown = readMeetingFields(details);
  details.onSubmit(async () => {
    // Only what was changed here: another organiser may have changed the other fields.
    const saved = await setupApi.update(meetingId, changedFields(shown, readMeetingFields(details)));
    for (const name of ["title", "date", "venue", "time_zone"] as const) details.set(name, saved[name]);
    details.set("languages", saved.languages.join(", "));
    shown = readMeetingFields(details);
    heading.textContent = saved.title;
    when.textContent = `${formatDay(saved.date)} · ${saved.time_zone}`;
    timeZone = saved.time_zone;
    document.title = t("shell.pageTitle", { title: t("setup.pageTitle", { title: isolate(saved.title) }) });
    status.say(t("setup.detailsSaved"));
  });

  let groups: BreakoutGroup[] = meeting.groups;
  let sectionList: Awaited<ReturnType<typeof setupApi.sections>> = [];
  const documentId = meeting.document_id;

  const agenda = agendaEditor({ meetingId, status, groups: () => groups, sections: () => sectionList });
  const loadAgenda = (): Promise<void> => agenda.load();
  let timeZone = meeting.time_zone;
  const people = peopleEditor(meetingId, status, () => groups, () => timeZone);
  const groupPart = groupsEditor(meetingId, status, async () => {
    groups = await setupApi.groups(meetingId);
    groupPart.render(groups);
    people.regroup();
    agenda.refreshChoices();
  });
  groupPart.render(groups);
  const sections =
    documentId === null
      ? null
      : sectionsEditor(documentId, meetingId, status, () => agenda.items(), async () => {
          sectionList = await setupApi.sections(documentId);
          sections?.render(sectionList);
          agenda.refreshChoices();
          await loadAgenda();
        });
  if (documentId !== null && sections) {
    sectionList = await setupApi.sections(documentId);
    sections.render(sectionList);
  }

  replaceChildren(
    main,
    zoneList(),
    heading,
    when,
    h(
      "section",
      { class: "setup-part setup-details", attrs: { "aria-labelledby": "setup-details-title" } },
      h("h2", { attrs: { id: "setup-details-title" }, text: t("setup.details") }),
      details.el,
    ),
    agenda.el,
    groupPart.el,
    sections?.el ?? null,
    people.el,
    h(
      "section",
      { class: "setup-part setup-joining", attrs: { "aria-label": t("joining.title") } },
      joiningPanel(meetingId, (text) => status.say(text), meeting.time_zone),
    ),
  );
  try {
    await Promise.all([loadAgenda(), people.load()]);
  } catch (err) {
    status.say(describe(err));
  }
}
