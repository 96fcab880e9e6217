import * as assert from "assert";
import { DEFAULT_CANDIDATES, selectBackend, tf } from "../src/backend";

const missing = (pkg: string) => ({
  name: "tensorflow",
  provider: pkg,
  load: () => {
    throw new Error(`Cannot find module '${pkg}'`);
  },
});

describe("backend", () => {
  after(() => selectBackend(DEFAULT_CANDIDATES, undefined));

  it("prefers native backends and falls through to wasm when they are not installed", async () => {
    const info = await selectBackend(
      [
        missing("@tensorflow/tfjs-node-gpu"),
        missing("@tensorflow/tfjs-node"),
        ...DEFAULT_CANDIDATES.slice(2),
      ],
      undefined,
    );
    assert.strictEqual(info.name, "wasm");
    assert.strictEqual(tf.getBackend(), "wasm");
  });

  it("picks the default list's best backend here (no native package installed): wasm", async () => {
    assert.strictEqual((await selectBackend(DEFAULT_CANDIDATES, undefined)).name, "wasm");
  });

  it("leaves no process-wide handler that turns an unhandled rejection into a crash", async () => {
    await selectBackend(DEFAULT_CANDIDATES, "wasm");
    for (const e of ["uncaughtException", "unhandledRejection"]) {
      assert.ok(
        (process as NodeJS.EventEmitter).listeners(e).every((l) => !/throw reason|throw ex/.test(String(l))),
        `${e} handler from the wasm module is still installed`,
      );
    }
  });

  it("honours a forced backend", async () => {
    assert.strictEqual((await selectBackend(DEFAULT_CANDIDATES, "cpu")).name, "cpu");
  });

  it("fails loudly when a forced backend cannot start, listing why", async () => {
    await assert.rejects(
      selectBackend([missing("@tensorflow/tfjs-node")], "tensorflow"),
      /forced TUNING_LAB_BACKEND=tensorflow[\s\S]*Cannot find module/,
    );
    await assert.rejects(
      selectBackend(DEFAULT_CANDIDATES, "webgpu"),
      /TUNING_LAB_BACKEND=webgpu is not a backend; use one of: tensorflow, wasm, cpu/,
    );
  });
});
