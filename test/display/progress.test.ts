import { strict as assert } from "assert";
import {
  formatDuration,
  formatMetrics,
  formatRate,
  progress,
  progressHtml,
  progressText,
  ProgressState,
  secondsLeft,
  track,
} from "../../src/display/progress";

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  label: "train",
  count: 25,
  total: 100,
  elapsed: 5,
  metrics: {},
  done: false,
  ...over,
});

/** A fake terminal or log file plus a clock the test moves. */
function fakeStream(isTTY: boolean) {
  const lines: string[] = [];
  let t = 0;
  return {
    stream: { isTTY, write: (s: string) => lines.push(s) },
    lines,
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("progress formatting", () => {
  it("formats durations as m:ss or h:mm:ss", () => {
    assert.equal(formatDuration(7), "0:07");
    assert.equal(formatDuration(725), "12:05");
    assert.equal(formatDuration(3723), "1:02:03");
    assert.equal(formatDuration(NaN), "--:--");
  });

  it("formats fast loops as it/s and slow ones as s/it", () => {
    assert.equal(formatRate(12.34), "12.3 it/s");
    assert.equal(formatRate(250.4), "250 it/s");
    assert.equal(formatRate(0.25), "4.0 s/it");
    assert.equal(formatRate(0), "-- it/s");
  });

  it("formats metrics to 4 significant digits", () => {
    assert.equal(
      formatMetrics({ loss: 0.123456, lr: 0.001, phase: "warmup" }),
      "loss=0.1235 lr=0.001 phase=warmup",
    );
  });

  it("estimates time left from the average rate", () => {
    assert.equal(secondsLeft(state()), 15);
    assert.ok(Number.isNaN(secondsLeft(state({ count: 0 }))));
  });

  it("shows count, bar, percent, rate, time left and metrics on one line", () => {
    assert.equal(
      progressText(state({ metrics: { loss: 1.5 } }), 8),
      "train 25/100 [██░░░░░░] 25% | 5.0 it/s | 0:15 left | loss=1.5",
    );
  });

  it("shows the total time once done", () => {
    assert.match(progressText(state({ count: 100, done: true })), /100% \| 20\.0 it\/s \| took 0:05$/);
  });

  it("renders an HTML <progress> element for notebooks", () => {
    assert.match(progressHtml(state()), /<progress value="25" max="100"/);
  });
});

describe("progress bar", () => {
  it("redraws one line with \\r on a terminal, at most once per interval", () => {
    const f = fakeStream(true);
    const bar = progress(10, { label: "x", stream: f.stream, now: f.now, interval: 100 });
    bar.tick();
    bar.tick(); // same instant: throttled
    f.advance(150);
    bar.tick(1, { loss: 2 });
    bar.done();
    assert.equal(f.lines.length, 3);
    assert.ok(f.lines.every((l) => l.startsWith("\r")));
    assert.match(f.lines[1], /3\/10 .* loss=2/);
    assert.ok(f.lines[2].endsWith("\n"));
  });

  it("prints a line per 10% and a final line when output is not a terminal", () => {
    const f = fakeStream(false);
    const bar = progress(100, { stream: f.stream, now: f.now, interval: 0 });
    for (let i = 0; i < 100; i++) {
      f.advance(10);
      bar.tick();
    }
    bar.done();
    assert.equal(f.lines.length, 10); // 10%..90%, then the final line
    assert.match(f.lines[9], /100\/100 .* took 0:01/);
  });

  it("tracks an iterable and yields every item", () => {
    const f = fakeStream(false);
    const seen = [...track([1, 2, 3], { stream: f.stream, now: f.now })];
    assert.deepEqual(seen, [1, 2, 3]);
    assert.match(f.lines[f.lines.length - 1], /3\/3/);
  });

  it("rejects a negative total", () => {
    assert.throws(() => progress(-1), /total must be a number >= 0/);
  });
});
