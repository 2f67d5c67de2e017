// A saved view's query is the documents list's URL parameters, kept as they are: filters, sort and columns
// (whatever the list learns to filter by comes along). Repeated parameters become lists.
export type ViewQuery = Record<string, string | string[]>;

const PAGE_KEYS = new Set(['offset', 'limit']);

export function viewQueryOf(params: URLSearchParams): ViewQuery {
	const out: ViewQuery = {};
	for (const key of new Set(params.keys())) {
		if (PAGE_KEYS.has(key)) continue;
		const values = params.getAll(key);
		out[key] = values.length === 1 ? (values[0] as string) : values;
	}
	return out;
}

export function paramsOf(query: ViewQuery): URLSearchParams {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
	}
	return params;
}

export function viewHref(query: ViewQuery): string {
	const params = paramsOf(query).toString();
	return params ? `/documents?${params}` : '/documents';
}
