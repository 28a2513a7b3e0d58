import { describe, expect, it } from 'vitest';
import { defineErrors, WireError } from './errors';

const Sample = defineErrors('SampleError', {
  DOWN: { code: 'WIRE_ERR_SAMPLE_DOWN', message: 'sample: the service did not answer', retryable: true },
  BAD: { code: 'WIRE_ERR_SAMPLE_BAD', message: 'sample: input refused', doc: 'fix the input; retrying cannot help' },
});

describe('defineErrors', () => {
  it('names each code for call sites and keeps the specs', () => {
    expect(Sample.codes).toEqual({ DOWN: 'WIRE_ERR_SAMPLE_DOWN', BAD: 'WIRE_ERR_SAMPLE_BAD' });
    expect(Sample.spec('WIRE_ERR_SAMPLE_BAD').doc).toBe('fix the input; retrying cannot help');
  });

  it('makes a WireError class whose retryable follows the catalogue unless the thrower says otherwise', () => {
    const down = new Sample.Error('WIRE_ERR_SAMPLE_DOWN', 'sample at x: refused', { at: 'x' });
    expect(down).toBeInstanceOf(Sample.Error);
    expect(down).toBeInstanceOf(WireError);
    expect(down.name).toBe('SampleError');
    expect(Sample.Error.name).toBe('SampleError');
    expect(down.retryable).toBe(true);
    expect(new Sample.Error('WIRE_ERR_SAMPLE_BAD', 'x').retryable).toBe(false);
    expect(new Sample.Error('WIRE_ERR_SAMPLE_DOWN', 'x', {}, { retryable: false }).retryable).toBe(false);
    expect(down.toJSON()).toEqual({ code: 'WIRE_ERR_SAMPLE_DOWN', message: 'sample at x: refused', details: { at: 'x' } });
  });

  it('builds messages as the catalogue text, then the specifics, with the cause kept', () => {
    const cause = new Error('ECONNRESET');
    const e = Sample.create('WIRE_ERR_SAMPLE_DOWN', 'append failed', { n: 3 }, cause);
    expect(e.message).toBe('sample: the service did not answer: append failed');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ n: 3 });
    expect('cause' in Sample.create('WIRE_ERR_SAMPLE_BAD', 'x')).toBe(false);
  });
});
