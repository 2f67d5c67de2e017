// The documents page keeps its filters in the address (so links, reloads and Back work): parse the
// URL into the API's query for GET /api/documents, and write it back, leaving defaults out.
import {
	documentKindValues,
	documentSortValues,
	pipelineStatusValues,
	type DocumentKind,
	type DocumentQuery,
	type DocumentSort,
	type PipelineStatus
} from '$lib/api/types';

export const PAGE_SIZE = 30;
export const DEFAULT_SORT: DocumentSort = '-created_at';
/** Sorting by a custom field: field:due, -field:due. */
export const FIELD_SORT = /^-?field:[a-z][a-z0-9_]{0,39}$/;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
	return value !== null && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

function nonNegativeInt(value: string | null): number | undefined {
	if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
	return Number(value);
}

export function parseDocumentQuery(params: URLSearchParams): DocumentQuery {
	const query: DocumentQuery = { limit: PAGE_SIZE, offset: nonNegativeInt(params.get('offset')) ?? 0 };
	const sort = oneOf<DocumentSort>(documentSortValues, params.get('sort'));
	if (sort && sort !== DEFAULT_SORT) query.sort = sort;
	const bySort = params.get('sort');
	if (bySort && FIELD_SORT.test(bySort)) query.sort = bySort;
	const fieldFilters = params.getAll('field').map((f) => f.trim()).filter((f) => f.length >= 2 && f.length <= 300);
	if (fieldFilters.length) query.field = [...new Set(fieldFilters)].slice(0, 20);
	const columns = params.get('fields')?.trim();
	if (columns && /^[a-z0-9_,]+$/.test(columns)) query.fields = columns;
	const kinds = params.getAll('kind').filter((k): k is DocumentKind => oneOf(documentKindValues, k) !== undefined);
	if (kinds.length) query.kind = [...new Set(kinds)];
	const status = oneOf<PipelineStatus>(pipelineStatusValues, params.get('status'));
	if (status) query.status = status;
	const q = params.get('q')?.trim();
	if (q) query.q = q.slice(0, 200);
	const category = params.get('category')?.trim();
	if (category) query.category = category;
	if (params.get('uncategorized') === 'true') query.uncategorized = true;
	const tags = params.getAll('tag').map((t) => t.trim()).filter(Boolean);
	if (tags.length) query.tag = [...new Set(tags)];
	const source = params.get('source')?.trim();
	if (source) query.source = source;
	if (params.get('deleted') === 'true') query.deleted = true;
	return query;
}

export function documentQueryParams(query: DocumentQuery): URLSearchParams {
	const params = new URLSearchParams();
	if (query.q) params.set('q', query.q);
	for (const kind of query.kind ?? []) params.append('kind', kind);
	if (query.status) params.set('status', query.status);
	if (query.category) params.set('category', query.category);
	if (query.uncategorized) params.set('uncategorized', 'true');
	for (const tag of query.tag ?? []) params.append('tag', tag);
	if (query.source) params.set('source', query.source);
	if (query.deleted) params.set('deleted', 'true');
	for (const filter of query.field ?? []) params.append('field', filter);
	if (query.fields) params.set('fields', query.fields);
	if (query.sort && query.sort !== DEFAULT_SORT) params.set('sort', query.sort);
	if (query.offset) params.set('offset', String(query.offset));
	return params;
}

/** True when any filter (not sort or page) is set. */
export function hasFilters(query: DocumentQuery): boolean {
	return Boolean(
		query.q || query.kind?.length || query.status || query.category || query.uncategorized || query.tag?.length || query.source || query.deleted || query.field?.length
	);
}

