import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce } from './debounce';

describe('debounce', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('calls once with the last arguments after a pause', () => {
		const fn = vi.fn();
		const d = debounce(fn, 250);
		d('a');
		vi.advanceTimersByTime(200);
		d('ab');
		vi.advanceTimersByTime(200);
		d('abc');
		expect(fn).not.toHaveBeenCalled();
		vi.advanceTimersByTime(250);
		expect(fn).toHaveBeenCalledTimes(1);
		expect(fn).toHaveBeenCalledWith('abc');
	});

	it('flushes and cancels', () => {
		const fn = vi.fn();
		const d = debounce(fn, 250);
		d('x');
		d.flush();
		expect(fn).toHaveBeenCalledWith('x');
		d('y');
		d.cancel();
		vi.advanceTimersByTime(1000);
		d.flush();
		expect(fn).toHaveBeenCalledTimes(1);
	});
});
