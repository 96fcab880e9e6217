import { strict as assert } from "assert";
import { describeFigure, plot, plotBundle, PLOTLY_MIME } from "../../src/display/plot";
import { captureConsole } from "./helpers";

const figure = {
  data: [{ type: "scatter", x: [1, 2, 3], y: [3, 1, 2], name: "loss" }],
  layout: { title: { text: "Loss" }, height: 300 },
};

describe("plot", () => {
  it("bundles plotly's own mime type, HTML and plain text", () => {
    const bundle = plotBundle(figure);
    assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
    assert.deepEqual((bundle[PLOTLY_MIME] as { data: unknown }).data, figure.data);
  });

  it("loads plotly from the Jupyter server instead of inlining the library", () => {
    const html = String(plotBundle(figure)["text/html"]);
    assert.match(html, /files\/node_modules\/plotly\.js-dist-min\/plotly\.min\.js/);
    assert.match(html, /window|w\.Plotly/);
    assert.ok(html.length < 5000, `HTML part is ${html.length} chars; the library must not be inlined`);
  });

  it("sizes the plot div from the layout height", () => {
    assert.match(String(plotBundle(figure)["text/html"]), /height:300px/);
  });

  it("keeps '</script>' in figure text from closing the script early", () => {
    const html = String(plotBundle({ data: [{ x: [1], y: [1], name: "</script><b>" }] })["text/html"]);
    assert.equal(html.match(/<\/script>/g)?.length, 1);
  });

  it("gives every plot its own element id", () => {
    const id = (b: Record<string, unknown>) => /id="([^"]+)"/.exec(String(b["text/html"]))?.[1];
    assert.notEqual(id(plotBundle(figure)), id(plotBundle(figure)));
  });

  it("describes a figure in one line for terminals", () => {
    assert.equal(describeFigure(figure), 'Plotly figure "Loss": 1 trace(s) (scatter)');
  });

  it("prints the description outside a notebook", () => {
    const out = captureConsole(() => plot(figure));
    assert.match(out.log, /Plotly figure "Loss"/);
  });

  it("rejects something that is not a figure", () => {
    assert.throws(() => plot({} as never), /expected a plotly figure/);
  });
});
