import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  checkFigureName,
  closeFigureBrowser,
  CHROMIUM_ARGS,
  figuresDir,
  findChromium,
  saveFigure,
} from "../../src/display/figures";
import { captureConsoleAsync } from "./helpers";

const figure = { data: [{ type: "bar", x: ["a", "b"], y: [2, 3] }], layout: { title: { text: "Bars" } } };
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Run `fn` with an environment variable set, restoring it afterwards. */
async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

describe("saveFigure", function () {
  this.timeout(60000); // the first export starts Chromium and loads plotly
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-figures-"));
  });
  after(async () => {
    await closeFigureBrowser();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("rejects names with folders or '..' before doing any work", async () => {
    for (const bad of ["../x", "a/b", "a\\b", "..", ".hidden", ""]) {
      await assert.rejects(saveFigure(figure, bad, { dir }), /bad figure name/, bad);
    }
  });

  it("drops a .png or .svg suffix from the name", () => {
    assert.equal(checkFigureName("loss.png"), "loss");
  });

  it("rejects a figure without traces", async () => {
    await assert.rejects(saveFigure({ data: [] }, "empty", { dir }), /no traces/);
  });

  it("writes nothing and says so once when export is switched off", async () => {
    await closeFigureBrowser();
    const r = await withEnv("TUNING_LAB_CHROMIUM", "none", () =>
      captureConsoleAsync(async () => [
        await saveFigure(figure, "off", { dir }),
        await saveFigure(figure, "off2", { dir }),
      ]),
    );
    await closeFigureBrowser();
    assert.deepEqual(r.value, [[], []]);
    assert.equal(r.warn.match(/figure export is off/g)?.length, 1);
    assert.ok(!fs.existsSync(path.join(dir, "off.png")));
  });

  it("names a TUNING_LAB_CHROMIUM that does not exist", () => {
    assert.throws(() => findChromium({ TUNING_LAB_CHROMIUM: "/nope/chrome" }), /no such file/);
  });

  it("launches Chromium with exactly the documented flags", () => {
    assert.deepEqual(CHROMIUM_ARGS, [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ]);
  });

  it("puts figures in TUNING_LAB_FIGURES_DIR, else build/figures", () => {
    assert.equal(figuresDir({ TUNING_LAB_FIGURES_DIR: "/tmp/f" }), "/tmp/f");
    assert.equal(figuresDir({}), path.resolve("build", "figures"));
  });

  it("writes a valid PNG and SVG and returns their paths", async function () {
    if (!findChromium()) {
      console.log("      (skipped: no Chromium on this machine; apt-get install chromium)");
      this.skip();
    }
    const files = await saveFigure(figure, "bars", { dir, width: 400, height: 300 });
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ["bars.png", "bars.svg"],
    );
    const png = fs.readFileSync(path.join(dir, "bars.png"));
    assert.ok(png.subarray(0, 8).equals(PNG_MAGIC), "PNG signature");
    assert.equal(png.readUInt32BE(16), 800, "width 400 at scale 2"); // IHDR width
    const svg = fs.readFileSync(path.join(dir, "bars.svg"), "utf8");
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /class="bars"|class="point"/); // the bar traces were drawn
    assert.match(svg, /Bars/); // the title
  });

  it("reuses the browser for later figures", async function () {
    if (!findChromium()) this.skip();
    const started = Date.now();
    await saveFigure(figure, "bars-again", { dir });
    assert.ok(Date.now() - started < 5000, "a second export needs no new browser");
  });
});
