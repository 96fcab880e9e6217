import { strict as assert } from "assert";
import { displayBundle, escapeHtml, inNotebook, LiveDisplay } from "../../src/display/channel";

type Msg = { data: Record<string, unknown>; transient: { display_id?: string } };

describe("display channel", () => {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  let sent: { msg: Msg; update: boolean }[];
  afterEach(() => {
    jupyter.lastWriteDisplayData = null;
  });

  /** Pretend to be inside tslab: install a display writer like its kernel does. */
  function enterNotebook() {
    sent = [];
    jupyter.lastWriteDisplayData = (msg: Msg, update: boolean) => sent.push({ msg, update });
  }

  it("is not in a notebook in plain Node", () => {
    assert.equal(inNotebook(), false);
    assert.equal(displayBundle({ "text/plain": "x" }), false);
  });

  it("sends one display_data with every mime type of a bundle inside tslab", () => {
    enterNotebook();
    assert.equal(inNotebook(), true);
    assert.equal(displayBundle({ "text/html": "<b>x</b>", "text/plain": "x" }), true);
    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(sent[0].msg.data), ["text/html", "text/plain"]);
    assert.equal(sent[0].update, false);
  });

  it("replaces a live display in place after its first showing", () => {
    enterNotebook();
    const live = new LiveDisplay();
    live.update({ "text/plain": "1" });
    live.update({ "text/plain": "2" });
    assert.deepEqual(
      sent.map((s) => s.update),
      [false, true],
    );
    assert.ok(sent[0].msg.transient.display_id);
    assert.equal(sent[0].msg.transient.display_id, sent[1].msg.transient.display_id);
  });

  it("escapes HTML special characters", () => {
    assert.equal(escapeHtml(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  });
});
