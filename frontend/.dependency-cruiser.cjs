// The layers of frontend/src (docs/architecture.md, "Frontend"); `make test` runs
// `npx depcruise src` and fails on any of these. Imports go one way, top to bottom:
//   app        main.ts, router.ts: start the page for the route
//   pages      pages/: one module per page, laying it out and wiring its parts
//   components every other module: document/, board/, closing/, inputs/, joining/, setup/,
//              editor.ts, render.ts, history.ts, shell.ts, ...
//   base       sync/ (Yjs rooms), api.ts (REST), i18n.ts (catalogues), types.ts, dom.ts
// A layer may import any layer below it, never one above; no cycles anywhere.
const APP = "^src/(main|router)\\.ts$";
const PAGES = "^src/pages/";
const BASE = "^src/(sync/|i18n/|api\\.ts$|i18n\\.ts$|types\\.ts$|dom\\.ts$)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two modules one; break it by moving the shared part down.",
      from: {},
      to: { circular: true },
    },
    {
      name: "base-imports-base",
      severity: "error",
      comment: "sync/, api.ts, i18n.ts, types.ts and dom.ts know nothing of what the pages show.",
      from: { path: BASE },
      to: { path: "^src/", pathNot: BASE },
    },
    {
      name: "components-not-up",
      severity: "error",
      comment: "A component does not import a page or the app: pass it what it needs.",
      from: { path: "^src/", pathNot: [APP, PAGES, BASE] },
      to: { path: [APP, PAGES] },
    },
    {
      name: "pages-not-app",
      severity: "error",
      comment: "Pages get what they need from main.ts through PageContext, not by importing it.",
      from: { path: PAGES },
      to: { path: APP },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
