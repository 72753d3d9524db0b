import { StoreCorruptError } from '@retain/core';

/** One F32 tensor of a safetensors file. */
export interface SafetensorsTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/**
 * Encode tensors in the safetensors format (8-byte little-endian header length, JSON header padded with
 * spaces to 8-byte alignment, then the raw little-endian data), readable by Python's `safetensors` and PyTorch.
 */
export function encodeSafetensors(tensors: readonly SafetensorsTensor[], metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new StoreCorruptError(t.name, `shape ${t.shape.join('x')} does not match ${t.data.length} values`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (isLittleEndian) bytes.copy(out, pos);
    else for (let i = 0; i < t.data.length; i++) out.writeFloatLE(t.data[i]!, pos + 4 * i);
    pos += t.data.byteLength;
  }
  return out;
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Decode a safetensors buffer of F32 tensors; anything else is a StoreCorruptError. */
export function decodeSafetensors(buf: Buffer): { tensors: SafetensorsTensor[]; metadata: Record<string, string> } {
  if (buf.length < 8) throw new StoreCorruptError('safetensors', 'file shorter than its header length');
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) throw new StoreCorruptError('safetensors', `header length ${n} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch (err) {
    throw new StoreCorruptError('safetensors', 'header is not JSON', err);
  }
  const base = 8 + n;
  const tensors: SafetensorsTensor[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (e.dtype !== 'F32') throw new StoreCorruptError(`safetensors.${name}`, `dtype ${e.dtype} is not F32`);
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== 4 * count || base + end > buf.length) {
      throw new StoreCorruptError(`safetensors.${name}`, 'data offsets do not match the shape or the file');
    }
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = buf.readFloatLE(base + begin + 4 * i);
    tensors.push({ name, shape: e.shape, data });
  }
  tensors.sort((a, b) => {
    const ea = header[a.name] as { data_offsets: [number, number] };
    const eb = header[b.name] as { data_offsets: [number, number] };
    return ea.data_offsets[0] - eb.data_offsets[0];
  });
  return { tensors, metadata };
}
