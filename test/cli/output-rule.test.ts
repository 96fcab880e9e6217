import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const run = (cli: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src", "cli", `${cli}.ts`), ...args], {
    encoding: "utf8",
    cwd: ROOT,
  });

/**
 * Every command that writes a model folder refuses, before any work (no
 * backend line, no training), a foreign non-empty --out, an --out that is a
 * model it reads, and an --out where nothing can be written.
 */
const COMMANDS: { cli: string; args: string[]; reads: string }[] = [
  { cli: "pretrain", args: ["--quick"], reads: "" },
  { cli: "sft", args: ["--quick"], reads: "data/models/base" },
  { cli: "rm", args: ["--quick"], reads: "data/models/sft" },
  { cli: "ppo", args: ["--quick"], reads: "data/models/rm" },
  { cli: "dpo", args: ["--quick"], reads: "data/models/sft" },
  { cli: "comparisons", args: ["--quick"], reads: "data/models/sft" },
  { cli: "export", args: ["--model", "data/models/sft"], reads: "data/models/sft" },
  { cli: "build-data", args: ["--corpus"], reads: "" },
];

describe("the output rule, command by command", function () {
  this.timeout(120000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-output-"));
  const foreign = path.join(dir, "foreign");
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, "thesis.tex"), "mine");
  fs.writeFileSync(path.join(dir, "file"), "x");

  for (const c of COMMANDS) {
    it(`${c.cli}: refuses a foreign folder, ${c.reads ? "its own input, " : ""}and an unwritable place`, () => {
      const cases: [string, RegExp][] = [
        [foreign, /holds 1 entry this command did not make \(thesis\.tex\).*--force/],
        [path.join(dir, "file", "out"), /cannot write in/],
        ...(c.reads ? ([[c.reads, /which this run reads/]] as [string, RegExp][]) : []),
      ];
      for (const [out, message] of cases) {
        const r = run(c.cli, [...c.args, "--out", out]);
        assert.equal(r.status, 1, `${c.cli} --out ${out}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stdout, /tfjs backend|steps? ×|sampled/, "refused before any work");
      }
      assert.ok(fs.existsSync(path.join(foreign, "thesis.tex")), "the foreign file is untouched");
    });
  }
});
