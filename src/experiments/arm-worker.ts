/**
 * A child process of the ablation pool (./pool.ts): loads the SFT inputs once,
 * then runs the arms it is sent, one at a time, reporting steps and results.
 */
import type { ArmJob, InputOptions } from "./arm";
import { serveJobs } from "./pool";
import { loadSftInputs, runArm } from "./sft";

serveJobs((options: InputOptions) => {
  const inputs = loadSftInputs(options);
  return (j: ArmJob, progress) =>
    runArm(inputs, j.arm, j.base, { sets: j.sets, maxNewTokens: j.maxNewTokens, progress });
});
