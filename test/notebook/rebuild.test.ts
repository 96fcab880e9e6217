import { strict as assert } from "assert";
import * as os from "os";
import { rebuild } from "../../src/notebook/rebuild";

describe("notebook/rebuild: a record's command run from a notebook", () => {
  it("prints the command's output line by line, and resolves when it exits 0", async () => {
    const lines: string[] = [];
    await rebuild(`node -e "console.log('one'); console.error('two'); process.stdout.write('three')"`, {
      print: (l) => lines.push(l),
    });
    assert.equal(
      lines[0],
      `$ node -e "console.log('one'); console.error('two'); process.stdout.write('three')"`,
    );
    assert.deepEqual(lines.slice(1, -1).sort(), ["one", "three", "two"]);
    assert.match(lines.at(-1)!, /done in \d+\.\d min$/);
  });

  it("rejects naming the command when it fails", async () => {
    const lines: string[] = [];
    await assert.rejects(
      rebuild(`node -e "process.exit(3)"`, { cwd: os.tmpdir(), print: (l) => lines.push(l) }),
      /node -e "process.exit\(3\)" exited with code 3/,
    );
  });
});
