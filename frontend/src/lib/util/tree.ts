// The category tree from GET /api/categories, flattened for lists and pickers.
import type { CategoryNode } from '$lib/api/types';

export interface FlatCategory {
	node: CategoryNode;
	depth: number;
}

export function flattenTree(nodes: readonly CategoryNode[], depth = 0, out: FlatCategory[] = []): FlatCategory[] {
	for (const node of nodes) {
		out.push({ node, depth });
		flattenTree(node.children, depth + 1, out);
	}
	return out;
}

/** Every category path (real categories only), sorted. */
export function categoryPaths(nodes: readonly CategoryNode[]): string[] {
	return flattenTree(nodes)
		.filter((f) => f.node.id !== null)
		.map((f) => f.node.path)
		.sort((a, b) => a.localeCompare(b));
}

/** Paths of the nodes to show when `expanded` holds the open ones (roots always show). */
export function visibleNodes(nodes: readonly CategoryNode[], expanded: ReadonlySet<string>, depth = 0): FlatCategory[] {
	const out: FlatCategory[] = [];
	for (const node of nodes) {
		out.push({ node, depth });
		if (node.children.length && expanded.has(node.path)) out.push(...visibleNodes(node.children, expanded, depth + 1));
	}
	return out;
}

/** Normalise a path typed by a person: trim each level, drop empty levels. */
export function normalisePath(path: string): string {
	return path
		.split('/')
		.map((p) => p.trim())
		.filter(Boolean)
		.join('/');
}
