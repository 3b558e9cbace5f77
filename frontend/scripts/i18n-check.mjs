// The interface-language checks `make test` runs (tests/frontend/test_i18n.py):
//   1. the catalogues src/i18n/{en,fr,ar}.json have the same keys, every message parses as ICU,
//      its placeholders are the same in every language and every plural has an "other" form;
//   2. no user-visible English is left in the TypeScript outside the catalogues: string and
//      template literals flowing into textContent, title, placeholder, aria-label, alert or
//      confirm, the h()/autoDir()/append() helpers, showMessage(), notify(), label maps, ...
// Usage: node scripts/i18n-check.mjs [--catalogues DIR] [--src DIR]   (exit 1 on any problem)

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { TYPE, parse } from "@formatjs/icu-messageformat-parser";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const catalogueDir = option("--catalogues", join(here, "..", "src", "i18n"));
const srcDir = option("--src", join(here, "..", "src"));
const LANGS = ["en", "fr", "ar"];
const problems = [];

// ---- 1. catalogues ------------------------------------------------------------------------

function placeholders(elements, into = new Set()) {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    if ("value" in el && typeof el.value === "string") into.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      if (el.type === TYPE.plural && !("other" in el.options)) {
        into.add(`!${el.value} has no "other" form`);
      }
      for (const option of Object.values(el.options)) placeholders(option.value, into);
    }
    if (el.type === TYPE.tag) placeholders(el.children, into);
  }
  return into;
}

const catalogues = {};
for (const lang of LANGS) {
  try {
    catalogues[lang] = JSON.parse(readFileSync(join(catalogueDir, `${lang}.json`), "utf8"));
  } catch (err) {
    problems.push(`${lang}.json: cannot be read (${err.message})`);
    catalogues[lang] = {};
  }
}
const reference = catalogues.en;
for (const lang of LANGS) {
  const keys = new Set(Object.keys(catalogues[lang]));
  for (const key of Object.keys(reference)) {
    if (!keys.has(key)) problems.push(`${lang}.json: missing key "${key}"`);
  }
  for (const key of keys) {
    if (!(key in reference)) problems.push(`${lang}.json: extra key "${key}" (not in en.json)`);
  }
  for (const [key, message] of Object.entries(catalogues[lang])) {
    if (typeof message !== "string" || message.trim() === "") {
      problems.push(`${lang}.json: "${key}" is empty or not a string`);
      continue;
    }
    let found;
    try {
      found = placeholders(parse(message));
    } catch (err) {
      problems.push(`${lang}.json: "${key}" is not an ICU message (${err.message})`);
      continue;
    }
    for (const p of found) if (p.startsWith("!")) problems.push(`${lang}.json: "${key}": ${p.slice(1)}`);
    if (lang === "en" || !(key in reference)) continue;
    let expected;
    try {
      expected = placeholders(parse(reference[key]));
    } catch {
      continue; // reported under en.json
    }
    const a = [...expected].filter((p) => !p.startsWith("!")).sort().join(", ");
    const b = [...found].filter((p) => !p.startsWith("!")).sort().join(", ");
    if (a !== b) problems.push(`${lang}.json: "${key}" has placeholders {${b}}, en.json has {${a}}`);
  }
}

// ---- 2. English left in the TypeScript ----------------------------------------------------

// Strings that are not interface text though they look like it (kept short and explicit).
const ALLOWED = new Set(
  JSON.parse(readFileSync(join(here, "i18n-allow.json"), "utf8")).strings,
);

const SINK_PROPERTIES = new Set([
  "text", "title", "label", "placeholder", "aria-label", "aria-description", "alt", "detail",
  "message", "summary", "hint", "caption", "heading", "ariaLabel", "textContent", "innerText",
]);
const SINK_ASSIGNMENTS = new Set([
  "textContent", "innerText", "title", "placeholder", "ariaLabel", "alt", "label", "value",
  "returnValue", "ariaDescription", "innerHTML",
]);
const SINK_CALLS = new Set([
  "alert", "confirm", "prompt", "notify", "showMessage", "autoDir", "h", "append", "prepend",
  "before", "after", "replaceChildren", "replaceWith", "createTextNode", "say", "setText",
  "announce", "fail", "showError", "message",
]);
// Calls whose string arguments are code, not text: selectors, event and Yjs names, keys, paths.
const CODE_CALLS = new Set([
  "querySelector", "querySelectorAll", "closest", "matches", "addEventListener", "removeEventListener",
  "getText", "getMap", "getArray", "getElementById", "add", "remove", "toggle", "contains", "get", "set",
  "has", "delete", "getItem", "setItem", "removeItem", "getAttribute", "removeAttribute", "hasAttribute",
  "request", "requestWithHeaders", "fetch", "EventSource", "URL", "URLSearchParams", "assign", "replace",
  "register", "Error", "t", "tBdi", "tNodes", "has", "split", "join", "startsWith", "endsWith", "includes",
  "test", "exec", "padStart", "getData", "setData", "createElement", "dispatchEvent", "openRoom", "log",
  "warn", "error", "info", "debug", "postMessage", "indexOf", "replaceAll", "localeCompare", "slice",
  "uid", "storagePrefix", "Intl", "DateTimeFormat", "NumberFormat", "formatToParts", "encodeURIComponent",
]);
// Form-like helpers that take a label at one argument: form.add(name, label, control, hint).
const LABEL_ARGS = new Map([["add", [1, 3]]]);
const PROSE = /^[A-Z][a-z]+|[A-Za-z]{2,}[,.:;!?…]?\s+[A-Za-z]{2,}/;
const CODE_LIKE = /^([a-z0-9_\-.:#/*=\[\]"'()>+~ ]+|[A-Z][A-Za-z]*(Error|Event|Exception)|[A-Z][a-z]+(-[A-Z][a-z]+)+|(Control|Shift|Alt|Meta)\+\w+|Escape|Enter|Tab|Backspace|ArrowUp|ArrowDown|ArrowLeft|ArrowRight|Home|End)$/;

const VISIBLE_ATTRIBUTES = new Set(["title", "aria-label", "placeholder", "alt", "aria-description"]);
const NAMED_SINK = /(label|text|title|message|caption|hint|summary|describe|heading|name)s?$/i;
const ENGLISH = /[A-Za-z]{2,}/;

function calleeName(call) {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return "";
}

function propertyName(node) {
  if (ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isPrivateIdentifier(node)) return node.text;
  return "";
}

/** Why `literal` is shown to people, or null if it is not. */
function sinkOf(literal) {
  let node = literal;
  for (;;) {
    const parent = node.parent;
    if (!parent) return null;
    if (
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isTemplateSpan(parent) ||
      ts.isTemplateExpression(parent) ||
      ts.isArrayLiteralExpression(parent) ||
      ts.isSpreadElement(parent) ||
      (ts.isConditionalExpression(parent) && parent.condition !== node) ||
      (ts.isBinaryExpression(parent) &&
        [ts.SyntaxKind.PlusToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(
          parent.operatorToken.kind,
        ))
    ) {
      node = parent;
      continue;
    }
    if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
      const name = propertyName(parent.name);
      if (SINK_PROPERTIES.has(name)) return `property ${name}`;
      // A label map: const STATUS_LABEL = { draft: "Draft", ... }
      const object = parent.parent;
      const holder = object.parent;
      if (holder && ts.isVariableDeclaration(holder) && NAMED_SINK.test(propertyName(holder.name))) {
        return `map ${propertyName(holder.name)}`;
      }
      if (holder && ts.isPropertyAssignment(holder) && propertyName(holder.name) === "attrs") {
        return VISIBLE_ATTRIBUTES.has(name) ? `attribute ${name}` : null;
      }
      return null;
    }
    if (
      ts.isBinaryExpression(parent) &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      parent.right === node
    ) {
      const left = parent.left;
      if (ts.isPropertyAccessExpression(left) && SINK_ASSIGNMENTS.has(left.name.text)) {
        return `assignment to ${left.name.text}`;
      }
      return null;
    }
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      const name = ts.isCallExpression(parent) ? calleeName(parent) : "";
      const index = (parent.arguments ?? []).indexOf(node);
      if (index < 0) return null;
      if (name === "setAttribute") {
        const attr = parent.arguments[0];
        return index === 1 && attr && ts.isStringLiteral(attr) && VISIBLE_ATTRIBUTES.has(attr.text)
          ? `setAttribute ${attr.text}`
          : null;
      }
      if (name === "h" && index === 0) return null; // the tag name
      if (name === "autoDir" && index !== 1) return null;
      const onClassList = /\.classList\.\w+$/.test(parent.expression.getText());
      if (!onClassList && LABEL_ARGS.get(name)?.includes(index)) return `label argument of ${name}()`;
      if (SINK_CALLS.has(name)) return `argument of ${name}()`;
      // Any other helper (button(), link(), act(), ...): prose passed to it is shown.
      const text = literalText(literal) ?? "";
      if (!CODE_CALLS.has(name) && !text.startsWith("/") && PROSE.test(text) && !CODE_LIKE.test(text)) {
        return `argument of ${name || "a call"}()`;
      }
      return null;
    }
    // let detail = `The server answered ${status}.` (and later shown): prose held in a variable.
    if (ts.isVariableDeclaration(parent) && parent.initializer === node) {
      const text = literalText(literal) ?? "";
      return PROSE.test(text) && !CODE_LIKE.test(text) && !text.startsWith("/") ? "prose in a variable" : null;
    }
    if (ts.isReturnStatement(parent) || ts.isArrowFunction(parent)) {
      let fn = parent;
      while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
      const name = fn && fn.name ? propertyName(fn.name) : "";
      const declared = fn && fn.parent && ts.isVariableDeclaration(fn.parent) ? propertyName(fn.parent.name) : "";
      const fnName = name || declared;
      return fnName && NAMED_SINK.test(fnName) ? `returned by ${fnName}()` : null;
    }
    return null;
  }
}

function literalText(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(" ");
  }
  return null;
}

function sourceFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

for (const file of sourceFiles(srcDir)) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const visit = (node) => {
    const text = literalText(node);
    if (text !== null && ENGLISH.test(text) && !ALLOWED.has(text) && !(text in reference)) {
      const sink = sinkOf(node);
      if (sink) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        problems.push(`${relative(srcDir, file)}:${line + 1}: English outside the catalogues (${sink}): ${JSON.stringify(text)}`);
      }
    }
    if (ts.isTemplateExpression(node)) return; // its parts were judged as one string
    ts.forEachChild(node, visit);
  };
  visit(source);
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`${problems.length} interface-language problem(s)`);
  process.exit(1);
}
console.log(`catalogues ${LANGS.join(", ")}: ${Object.keys(reference).length} keys each; no English left in the pages`);
