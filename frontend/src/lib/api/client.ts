// A typed client over the generated `paths`: openapi-fetch plus what every docmill call needs —
// the CSRF header on unsafe methods (the session cookie goes along by itself), one error type with
// the API's message and hint, and a hook for an expired session.
import createClient, { type Client } from 'openapi-fetch';
import { hasMessage, t } from '$lib/i18n/index.svelte';
import type { ErrorBody, paths } from './types';

export const CSRF_HEADER = 'X-CSRF-Token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An API error: the HTTP status (0: the server did not answer) and the API's code, message and hint. */
export class ApiProblem extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly hint: string | null = null,
		/** The input the error is about (a custom field's slug) and what it accepts, when the API names one. */
		readonly field: string | null = null,
		readonly accepted: string | null = null
	) {
		super(message);
		this.name = 'ApiProblem';
	}

	/** The message and hint as one line for the page. */
	get text(): string {
		return this.hint ? `${this.message} — ${this.hint}` : this.message;
	}
}

export function isErrorBody(body: unknown): body is ErrorBody {
	if (typeof body !== 'object' || body === null || !('error' in body)) return false;
	const detail = (body as { error: unknown }).error;
	return (
		typeof detail === 'object' &&
		detail !== null &&
		typeof (detail as { code?: unknown }).code === 'string' &&
		typeof (detail as { message?: unknown }).message === 'string'
	);
}

const STATUS_TEXT: Record<number, string> = {
	401: 'you are not logged in',
	403: 'not allowed',
	404: 'not found',
	413: 'the file is too large',
	429: 'too many attempts',
	502: 'the server is unreachable (bad gateway)',
	503: 'the server is unavailable',
	504: 'the server took too long'
};

/** The error of a failed response, from the API's error body when there is one. */
export function problemFrom(status: number, body: unknown): ApiProblem {
	if (isErrorBody(body)) {
		const { code, message, hint, field, accepted } = body.error;
		return new ApiProblem(status, code, message, hint ?? null, field ?? null, accepted ?? null);
	}
	const text = STATUS_TEXT[status] ?? `the server answered HTTP ${status}`;
	return new ApiProblem(status, 'http_error', text, status >= 500 ? 'try again in a moment' : null);
}

export function networkProblem(cause: unknown): ApiProblem {
	if (cause instanceof DOMException && cause.name === 'AbortError') {
		return new ApiProblem(0, 'aborted', 'the request was cancelled');
	}
	return new ApiProblem(
		0,
		'network',
		'cannot reach the docmill server',
		'check your connection and that `docmill api` is running'
	);
}

/** An error for the page, in the UI's language: the API's stable `code` picks the message, the API's own
 * (English) message fills it in where the catalogue has no sentence of its own for that code. */
export function errorText(error: unknown): string {
	if (error instanceof ApiProblem) {
		const key = error.code === 'http_error' ? 'error.http' : `error.${error.code}`;
		if (hasMessage(key)) return t(key, { message: error.text, status: error.status });
		return error.text;
	}
	if (error instanceof Error) return error.message;
	return String(error);
}

export interface ClientOptions {
	baseUrl: string;
	/** The session's CSRF token, sent on unsafe methods. */
	getCsrfToken: () => string | null;
	/** Called when the API answers 401 (the session ended). */
	onUnauthorized?: (response: Response) => void;
	fetch?: typeof globalThis.fetch;
}

export type ApiClient = Client<paths>;

export function makeClient(options: ClientOptions): ApiClient {
	const client = createClient<paths>({
		baseUrl: options.baseUrl,
		credentials: 'same-origin',
		...(options.fetch ? { fetch: options.fetch } : {})
	});
	client.use({
		onRequest({ request }) {
			if (UNSAFE_METHODS.has(request.method.toUpperCase())) {
				const token = options.getCsrfToken();
				if (token) request.headers.set(CSRF_HEADER, token);
			}
			return request;
		},
		onResponse({ response, request }) {
			// A failed login is a 401 too; only a lost session should send the user back to the login page.
			if (response.status === 401 && !new URL(request.url).pathname.endsWith('/api/session/login')) {
				options.onUnauthorized?.(response);
			}
			return response;
		}
	});
	return client;
}

interface FetchResult<T> {
	data?: T;
	error?: unknown;
	response: Response;
}

/** The data of a successful call, or an ApiProblem. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
	let result: FetchResult<T>;
	try {
		result = await call;
	} catch (cause) {
		throw networkProblem(cause);
	}
	if (!result.response.ok) throw problemFrom(result.response.status, result.error);
	return result.data as T;
}
