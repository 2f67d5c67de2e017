import { describe, expect, it } from 'vitest';
import type { CategoryNode } from '$lib/api/types';
import { categoryPaths, flattenTree, normalisePath, visibleNodes } from './tree';

const node = (path: string, id: number | null, children: CategoryNode[] = []): CategoryNode => ({
	id,
	path,
	name: path.split('/').pop()!,
	description: null,
	count: 0,
	total: 0,
	children
});

const tree = [
	node('Research', null, [node('Research/AI', 1), node('Research/Bio', 2)]),
	node('Finance', 3, [node('Finance/Invoices', 4, [node('Finance/Invoices/2024', 5)])])
];

describe('category tree', () => {
	it('flattens depth-first with depths', () => {
		expect(flattenTree(tree).map((f) => `${f.depth}:${f.node.path}`)).toEqual([
			'0:Research',
			'1:Research/AI',
			'1:Research/Bio',
			'0:Finance',
			'1:Finance/Invoices',
			'2:Finance/Invoices/2024'
		]);
	});

	it('lists real categories only, sorted', () => {
		expect(categoryPaths(tree)).toEqual(['Finance', 'Finance/Invoices', 'Finance/Invoices/2024', 'Research/AI', 'Research/Bio']);
	});

	it('shows children of expanded nodes only', () => {
		expect(visibleNodes(tree, new Set(['Finance'])).map((f) => f.node.path)).toEqual(['Research', 'Finance', 'Finance/Invoices']);
		expect(visibleNodes(tree, new Set(['Finance/Invoices'])).map((f) => f.node.path)).toEqual(['Research', 'Finance']);
	});

	it('normalises typed paths', () => {
		expect(normalisePath(' Finance / Invoices //2024/ ')).toBe('Finance/Invoices/2024');
		expect(normalisePath(' / ')).toBe('');
	});
});
