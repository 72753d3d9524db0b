import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreCorruptError } from '@retain/core';
import { decodeSafetensors, encodeSafetensors } from '../src/index.js';

const tensors = [
  { name: 'fc0.weight', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) },
  { name: 'fc0.bias', shape: [2], data: new Float32Array([-1, 0.25]) },
];

describe('safetensors', () => {
  it('round-trips tensors and metadata, with an 8-byte aligned header', () => {
    const buf = encodeSafetensors(tensors, { format: 'pt' });
    expect(Number(buf.readBigUInt64LE(0)) % 8).toBe(0);
    const back = decodeSafetensors(buf);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(back.tensors.map((t) => [t.name, t.shape, [...t.data]])).toEqual(
      tensors.map((t) => [t.name, t.shape, [...t.data]]),
    );
  });

  it('is readable by an independent reader (Python stdlib: struct, json, array)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'st-')), 'm.safetensors');
    fs.writeFileSync(file, encodeSafetensors(tensors));
    const py = `
import json, struct, sys, array
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n])
out = {}
for k, v in h.items():
    if k == '__metadata__': continue
    s, e = v['data_offsets']
    a = array.array('f'); a.frombytes(b[8+n+s:8+n+e])
    out[k] = {'shape': v['shape'], 'dtype': v['dtype'], 'data': list(a)}
print(json.dumps(out, sort_keys=True))`;
    const parsed = JSON.parse(execFileSync('python3', ['-c', py, file], { encoding: 'utf8' }));
    expect(parsed['fc0.weight']).toEqual({ shape: [2, 3], dtype: 'F32', data: [1, 2, 3, 4, 5, 6.5] });
    expect(parsed['fc0.bias']).toEqual({ shape: [2], dtype: 'F32', data: [-1, 0.25] });
  });

  it('rejects a truncated or foreign file with StoreCorruptError', () => {
    const buf = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(buf.subarray(0, buf.length - 4))).toThrow(StoreCorruptError);
    expect(() => decodeSafetensors(Buffer.from('not a safetensors file'))).toThrow(StoreCorruptError);
  });
});
