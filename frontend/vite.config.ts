import { defineConfig, loadEnv } from "vite";

// The FastAPI app serves dist/index.html for every page route and dist/assets at /assets.
// Its Content-Security-Policy allows only same-origin scripts and styles, so nothing may be
// inlined: every asset is emitted as a content-hashed file.
export default defineConfig(({ mode }) => {
  // `npm run dev` proxies the API, realtime rooms and join links to `outcomes serve`
  // (OUTCOMES_DEV_BACKEND, default http://127.0.0.1:8000).
  const env = loadEnv(mode, ".", "OUTCOMES_");
  const backend = env["OUTCOMES_DEV_BACKEND"] ?? "http://127.0.0.1:8000";
  return {
    base: "/",
    build: {
      outDir: "dist",
      assetsDir: "assets",
      assetsInlineLimit: 0,
      emptyOutDir: true,
      sourcemap: false,
      target: "es2022",
    },
    server: {
      proxy: {
        "/api": { target: backend },
        "/yjs": { target: backend, ws: true },
        "/join": { target: backend },
      },
    },
  };
});
