/**
 * A child process of the pool (./pool.ts) for RLAIF runs: reads the label
 * sets and SL-CAI data the parent wrote, loads the SFT model and the
 * comparison groups with the reference's log-probs once, then trains and
 * measures the runs it is sent.
 */
import * as fs from "fs";
import { loadRlaifInputs, RlaifHandoff, RlaifJob, RlaifWorkerInputs, runRlaifJob } from "./rlaif";
import { serveJobs } from "./pool";

serveJobs((o: RlaifWorkerInputs) => {
  const inputs = loadRlaifInputs(JSON.parse(fs.readFileSync(o.file, "utf8")) as RlaifHandoff);
  return (job: RlaifJob, progress) => runRlaifJob(inputs, job, progress);
});
