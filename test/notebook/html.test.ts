import { strict as assert } from "assert";
import { plotBundle } from "../../src/display/plot";
import { hasPlots, notebookHtml, outputHtml } from "../../src/notebook/html";
import { Notebook } from "../../src/notebook/ipynb";
import { tinyNotebook } from "./helpers";

const FAKE_PLOTLY = "window.Plotly = {}; /* fake library </script> */";

function withOutputs(outputs: unknown[]): Notebook {
  const nb = tinyNotebook("x") as unknown as Notebook;
  nb.cells[1].outputs = outputs as Notebook["cells"][0]["outputs"];
  return nb;
}

describe("notebook HTML export", () => {
  const plotOut = {
    output_type: "display_data",
    metadata: {},
    data: plotBundle({ data: [{ x: [1], y: [2] }] }),
  };

  it("renders markdown cells and escapes code", () => {
    const nb = tinyNotebook("const a = 1 < 2;");
    const html = notebookHtml(nb as unknown as Notebook, "t");
    assert.match(html, /<h1>A <em>tiny<\/em> notebook<\/h1>/);
    assert.match(html, /const a = 1 &lt; 2;/);
  });

  it("inlines plotly exactly once, and only on pages with plots", () => {
    const page = notebookHtml(withOutputs([plotOut, plotOut]), "t", FAKE_PLOTLY);
    assert.equal(page.split("window.Plotly = {}").length - 1, 1);
    assert.match(page, /fake library <\\\/script>/); // cannot end the inline script early
    assert.ok(!notebookHtml(withOutputs([]), "t", FAKE_PLOTLY).includes("window.Plotly = {}"));
    assert.ok(hasPlots(withOutputs([plotOut])));
  });

  it("shows streams as text without terminal colour codes", () => {
    const html = outputHtml({ output_type: "stream", name: "stderr", text: "\x1b[31m<oops>\x1b[0m" });
    assert.equal(html, '<pre class="stream stderr">&lt;oops&gt;</pre>');
  });

  it("prefers HTML, then images, then plain text", () => {
    const out = (data: Record<string, unknown>) =>
      outputHtml({ output_type: "display_data", metadata: {}, data });
    assert.match(out({ "text/html": "<b>h</b>", "text/plain": "p" }), /<b>h<\/b>/);
    assert.match(
      out({ "image/png": "iVBOR", "text/plain": "p" }),
      /<img src="data:image\/png;base64,iVBOR">/,
    );
    assert.match(out({ "text/plain": "<p>" }), /&lt;p&gt;/);
  });

  it("draws a plotly-only output through the same HTML as plot()", () => {
    const html = outputHtml({
      output_type: "display_data",
      metadata: {},
      data: { "application/vnd.plotly.v1+json": { data: [] } },
    });
    assert.match(html, /tuning-lab-plot/);
  });
});
