/**
 * A child process of the pool (./pool.ts) for DPO runs: loads the SFT model
 * and the comparisons, with the reference's log-probs, once; then trains and
 * measures the runs it is sent.
 */
import { DpoJob, loadDpoInputs, runDpoJob } from "./dpo";
import { serveJobs } from "./pool";

serveJobs((o: { quick: boolean }) => {
  const inputs = loadDpoInputs({ quick: o.quick });
  return (job: DpoJob, progress) => runDpoJob(inputs, job, progress);
});
