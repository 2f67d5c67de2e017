import { describe, expect, it } from 'vitest';
import { actionOf, conditionOf, emptyRow, rowOf } from './workflows';

describe('workflow builder rows', () => {
	it('turns rows into typed conditions and actions', () => {
		expect(conditionOf({ ...emptyRow('text_contains'), text: '관리비' })).toEqual({ type: 'text_contains', text: '관리비' });
		expect(conditionOf({ ...emptyRow('source'), text: 'inbox, mail' })).toEqual({ type: 'source', sources: ['inbox', 'mail'] });
		expect(conditionOf({ ...emptyRow('field'), text: 'amount', op: '>', extra: '100000' })).toEqual({
			type: 'field',
			field: 'amount',
			op: '>',
			value: '100000'
		});
		expect(actionOf({ ...emptyRow('add_tags'), text: '관리비, bills' })).toEqual({ type: 'add_tags', tags: ['관리비', 'bills'] });
		expect(actionOf({ ...emptyRow('set_fields'), text: 'due_date', extra: '2026-03-14' })).toEqual({
			type: 'set_fields',
			values: { due_date: '2026-03-14' }
		});
	});

	it('reads stored items back into the same rows', () => {
		for (const item of [
			{ type: 'category', path: 'Home', prefix: true },
			{ type: 'tag', tag: 'x', absent: true },
			{ type: 'share', username: 'bob', permission: 'edit' },
			{ type: 'webhook', url: 'https://example.com/hook' }
		]) {
			const row = rowOf(item);
			const back = item.type === 'share' || item.type === 'webhook' ? actionOf(row) : conditionOf(row);
			expect(back).toEqual(item);
		}
	});
});
