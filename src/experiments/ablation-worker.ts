/**
 * A child process of the ablation grids (./ablation-grids.ts): loads the
 * word facts once, then runs the jobs it is sent (models load on first use).
 */
import type { AblationJob } from "./ablation";
import { loadAblationInputs, runAblationJob } from "./ablation";
import { serveJobs } from "./pool";

serveJobs(() => {
  const inputs = loadAblationInputs();
  return (job: AblationJob, progress) => runAblationJob(inputs, job, progress);
});
