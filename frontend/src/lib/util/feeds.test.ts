import { describe, expect, it } from 'vitest';
import { intervalSeconds } from './feeds';

describe('the feed interval field', () => {
	it('takes the number a number input gives', () => {
		expect(intervalSeconds(15)).toBe(900); // `bind:value` on type=number: a number, which has no .trim
		expect(intervalSeconds(0.5)).toBe(30);
	});
	it('takes typed text too', () => {
		expect(intervalSeconds(' 15 ')).toBe(900);
	});
	it('is empty (the server default) when left blank or unreadable', () => {
		expect(intervalSeconds('')).toBeNull();
		expect(intervalSeconds(null)).toBeNull();
		expect(intervalSeconds(undefined)).toBeNull();
		expect(intervalSeconds('abc')).toBeNull();
	});
});
