/**
 * The committed records of the reward-model studies (data/rlhf/sweep.json,
 * `npm run rm -- --sweep`; data/rlhf/rm_seeds.json, `npm run rm -- --seeds`)
 * and their checked readers, which notebook 04 reads.
 */
import * as path from "path";
import { RLHF_DIR } from "../data/paths";
import { INTERVAL_SHAPE, RATE_SHAPE, readRecord, type Shape, type Versions } from "../run-record";
import type { SeedStudyRow, SweepRow } from "./reward";

/** The committed records of `npm run rm -- --sweep` and `-- --seeds`, which notebook 04 reads. */
export const RM_RECORDS = Object.freeze({
  sweep: { file: path.join(RLHF_DIR, "sweep.json"), command: "npm run rm -- --sweep" },
  seeds: { file: path.join(RLHF_DIR, "rm_seeds.json"), command: "npm run rm -- --seeds" },
});

/** What `npm run rm -- --sweep` or `-- --seeds` writes: its rows with the facts of the run that made them. */
export interface RmRecord<Row> {
  command: string;
  grid: unknown;
  backend: { name: string; path?: string };
  versions: Versions;
  startedAt: string;
  durationS: number;
  rows: Row[];
}

const RM_EVAL_SHAPE = {
  raters: RATE_SHAPE,
  gold: { ...RATE_SHAPE, ties: "number" },
  kendall: INTERVAL_SHAPE,
  spearman: "number",
  lengthSlope: { estimate: "number", lo: "number", hi: "number" },
} as const satisfies Shape;

const rmRecordShape = (row: Shape): Shape => ({
  command: "string",
  backend: { name: "string" },
  startedAt: "string",
  durationS: "number",
  rows: [row],
});

/** data/rlhf/sweep.json (notebook 04, sections 6–7), checked; a missing or stale file names its command. */
export function readRmSweep(file = RM_RECORDS.sweep.file): RmRecord<SweepRow> {
  return readRecord<RmRecord<SweepRow>>(file, {
    command: RM_RECORDS.sweep.command,
    shape: rmRecordShape({
      study: "string",
      groups: "number",
      seed: "number",
      likelihoodWeight: "number",
      lengthBias: "number",
      eval: RM_EVAL_SHAPE,
    }),
  });
}

/** data/rlhf/rm_seeds.json (notebook 04, section 5), checked; a missing or stale file names its command. */
export function readRmSeeds(file = RM_RECORDS.seeds.file): RmRecord<SeedStudyRow> {
  return readRecord<RmRecord<SeedStudyRow>>(file, {
    command: RM_RECORDS.seeds.command,
    shape: rmRecordShape({
      member: "string",
      seeds: "number[]",
      heldOut: RM_EVAL_SHAPE,
      fresh: {
        responses: "number",
        prompts: "number",
        spearman: "number",
        lo: "number",
        hi: "number",
        between: "number",
        within: "number",
      },
    }),
  });
}
