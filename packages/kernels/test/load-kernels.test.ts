// Backend selection: explicit option, RETAIN_KERNELS, fallback with a reason, caching. The native loader
// is replaced by a controllable fake so these tests do not depend on whether a binary is built.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetainError } from '@retain/core';
import { createTsKernels, loadKernels } from '../src/index.js';
import { loadNativeRaw } from '../src/native.js';

const fake = vi.hoisted(() => ({ available: false }));

vi.mock('../src/native.js', async () => {
  const { RetainError: Err } = await import('@retain/core');
  const { createTsRawKernels } = await import('../src/ts/ts-backend.js');
  return {
    loadNativeRaw: vi.fn((path?: string) => {
      if (!fake.available) throw new Err('E_NATIVE_UNAVAILABLE', `no binary at ${path ?? 'default'}`);
      return { raw: createTsRawKernels(), info: { version: '9.9.9', cpuFeatures: ['fake-avx'] } };
    }),
  };
});

afterEach(() => {
  vi.unstubAllEnvs();
  fake.available = false;
  vi.mocked(loadNativeRaw).mockClear();
});

describe('loadKernels', () => {
  it("backend 'ts' gives the TS kernels with no CPU features and the package version, never loading native", () => {
    fake.available = true;
    const k = loadKernels({ backend: 'ts', nativePath: '/a.node' });
    expect(k.backend).toBe('ts');
    expect(k.info).toMatchObject({ backend: 'ts', cpuFeatures: [], version: '0.1.0' });
    expect(k.info.fallbackReason).toBeUndefined();
    expect(loadNativeRaw).not.toHaveBeenCalled();
  });

  it('caches one instance per backend and path', () => {
    expect(loadKernels({ backend: 'ts' })).toBe(loadKernels({ backend: 'ts' }));
    fake.available = true;
    const a = loadKernels({ backend: 'native', nativePath: '/cache.node' });
    expect(loadKernels({ backend: 'native', nativePath: '/cache.node' })).toBe(a);
    expect(loadNativeRaw).toHaveBeenCalledTimes(1);
  });

  it("backend 'native' uses the native loader with the given path and reports its info", () => {
    fake.available = true;
    const k = loadKernels({ backend: 'native', nativePath: '/native.node' });
    expect(loadNativeRaw).toHaveBeenCalledWith('/native.node');
    expect(k.info).toEqual({ backend: 'native', version: '9.9.9', cpuFeatures: ['fake-avx'] });
  });

  it("backend 'native' throws E_NATIVE_UNAVAILABLE when native cannot load", () => {
    let err: unknown;
    try {
      loadKernels({ backend: 'native', nativePath: '/missing.node' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RetainError);
    expect((err as RetainError).code).toBe('E_NATIVE_UNAVAILABLE');
  });

  it("'auto' prefers native when it loads", () => {
    fake.available = true;
    expect(loadKernels({ backend: 'auto', nativePath: '/auto-ok.node' }).backend).toBe('native');
  });

  it("'auto' falls back to ts when native cannot load and records why", () => {
    const k = loadKernels({ backend: 'auto', nativePath: '/auto-missing.node' });
    expect(k.backend).toBe('ts');
    expect(k.info.fallbackReason).toBe('no binary at /auto-missing.node');
  });

  it('RETAIN_KERNELS selects the backend when no option is given; an option overrides it', () => {
    fake.available = true;
    vi.stubEnv('RETAIN_KERNELS', 'ts');
    expect(loadKernels().backend).toBe('ts');
    expect(loadNativeRaw).not.toHaveBeenCalled();
    vi.stubEnv('RETAIN_KERNELS', 'native');
    expect(loadKernels({ backend: 'ts' }).backend).toBe('ts');
    expect(loadKernels({ nativePath: '/env.node' }).backend).toBe('native');
  });

  it('rejects an unknown backend in the option or the environment', () => {
    expect(() => loadKernels({ backend: 'gpu' as never })).toThrow(expect.objectContaining({ field: 'backend' }));
    vi.stubEnv('RETAIN_KERNELS', 'gpu');
    expect(() => loadKernels()).toThrow(expect.objectContaining({ field: 'RETAIN_KERNELS' }));
  });

  it('createTsKernels makes an independent instance carrying a fallback reason when given one', () => {
    const k = createTsKernels('because');
    expect(k).not.toBe(loadKernels({ backend: 'ts' }));
    expect(k.info.fallbackReason).toBe('because');
  });
});
