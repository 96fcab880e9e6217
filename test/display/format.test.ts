import { strict as assert } from "assert";
import {
  ci,
  f2,
  f3,
  minutes,
  pctCi,
  pctRange,
  plusMinus,
  seedInterval,
  valueRange,
} from "../../src/display/format";
import { pct } from "../../src/display/report";

describe("display/format: how numbers are written", () => {
  const i = { mean: 0.71234, lo: 0.69851, hi: 0.72617 };

  it("writes fixed decimals", () => {
    assert.equal(f2(0.71234), "0.71");
    assert.equal(f3(0.71234), "0.712");
    assert.equal(f3(-0.0004), "-0.000");
  });

  it("writes a mean with its interval, with 'to' or an en dash", () => {
    assert.equal(ci(i), "0.712 (0.699 to 0.726)");
    assert.equal(valueRange(i.mean, i), "0.712 (0.699–0.726)");
    assert.equal(valueRange(0.5, { lo: 0.41, hi: 0.6 }, 2), "0.50 (0.41–0.60)");
  });

  it("writes shares as percentages, the interval's bounds cut to [0, 1]", () => {
    assert.equal(pct(0.1234), "12.3%");
    assert.equal(pctRange({ lo: 0.724, hi: 0.789 }), "72.4%–78.9%");
    assert.equal(pctCi({ mean: 0.758, lo: 0.724, hi: 0.789 }), "75.8% (72.4%–78.9%)");
    assert.equal(pctCi({ rate: 0.758, lo: 0.724, hi: 0.789 }), "75.8% (72.4%–78.9%)", "a Wilson rate");
    assert.equal(pctCi({ mean: 0.005, lo: -0.004, hi: 1.02 }), "0.5% (0.0%–100.0%)");
  });

  it("writes a cell over seeds with its interval in brackets, or as one run", () => {
    assert.equal(seedInterval({ mean: 0.412, lo: -0.1, hi: 0.474, n: 3 }), "41.2% [0.0%, 47.4%]");
    assert.equal(seedInterval({ mean: 0.412, lo: 0.412, hi: 0.412, n: 1 }), "41.2% (one run)");
  });

  it("writes a mean ± sd in any format, and seconds as minutes", () => {
    assert.equal(plusMinus({ mean: 0.7123, sd: 0.0041 }), "0.712 ± 0.004");
    assert.equal(plusMinus({ mean: 0.7123, sd: 0.0041 }, pct), "71.2% ± 0.4%");
    assert.equal(minutes(962.781), "16.0");
    assert.equal(minutes(962.781, 0), "16");
  });
});
