/**
 * A child process of the ablation pool (./pool.ts): loads the SFT inputs once,
 * then runs the arms it is sent, one at a time, reporting steps and results.
 */
import { initBackend } from "../backend";
import type { FromWorker, ToWorker } from "./pool";
import { loadSftInputs, runArm, SftInputs } from "./sft";

const send = (m: FromWorker) => process.send!(m);
let inputs: SftInputs | undefined;

process.on("message", (m: ToWorker) => {
  void (async () => {
    if (m.type === "init") {
      await initBackend({ quiet: true });
      inputs = loadSftInputs(m.inputs);
      send({ type: "ready" });
      return;
    }
    try {
      const result = await runArm(inputs!, m.arm, m.base, {
        sets: m.sets,
        maxNewTokens: m.maxNewTokens,
        progress: { tick: (n = 1) => send({ type: "tick", n }), done: () => undefined },
      });
      send({ type: "result", index: m.index, result });
    } catch (e) {
      send({ type: "error", index: m.index, message: e instanceof Error ? e.message : String(e) });
    }
  })();
});
process.on("disconnect", () => process.exit(0));
