import * as assert from "assert";
import {
  decodeSafetensors,
  encodeSafetensors,
  expectTensor,
  halfToFloat,
  NamedTensor,
} from "../../src/model/safetensors";

const tensors: NamedTensor[] = [
  { name: "a.weight", shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: "a.bias", shape: [3], data: Float32Array.from([-0.5, 0, 1e-7]) },
  { name: "scalar", shape: [], data: Float32Array.from([42]) },
];

/** A file with a hand-written header over `body` (for dtypes and corruptions the writer never makes). */
function rawFile(header: object, body: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, body]);
}

describe("model/safetensors", () => {
  it("round-trips names, shapes, values and metadata", () => {
    const bytes = encodeSafetensors(tensors, { format: "pt" });
    const back = decodeSafetensors(bytes, "x.safetensors");
    assert.deepStrictEqual(back.metadata, { format: "pt" });
    assert.deepStrictEqual([...back.tensors.keys()], ["a.weight", "a.bias", "scalar"]);
    for (const t of tensors) {
      assert.deepStrictEqual(back.tensors.get(t.name)!.shape, t.shape);
      assert.deepStrictEqual(back.tensors.get(t.name)!.data, t.data);
    }
  });

  it("writes the layout of the format: u64 LE header length, JSON padded to 8 bytes, contiguous offsets", () => {
    const bytes = encodeSafetensors(tensors);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.strictEqual((8 + n) % 8, 0, "data starts on an 8-byte boundary");
    const header = JSON.parse(bytes.toString("utf8", 8, 8 + n));
    assert.deepStrictEqual(header["a.weight"], { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
    assert.deepStrictEqual(header["a.bias"].data_offsets, [24, 36]);
    assert.deepStrictEqual(header["scalar"].data_offsets, [36, 40]);
    assert.strictEqual(bytes.byteLength, 8 + n + 40);
    assert.strictEqual(bytes.readFloatLE(8 + n + 4 * 5), 6, "row-major little-endian float32");
  });

  it("reads F16 and BF16 into float32", () => {
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00, 0x7bff]);
    const bf16 = Uint16Array.from([0x3f80, 0xc020]); // 1, -2.5
    const body = Buffer.concat([Buffer.from(f16.buffer), Buffer.from(bf16.buffer)]);
    const file = rawFile(
      {
        h: { dtype: "F16", shape: [6], data_offsets: [0, 12] },
        b: { dtype: "BF16", shape: [2], data_offsets: [12, 16] },
      },
      body,
    );
    const t = decodeSafetensors(file, "half.safetensors").tensors;
    assert.deepStrictEqual([...t.get("h")!.data], [1, -2, 0.5, 2 ** -24, Infinity, 65504]);
    assert.deepStrictEqual([...t.get("b")!.data], [1, -2.5]);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });

  it("names the tensor and the sizes when the body is truncated", () => {
    const bytes = encodeSafetensors(tensors);
    assert.throws(
      () => decodeSafetensors(bytes.subarray(0, bytes.byteLength - 6), "w.safetensors"),
      /w\.safetensors is truncated: tensor "a\.bias" needs data bytes 24\.\.36, the file holds 34 bytes of data/,
    );
    assert.throws(
      () => decodeSafetensors(bytes.subarray(0, 20), "w.safetensors"),
      /w\.safetensors is truncated or not a safetensors file: the header claims \d+ bytes, the file has 20/,
    );
  });

  it("names the tensor whose dtype or offsets are wrong", () => {
    const body = new Uint8Array(16);
    assert.throws(
      () => decodeSafetensors(rawFile({ x: { dtype: "F64", shape: [2], data_offsets: [0, 16] } }, body), "f"),
      /f: tensor "x" has dtype "F64"; this reader takes F32, F16, BF16/,
    );
    assert.throws(
      () => decodeSafetensors(rawFile({ x: { dtype: "F32", shape: [3], data_offsets: [0, 16] } }, body), "f"),
      /f: tensor "x" has shape \[3\] of F32 \(12 bytes\) but data_offsets span 16 bytes/,
    );
    assert.throws(() => decodeSafetensors(rawFile([1, 2], body), "f"), /f: the header is not a JSON object/);
  });

  it("expectTensor names a missing tensor and a wrong shape", () => {
    const map = decodeSafetensors(encodeSafetensors(tensors), "m.safetensors").tensors;
    assert.deepStrictEqual(expectTensor("m", map, "a.bias", [3]), tensors[1].data);
    assert.throws(() => expectTensor("m", map, "b.bias", [3]), /m: tensor "b\.bias" is missing/);
    assert.throws(
      () => expectTensor("m", map, "a.weight", [3, 2]),
      /m: tensor "a\.weight" has shape \[2,3\], the model config needs \[3,2\]/,
    );
  });

  it("refuses to write a tensor whose values do not fill its shape, or a name twice", () => {
    assert.throws(
      () => encodeSafetensors([{ name: "x", shape: [2, 2], data: new Float32Array(3) }]),
      /"x" has shape \[2,2\] but 3 values/,
    );
    assert.throws(() => encodeSafetensors([tensors[1], tensors[1]]), /duplicate tensor name "a\.bias"/);
  });
});
