import * as assert from "assert";
import * as path from "path";
import { readPreferenceJsonl } from "../../src/data/sft-data";
import { dpoJobLabel } from "../../src/experiments/dpo";
import { OFFLINE, offlinePrompts, offlineRecords, pairGold } from "../../src/experiments/dpo-offline";
import { RLHF_FILES } from "../../src/data/paths";

describe("experiments/dpo-offline: online against offline pairs", () => {
  const sft = readPreferenceJsonl(RLHF_FILES.trainPairs);

  it("takes every 3rd prompt that has SFT pairs, under the ids the committed pairs use", () => {
    const { items, ids } = offlinePrompts(sft);
    const committed = [...new Set(sft.map((r) => r.meta!.prompt_id!))];
    assert.equal(items.length, Math.ceil(committed.length / OFFLINE.every));
    assert.ok(ids.every((id) => committed.includes(id)));
    assert.equal(new Set(ids).size, ids.length);
  });

  it("keeps exactly the SFT pairs of the study's prompts", () => {
    const online = offlineRecords("sft", sft);
    const ids = new Set(offlinePrompts(sft).ids);
    assert.ok(online.length > 0 && online.length < sft.length);
    assert.ok(online.every((r) => ids.has(r.meta!.prompt_id!)));
    assert.equal(online.length, sft.filter((r) => ids.has(r.meta!.prompt_id!)).length);
    const g = pairGold(online);
    assert.ok(g.chosen >= g.rejected, "raters mostly prefer the better response");
  });

  it("names the command that makes the base model's pairs when they are missing", () => {
    assert.throws(
      () => offlineRecords("base", sft, { basePairs: path.join("/nonexistent", "pairs.jsonl") }),
      /missing; make it with npm run dpo -- --offline/,
    );
  });

  it("labels the runs by the source of their pairs", () => {
    const job = { study: "offline" as const, pairs: "base" as const, config: { seed: 1 } };
    assert.equal(dpoJobLabel(job), "DPO on base-model (offline) pairs seed 1");
    assert.equal(dpoJobLabel({ ...job, pairs: "sft" }), "DPO on SFT (online) pairs seed 1");
  });
});
