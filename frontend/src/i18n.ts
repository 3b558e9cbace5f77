// The interface languages: one ICU message catalogue per language (i18n/*.json, the same keys),
// formatted by FormatJS' intl-messageformat (plurals through Intl.PluralRules: Arabic's six
// forms), dates, times and numbers through Intl in the meeting's time zone. The language is, in
// order: the person's switch (localStorage), their preferred language on their link, the
// browser's, the meeting's first. The root gets lang and dir, so one stylesheet of logical
// properties lays the page out in either direction.

import { IntlMessageFormat } from "intl-messageformat";

import ar from "./i18n/ar.json";
import en from "./i18n/en.json";
import fr from "./i18n/fr.json";

export const LANGUAGES = ["ar", "en", "fr"] as const;
export type Lang = (typeof LANGUAGES)[number];
export type MessageKey = keyof typeof en;
export type Values = Record<string, string | number>;

const CATALOGUES: Record<Lang, Record<string, string>> = { ar, en, fr };
const STORAGE_KEY = "outcomes.language";

let current: Lang = "en";
const compiled = new Map<string, IntlMessageFormat>();

/** "ar-EG" → "ar"; null for a language the interface does not have. */
export function interfaceLang(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  const base = tag.toLowerCase().split(/[-_]/)[0] ?? "";
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Lang) : null;
}

function stored(): Lang | null {
  try {
    return interfaceLang(window.localStorage.getItem(STORAGE_KEY));
  } catch {
    return null; // storage disabled: the switch lasts for this page only
  }
}

/** The language by the order of the issue: switch, person, browser, meeting. */
export function chooseLang(person?: string | null, meetingLanguages?: readonly string[]): Lang {
  const candidates = [stored(), interfaceLang(person), ...navigator.languages.map(interfaceLang)];
  for (const lang of candidates) if (lang) return lang;
  for (const tag of meetingLanguages ?? []) {
    const lang = interfaceLang(tag);
    if (lang) return lang;
  }
  return "en";
}

/** Use `lang` from now on: the root's lang and dir follow. */
export function applyLang(lang: Lang): void {
  current = lang;
  compiled.clear();
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  document.title = t("app.name");
}

/** The person's switch: remembered on this device, applied by reloading the page. */
export function switchLang(lang: Lang): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage disabled: only this page load changes
  }
  window.location.reload();
}

export function lang(): Lang {
  return current;
}

/** The message `key` in the current language, with `values` put into its placeholders. */
export function t(key: MessageKey, values?: Values): string {
  const id = `${current}:${key}`;
  let format = compiled.get(id);
  if (!format) {
    const source = CATALOGUES[current][key] ?? en[key];
    format = new IntlMessageFormat(source, intlLocale());
    compiled.set(id, format);
  }
  return String(format.format(values));
}

/** Whether the catalogue has `key` (server error codes are looked up by name). */
export function has(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/**
 * A server error in the interface language. Its code is stable and has a message in every
 * catalogue; in English the server's own text is shown, which names the field or the object.
 */
export function errorText(code: string, detail: string): string {
  const key = `error.${code}`;
  if (current === "en" && detail) return detail;
  return has(key) ? t(key) : detail;
}

function safeZone(timeZone: string | undefined): string | undefined {
  if (timeZone === undefined) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/**
 * The locale Intl formats with: day-month-year English (en-GB), as intergovernmental documents
 * write dates, and Western digits in Arabic too, as the meeting's agendas and room signs do.
 */
export function intlLocale(): string {
  return current === "en" ? "en-GB" : current === "ar" ? "ar-u-nu-latn" : current;
}

/** "14:05" in the meeting's time zone (24-hour clock in every language). */
export function formatTime(date: Date | string, timeZone?: string): string {
  const zone = safeZone(timeZone);
  return new Intl.DateTimeFormat(intlLocale(), {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(zone ? { timeZone: zone } : {}),
  }).format(new Date(date));
}

/** "12 February 2024, 14:05" in the meeting's time zone. */
export function formatDateTime(date: Date | string, timeZone?: string): string {
  const zone = safeZone(timeZone);
  return new Intl.DateTimeFormat(intlLocale(), {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(zone ? { timeZone: zone } : {}),
  }).format(new Date(date));
}

/**
 * The instant a wall-clock time ("2024-02-12T17:30", a datetime-local field's value) names in
 * `timeZone`, as ISO: the meeting's clock, not the browser's. Two passes settle a DST change.
 */
export function wallTimeToIso(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  const zone = safeZone(timeZone);
  if (!m || !zone) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const offset = (at: number): number => {
    const got: Record<string, number> = {};
    for (const part of parts.formatToParts(new Date(at))) got[part.type] = Number(part.value);
    const asUtc = Date.UTC(got.year ?? 0, (got.month ?? 1) - 1, got.day ?? 1, got.hour ?? 0, got.minute ?? 0);
    return asUtc - Math.floor(at / 60000) * 60000;
  };
  let at = wall - offset(wall);
  at = wall - offset(at);
  return new Date(at).toISOString();
}

/** "12 February 2024" of a calendar date "YYYY-MM-DD" (no time zone shift). */
export function formatDay(isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(intlLocale(), {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(intlLocale()).format(value);
}

/** A list of names: "A, B and C" / "A, B et C" / "A وB وC". */
export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(current, { type: "conjunction" }).format(items);
}

/** The language's own name, for the switch ("العربية", "English", "Français"). */
export function nativeName(lang: Lang): string {
  const name = new Intl.DisplayNames([lang], { type: "language" }).of(lang) ?? lang;
  return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
}

/** `text` as a bidi isolate (FSI … PDI) for plain-text places: titles, notices, labels. */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/** A <bdi> holding user text: nothing in it (U+202E, say) reorders what surrounds it. */
export function bdi(text: string, className?: string): HTMLElement {
  const el = document.createElement("bdi");
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

/** The message `key` with elements (a <bdi> name, a <time>) in its placeholders. */
export function tNodes(key: MessageKey, values: Record<string, string | number | Node>): Node[] {
  const id = `${current}:${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(CATALOGUES[current][key] ?? en[key], intlLocale());
    compiled.set(id, format);
  }
  const out = format.format<Node>(values);
  const parts = Array.isArray(out) ? out : [out];
  return parts.map((part) => (part instanceof Node ? part : document.createTextNode(String(part))));
}

/** Names as a list in the current language, each one isolated in its <bdi>. */
export function nameList(names: readonly string[], className?: string): Node[] {
  const parts = new Intl.ListFormat(current, { type: "conjunction" }).formatToParts(names);
  return parts.map((part) =>
    part.type === "element" ? bdi(part.value, className) : document.createTextNode(part.value),
  );
}

/** The names a message chooses on (select and plural arguments): their values stay strings. */
function selectors(elements: readonly unknown[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    const el = element as { value?: unknown; options?: Record<string, { value: unknown[] }>; children?: unknown[] };
    if (el.options && typeof el.value === "string") {
      into.add(el.value);
      for (const option of Object.values(el.options)) selectors(option.value, into);
    }
    if (el.children) selectors(el.children, into);
  }
  return into;
}

/** The message `key` as nodes, every string value in its own <bdi> (names, titles, codes). */
export function tBdi(key: MessageKey, values: Values): Node[] {
  const chosen = selectors(new IntlMessageFormat(CATALOGUES[current][key] ?? en[key], intlLocale()).getAst());
  const isolated: Record<string, string | number | Node> = {};
  for (const [name, value] of Object.entries(values)) {
    isolated[name] = typeof value === "string" && !chosen.has(name) ? bdi(value) : value;
  }
  return tNodes(key, isolated);
}
