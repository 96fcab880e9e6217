/**
 * The safetensors format (Hugging Face's weight files), read and written here
 * without the Python package:
 *
 *   8 bytes   N, the header's length, unsigned little-endian
 *   N bytes   JSON: {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}
 *   the rest  the tensors' bytes, row-major little-endian; offsets count from here
 *
 * We write float32 only and pad the header with spaces so the data starts on
 * an 8-byte boundary (what the Rust writer does). We read F32, F16 and BF16
 * (a fine-tune saved on a GPU is often half precision), always into float32.
 * Every error names the file and, where one is to blame, the tensor.
 */
import * as fs from "fs";
import * as os from "os";

/** One tensor: its name, shape and values (row-major). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Safetensors {
  /** Tensors by name, in the order of their data. */
  tensors: Map<string, NamedTensor>;
  /** The header's `__metadata__` (string to string), `{}` when absent. */
  metadata: Record<string, string>;
}

const BYTES_PER_VALUE = { F32: 4, F16: 2, BF16: 2 } as const;
type Dtype = keyof typeof BYTES_PER_VALUE;

/** The header's length is a u64, but anything past this is not a header (the Rust reader's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/** Typed arrays use the machine's byte order; the format (and checkpoint.ts) is little-endian. */
function assertLittleEndian(): void {
  if (os.endianness() !== "LE") throw new Error("safetensors: this reader/writer needs a little-endian CPU");
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The bytes of a safetensors file holding `tensors` (float32) in the given order. */
export function encodeSafetensors(
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): Buffer {
  assertLittleEndian();
  const header: Record<string, unknown> = { __metadata__: metadata };
  const seen = new Set<string>(["__metadata__"]);
  let offset = 0;
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`safetensors: duplicate tensor name "${t.name}"`);
    seen.add(t.name);
    if (numel(t.shape) !== t.data.length)
      throw new Error(`safetensors: tensor "${t.name}" has shape [${t.shape}] but ${t.data.length} values`);
    const end = offset + t.data.byteLength;
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const body = tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return Buffer.concat([head, Buffer.from(json, "utf8"), ...body]);
}

/** Write `tensors` to `file` as float32 safetensors. */
export function writeSafetensors(
  file: string,
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): void {
  fs.writeFileSync(file, encodeSafetensors(tensors, metadata));
}

/** Read a safetensors file; `source` names it in errors. */
export function decodeSafetensors(bytes: Buffer, source: string): Safetensors {
  assertLittleEndian();
  if (bytes.byteLength < 8)
    throw new Error(`${source} is truncated: ${bytes.byteLength} bytes, too short for the header length`);
  const n = bytes.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES) || 8 + Number(n) > bytes.byteLength) {
    throw new Error(
      `${source} is truncated or not a safetensors file: the header claims ${n} bytes, the file has ${bytes.byteLength}`,
    );
  }
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString("utf8", 8, headerEnd));
  } catch (e) {
    throw new Error(`${source}: the header is not JSON (${(e as Error).message}); not a safetensors file?`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw new Error(`${source}: the header is not a JSON object; not a safetensors file?`);
  const body = bytes.subarray(headerEnd);
  const entries = Object.entries(header as Record<string, unknown>).filter(([k]) => k !== "__metadata__");
  const parsed = entries.map(([name, e]) => parseEntry(source, name, e));
  parsed.sort((a, b) => a.begin - b.begin);
  const tensors = new Map<string, NamedTensor>();
  for (const e of parsed) {
    if (e.end > body.byteLength) {
      throw new Error(
        `${source} is truncated: tensor "${e.name}" needs data bytes ${e.begin}..${e.end}, ` +
          `the file holds ${body.byteLength} bytes of data (${bytes.byteLength} in all, expected at least ${headerEnd + e.end})`,
      );
    }
    tensors.set(e.name, {
      name: e.name,
      shape: e.shape,
      data: toFloat32(body.subarray(e.begin, e.end), e.dtype),
    });
  }
  return { tensors, metadata: parseMetadata(source, (header as Record<string, unknown>).__metadata__) };
}

/** Read the safetensors file at `file`. */
export function readSafetensors(file: string): Safetensors {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  return decodeSafetensors(fs.readFileSync(file), file);
}

interface Entry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(source: string, name: string, e: unknown): Entry {
  const fail = (what: string): never => {
    throw new Error(`${source}: tensor "${name}" ${what}`);
  };
  if (typeof e !== "object" || e === null) return fail("has no {dtype, shape, data_offsets} entry");
  const { dtype, shape, data_offsets: offsets } = e as Record<string, unknown>;
  if (typeof dtype !== "string" || !Object.hasOwn(BYTES_PER_VALUE, dtype))
    return fail(
      `has dtype ${JSON.stringify(dtype)}; this reader takes ${Object.keys(BYTES_PER_VALUE).join(", ")}`,
    );
  const isCount = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) return fail(`has a bad shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
    return fail(`has bad data_offsets ${JSON.stringify(offsets)}; expected [begin, end]`);
  const [begin, end] = offsets as [number, number];
  const bytes = numel(shape) * BYTES_PER_VALUE[dtype as Dtype];
  if (end - begin !== bytes)
    fail(`has shape [${shape}] of ${dtype} (${bytes} bytes) but data_offsets span ${end - begin} bytes`);
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin, end };
}

function parseMetadata(source: string, m: unknown): Record<string, string> {
  if (m === undefined || m === null) return {};
  if (typeof m !== "object" || Array.isArray(m) || !Object.values(m).every((v) => typeof v === "string"))
    throw new Error(`${source}: __metadata__ must map strings to strings`);
  return m as Record<string, string>;
}

/** float32 values of little-endian bytes in `dtype`; always a copy (the file's buffer may be unaligned). */
function toFloat32(bytes: Buffer, dtype: Dtype): Float32Array {
  const copy = new Uint8Array(bytes).buffer;
  if (dtype === "F32") return new Float32Array(copy);
  const half = new Uint16Array(copy);
  const out = new Float32Array(half.length);
  if (dtype === "BF16") {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < half.length; i++) bits[i] = half[i] << 16;
  } else {
    for (let i = 0; i < half.length; i++) out[i] = halfToFloat(half[i]);
  }
  return out;
}

/** IEEE 754 binary16 → number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * The values of tensor `name`, checked against the shape the model needs.
 * Throws, naming `source` and the tensor, if it is missing or shaped otherwise.
 */
export function expectTensor(
  source: string,
  tensors: ReadonlyMap<string, NamedTensor>,
  name: string,
  shape: readonly number[],
): Float32Array {
  const t = tensors.get(name);
  if (!t)
    throw new Error(`${source}: tensor "${name}" is missing (the model config needs it, shape [${shape}])`);
  if (t.shape.join() !== shape.join())
    throw new Error(`${source}: tensor "${name}" has shape [${t.shape}], the model config needs [${shape}]`);
  return t.data;
}
