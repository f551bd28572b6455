// Bundles the booth (booth/ev1.js and what it imports, @noble/curves and @noble/hashes as
// pinned in package-lock.json) into one minified ES module: `node booth/build.mjs OUTFILE`
// (`make static` writes chalicelib/static/booth/ev1.js). Deterministic: the same sources and
// lock file give the same bytes, wherever the checkout is (no paths, dates or source maps;
// one fixed banner), so the seal can name the bundle's SHA-256.

import { build } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const outfile = process.argv[2];
if (!outfile) {
  console.error("usage: node booth/build.mjs OUTFILE");
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  absWorkingDir: root,
  entryPoints: ["booth/ev1.js"],
  outfile: resolve(outfile),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022", // BigInt, class fields: every browser since 2021
  minify: true,
  legalComments: "none",
  banner: { js: "/*! EV1 booth. Includes @noble/curves and @noble/hashes (MIT License, Copyright (c) Paul Miller). */" },
  charset: "ascii",
  sourcemap: false,
  metafile: false,
  logLevel: "warning",
});
