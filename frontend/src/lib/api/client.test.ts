import { describe, expect, it, vi } from 'vitest';
import { ApiProblem, CSRF_HEADER, errorText, makeClient, problemFrom, unwrap } from './client';

function recorder(respond: (request: Request) => Response) {
	const requests: Request[] = [];
	const fetch = vi.fn(async (input: RequestInfo | URL) => {
		const request = input as Request;
		requests.push(request);
		return respond(request);
	});
	return { requests, fetch: fetch as unknown as typeof globalThis.fetch };
}

const json = (status: number, body: unknown) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('makeClient', () => {
	it('sends the CSRF token on unsafe methods only', async () => {
		const { requests, fetch } = recorder(() => json(200, { stage: 'embed', paused: true }));
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => 'tok-123', fetch });
		await client.POST('/api/queue/{stage}/pause', { params: { path: { stage: 'embed' } } });
		await client.GET('/api/queue');
		await client.DELETE('/api/feeds/{feed_id}', { params: { path: { feed_id: 4 } } });
		expect(requests.map((r) => [r.method, new URL(r.url).pathname, r.headers.get(CSRF_HEADER)])).toEqual([
			['POST', '/api/queue/embed/pause', 'tok-123'],
			['GET', '/api/queue', null],
			['DELETE', '/api/feeds/4', 'tok-123']
		]);
	});

	it('sends no header when there is no token', async () => {
		const { requests, fetch } = recorder(() => json(200, {}));
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => null, fetch });
		await client.POST('/api/queue/retry-failed');
		expect(requests[0]?.headers.has(CSRF_HEADER)).toBe(false);
	});

	it('reports a lost session, but not a failed login', async () => {
		const body = { error: { code: 'unauthorized', message: 'authentication required', hint: 'log in' } };
		const { fetch } = recorder(() => json(401, body));
		const onUnauthorized = vi.fn();
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => null, onUnauthorized, fetch });
		await client.POST('/api/session/login', { body: { username: 'a', password: 'b' } });
		expect(onUnauthorized).not.toHaveBeenCalled();
		await client.GET('/api/dashboard');
		expect(onUnauthorized).toHaveBeenCalledTimes(1);
	});

	it('serialises list filters the way FastAPI reads them', async () => {
		const { requests, fetch } = recorder(() => json(200, { items: [], total: 0, limit: 30, offset: 0 }));
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => null, fetch });
		await client.GET('/api/documents', { params: { query: { kind: ['pdf', 'image'], tag: ['a b'], limit: 30 } } });
		const url = new URL(requests[0]!.url);
		expect(url.searchParams.getAll('kind')).toEqual(['pdf', 'image']);
		expect(url.searchParams.getAll('tag')).toEqual(['a b']);
		expect(url.searchParams.get('limit')).toBe('30');
	});
});

describe('unwrap', () => {
	it('returns the data of a success', async () => {
		const { fetch } = recorder(() => json(200, { queued: 3 }));
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => 't', fetch });
		await expect(unwrap(client.POST('/api/queue/retry-failed'))).resolves.toEqual({ queued: 3 });
	});

	it("throws the API's message and hint", async () => {
		const body = { error: { code: 'not_found', message: 'document 9 does not exist', hint: 'list documents' } };
		const { fetch } = recorder(() => json(404, body));
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => null, fetch });
		const error = await unwrap(client.GET('/api/documents/{document_id}', { params: { path: { document_id: 9 } } })).catch(
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(ApiProblem);
		expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'document 9 does not exist', hint: 'list documents' });
		expect(errorText(error)).toBe('document 9 does not exist — list documents');
	});

	it('turns a dead server into a network problem', async () => {
		const fetch = vi.fn(async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof globalThis.fetch;
		const client = makeClient({ baseUrl: 'http://docmill.test', getCsrfToken: () => null, fetch });
		await expect(unwrap(client.GET('/api/dashboard'))).rejects.toMatchObject({ status: 0, code: 'network' });
	});
});

describe('problemFrom', () => {
	it('falls back to the status when the body is not an API error', () => {
		expect(problemFrom(502, '<html>bad gateway</html>')).toMatchObject({ status: 502, code: 'http_error' });
		expect(problemFrom(418, null).message).toBe('the server answered HTTP 418');
		expect(problemFrom(422, { error: { code: 1 } }).code).toBe('http_error');
	});
});

describe('errors in the UI language', () => {
	it('shows an API error from its stable code', async () => {
		const { setLocale } = await import('$lib/i18n/index.svelte');
		const duplicate = new ApiProblem(409, 'feed_exists', 'the feed https://x/feed is already subscribed (id 3)', 'remove it first');
		expect(errorText(duplicate)).toContain('already subscribed');
		setLocale('ko', false);
		try {
			expect(errorText(duplicate)).toBe('이미 구독 중인 피드입니다 — 아래 목록에 있습니다. 다시 구독하려면 먼저 삭제하세요.');
			// a code the catalogue has no sentence for keeps the API's own message
			expect(errorText(new ApiProblem(400, 'something_new', 'it broke', null))).toBe('it broke');
			expect(errorText(new ApiProblem(0, 'network', 'cannot reach the docmill server'))).toContain('docmill 서버에 연결할 수 없습니다');
		} finally {
			setLocale('en', false);
		}
	});

	it('speaks the sharing and trash errors a web user can meet in Korean', async () => {
		const { setLocale } = await import('$lib/i18n/index.svelte');
		setLocale('ko', false);
		try {
			expect(errorText(new ApiProblem(409, 'group_exists', "group 'family' exists already", 'pick another name'))).toContain('같은 이름의 그룹');
			expect(errorText(new ApiProblem(422, 'share_with_owner', 'mia owns document 3', null))).toContain('소유자');
			expect(errorText(new ApiProblem(409, 'not_in_trash', 'document 3 is not in the trash', null))).toContain('휴지통에 없습니다');
		} finally {
			setLocale('en', false);
		}
	});
});
