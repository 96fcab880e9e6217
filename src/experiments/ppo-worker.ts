/**
 * A child process of the pool (./pool.ts) for PPO runs: loads the SFT model,
 * reward model, prompts, pretraining tokens and the knowledge probe once,
 * then trains and measures the runs it is sent.
 */
import { knowledgeItems, loadPpoInputs, pretrainingTokens } from "./ppo";
import { PpoJob, runSweepJob } from "./ppo-sweep";
import { serveJobs } from "./pool";

serveJobs((_: null) => {
  const inputs = loadPpoInputs();
  const ptx = pretrainingTokens(inputs);
  const cloze = knowledgeItems();
  return (job: PpoJob, progress) => runSweepJob(inputs, job, { ptx, cloze, progress });
});
