import { describe, expect, it } from 'vitest';
import { fieldFilter, formatFieldValue, inputText, opsFor, rawValue, splitFilter } from './fields';

describe('custom field values in the UI', () => {
	it('turns inputs into the values PUT takes', () => {
		expect(rawValue('money', ' 125000 ', 'krw')).toEqual({ amount: '125000', currency: 'KRW' });
		expect(rawValue('money', '125000')).toBe('125000');
		expect(rawValue('boolean', 'true')).toBe(true);
		expect(rawValue('boolean', '')).toBeNull();
		expect(rawValue('date', '')).toBeNull();
		expect(rawValue('integer', ' 42 ')).toBe('42');
	});
	it('shows stored values and reads them back into inputs', () => {
		expect(formatFieldValue({ amount: '1250', currency: 'KRW' })).toContain('KRW');
		expect(inputText({ amount: '12.5', currency: 'USD' })).toEqual({ text: '12.5', currency: 'USD' });
		expect(inputText(17)).toEqual({ text: '17', currency: '' });
	});
	it('writes and splits list filters', () => {
		expect(fieldFilter('amount', '>', ' 100000 ')).toBe('amount>100000');
		expect(splitFilter('due<=2026-12-31')).toEqual({ slug: 'due', op: '<=', value: '2026-12-31' });
		expect(splitFilter('state:in progress')).toEqual({ slug: 'state', op: ':', value: 'in progress' });
		expect(splitFilter('nope')).toBeNull();
		expect(opsFor('boolean')).toEqual([':', '!=']);
	});
});
