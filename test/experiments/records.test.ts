import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readDpoSweep, readOfflineRecord } from "../../src/experiments/dpo";
import { readPpoSweep } from "../../src/experiments/ppo-sweep";
import { readRmSeeds, readRmSweep } from "../../src/experiments/reward-record";
import { readRlaifRecord } from "../../src/experiments/rlaif-record";

const RLHF = path.resolve(__dirname, "..", "..", "data", "rlhf");

/** Each committed record, its reader, the command the reader names, and a field its rows need. */
const READERS: {
  file: string;
  read: (file?: string) => { rows: unknown[] };
  command: string;
  field: string;
}[] = [
  { file: "rm_seeds.json", read: readRmSeeds, command: "npm run rm -- --seeds", field: "fresh" },
  { file: "sweep.json", read: readRmSweep, command: "npm run rm -- --sweep", field: "eval" },
  { file: "ppo_sweep.json", read: readPpoSweep, command: "npm run ppo -- --sweep", field: "sampled" },
  { file: "dpo_sweep.json", read: readDpoSweep, command: "npm run dpo -- --sweep", field: "greedy" },
  { file: "dpo_offline.json", read: readOfflineRecord, command: "npm run dpo -- --offline", field: "job" },
  { file: "rlaif.json", read: readRlaifRecord, command: "npm run rlaif", field: "point" },
];

describe("the committed records' readers", () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "records-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const r of READERS) {
    describe(r.file, () => {
      const committed = path.join(RLHF, r.file);

      it("reads the committed file, and a valid copy of it", () => {
        assert.ok(r.read().rows.length > 0);
        const copy = path.join(dir, r.file);
        fs.copyFileSync(committed, copy);
        assert.equal(r.read(copy).rows.length, r.read().rows.length);
      });

      it(`names the file and \`${r.command}\` when the file is missing`, () => {
        const file = path.join(dir, "missing", r.file);
        assert.throws(
          () => r.read(file),
          (e: Error) => e.message.includes(file) && e.message.includes(`\`${r.command}\``),
        );
      });

      it(`calls a file whose rows lack "${r.field}" stale, naming the field and the command`, () => {
        const rec = JSON.parse(fs.readFileSync(committed, "utf8")) as { rows: Record<string, unknown>[] };
        delete rec.rows[1][r.field];
        const file = path.join(dir, `stale-${r.file}`);
        fs.writeFileSync(file, JSON.stringify(rec));
        assert.throws(
          () => r.read(file),
          (e: Error) =>
            e.message.includes(file) &&
            e.message.includes(`rows[1].${r.field}: missing`) &&
            e.message.includes(`\`${r.command}\``),
        );
      });
    });
  }
});
