import { strict as assert } from "assert";
import * as aq from "arquero";
import { moreRowsNote, show, tableHtml, tableText } from "../../src/display/table";
import { captureConsole } from "./helpers";

const table = aq.table({
  step: Array.from({ length: 25 }, (_, i) => i),
  loss: Array.from({ length: 25 }, (_, i) => 1 / (i + 1)),
});

describe("show", () => {
  it("renders an arquero table as an HTML table cut to the row limit", () => {
    const html = tableHtml(table, { limit: 5 });
    assert.match(html, /<table/);
    assert.equal(html.match(/<tr/g)?.length, 6); // header + 5 rows
    assert.match(html, /20 more rows \(25 in all\)/);
  });

  it("adds no note when every row fits", () => {
    assert.doesNotMatch(tableHtml(table, { limit: 100 }), /more rows/);
    assert.equal(moreRowsNote(3, 20), "");
  });

  it("escapes the caption", () => {
    assert.match(tableHtml(table, { caption: "a <b> c" }), /a &lt;b&gt; c/);
  });

  it("rounds numbers to maxdigits", () => {
    assert.match(tableText(table, { limit: 3, maxdigits: 2 }), /\|0\.33\|/);
  });

  it("prints a markdown table with the note outside a notebook", () => {
    const out = captureConsole(() => show(table, { limit: 2 }));
    assert.match(out.log, /\|step\|loss\|/);
    assert.match(out.log, /23 more rows/);
  });

  it("rejects something that is not a table", () => {
    assert.throws(() => show([1, 2] as never), /expected an arquero table/);
  });
});
